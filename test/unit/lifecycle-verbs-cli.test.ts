// pause/unpause, rename, top, update, wait --condition, container …, info, version and
// system df/prune against the fake engine: docker's output, its errors (one line, 125,
// nothing changed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';
import { renderTop } from '../../src/cli/verbs/top.js';
import { parsePs } from '../../src/engine/container/top-ps.js';
import { bytesSize } from '../../src/cli/verbs/info.js';
import { parseRestartPolicy, sharesToWeight, updatedSpec } from '../../src/engine/container/update.js';
import { prettyName } from '../../src/engine/system/info.js';

test('pause and unpause: the name per success, ps shows (Paused), exec refused, stop thaws', async () => {
  const e = new FakeEngine();
  const web = e.add({ name: 'web', startedAt: '2024-01-01T11:57:00Z' });
  assert.deepEqual(await cli(['pause', 'web'], e).then((r) => [r.code, r.out, r.err]), [0, 'web\n', '']);
  assert.equal(web.paused, true);
  assert.match((await cli(['ps'], e)).out, /Up 3 minutes \(Paused\)/);
  const again = await cli(['pause', 'web'], e);
  assert.deepEqual([again.code, again.err], [125, `hutch: Container ${web.id} is already paused\n`]);
  const ex = await cli(['exec', 'web', 'true'], e);
  assert.deepEqual([ex.code, ex.err], [125, `hutch: Container ${web.id} is paused, unpause the container before exec\n`]);
  assert.equal((await cli(['unpause', 'web'], e)).out, 'web\n');
  assert.equal(web.paused, undefined);
  const not = await cli(['unpause', 'web'], e);
  assert.deepEqual([not.code, not.err], [125, `hutch: Container ${web.id} is not paused\n`]);
  await cli(['pause', 'web'], e);
  assert.equal((await cli(['stop', 'web'], e)).code, 0);
  assert.equal(web.status, 'exited');
  assert.equal(web.paused, undefined, 'a stopped container is not paused');
});

test('pause of a stopped or missing container: one line, 125, nothing changed; several: a line each, 1', async () => {
  const e = new FakeEngine();
  const idle = e.add({ name: 'idle', status: 'exited', exitCode: 0, pid: 0 });
  const r = await cli(['pause', 'idle'], e);
  assert.deepEqual([r.code, r.out, r.err], [125, '', `hutch: Container ${idle.id} is not running\n`]);
  assert.equal(idle.paused, undefined);
  e.add({ name: 'web' });
  const two = await cli(['pause', 'web', 'nope'], e);
  assert.deepEqual([two.code, two.out, two.err], [1, 'web\n', 'hutch: No such container: nope\n']);
});

test('rename: the new name resolves, the old does not; a name in use or bad: 125, unchanged', async () => {
  const e = new FakeEngine();
  const web = e.add({ name: 'web' });
  const db = e.add({ name: 'db' });
  assert.deepEqual(await cli(['rename', 'web', 'front'], e).then((r) => [r.code, r.out, r.err]), [0, '', '']);
  assert.equal(web.name, 'front');
  assert.equal((await cli(['inspect', 'web'], e)).code !== 0, true);
  const inUse = await cli(['rename', 'front', 'db'], e);
  assert.equal(inUse.code, 125);
  assert.equal(inUse.err, `hutch: Conflict. The container name "/db" is already in use by container "${db.id}". You have to remove (or rename) that container to be able to reuse that name.\n`);
  assert.equal(web.name, 'front');
  const bad = await cli(['rename', 'front', 'no/slash'], e);
  assert.deepEqual([bad.code, bad.err], [125, 'hutch: Invalid container name (no/slash), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n']);
  const same = await cli(['rename', 'front', 'front'], e);
  assert.deepEqual([same.code, same.err], [125, 'hutch: Renaming a container with the same name as its current name\n']);
  assert.equal((await cli(['rename', 'front'], e)).code, 125);
});

test('top: docker\'s table (minwidth 20, padding 3), ps options passed through; a stopped container refused', async () => {
  const e = new FakeEngine();
  e.add({ name: 'web' });
  e.procs = [{ pid: 4242, ppid: 4200, state: 'S', rss: 0, cpuSeconds: 61, cmd: 'sleep infinity' }];
  const r = await cli(['top', 'web', '-o', 'pid,args'], e);
  assert.equal(r.code, 0);
  const pad = (s: string) => s.padEnd(20);
  assert.equal(r.out.split('\n')[0], ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME'].map(pad).join('') + 'CMD');
  assert.equal(r.out.split('\n')[1], ['root', '4242', '4200', '0', '00:00', '?', '00:01:01'].map(pad).join('') + 'sleep infinity');
  assert.deepEqual(e.callsOf('topPs').at(-1), ['web', ['-o', 'pid,args']]);
  e.add({ name: 'idle', status: 'exited', pid: 0 });
  assert.equal((await cli(['top', 'idle'], e)).code, 125);
});

test('top: ps output filtered to the container\'s pids, the command\'s words kept together', () => {
  const out = 'UID          PID    PPID  C STIME TTY          TIME CMD\nroot           1       0  0 01:07 ?        00:00:27 /sbin/init splash\nroot        4242    4200  0 01:08 ?        00:00:00 sleep  infinity\n';
  const t = parsePs(out, new Set([4242]));
  assert.deepEqual(t, { titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], processes: [['root', '4242', '4200', '0', '01:08', '?', '00:00:00', 'sleep infinity']] });
  assert.throws(() => parsePs('USER COMMAND\nroot sh\n', new Set([1])), /Couldn't find PID field in ps output/);
  const long = 'x'.repeat(25);
  assert.equal(renderTop({ titles: ['PID', 'CMD'], processes: [[long, 'a b']] }), `PID${' '.repeat(25)}CMD\n${long}   a b\n`);
});

test('update: limits parsed and recorded; no flag, a bad value, a missing container: 125, nothing changed', async () => {
  const e = new FakeEngine();
  const web = e.add({ name: 'web', spec: { image: 'host', memory: 256 * 2 ** 20 } });
  const r = await cli(['update', '-m', '512m', '--memory-swap', '1g', '--cpus', '1.5', '--cpu-shares', '512', '--pids-limit', '200', '--restart', 'on-failure:3', 'web'], e);
  assert.deepEqual([r.code, r.out, r.err], [0, 'web\n', '']);
  assert.deepEqual(web.spec, { image: 'host', memory: 512 * 2 ** 20, memorySwap: 2 ** 30, cpus: 1.5, cpuShares: 512, pidsLimit: 200, restartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } });
  const before = structuredClone(web.spec);
  for (const [args, err] of [
    [['update', 'web'], /^hutch: you must provide one or more flags when using this command \(see 'hutch update --help'\)\n/],
    [['update', '--restart', 'sometimes', 'web'], /^hutch: invalid restart policy "sometimes"/],
    [['update', '--restart', 'always:3', 'web'], /^hutch: maximum retry count cannot be used with restart policy 'always'\n$/],
    [['update', '--pids-limit', 'lots', 'web'], /not an integer/],
    [['update', '-m', '1g', '--memory-swap', '512m', 'web'], /^hutch: Minimum memoryswap limit should be larger than memory limit\n$/],
    [['update', '-m', '1g', 'nope'], /^hutch: No such container: nope\n$/],
  ] as const) {
    const b = await cli([...args], e);
    assert.equal(b.code, 125, args.join(' '));
    assert.match(b.err, err);
    assert.equal(b.err.split('\n').filter(Boolean).length <= 2, true);
  }
  assert.deepEqual(web.spec, before);
  // -1 pids: unlimited (no limit kept); a restart policy on an --rm container is refused as docker does.
  await cli(['update', '--pids-limit', '-1', 'web'], e);
  assert.equal(web.spec.pidsLimit, undefined);
  e.add({ name: 'tmp', spec: { image: 'host', autoRemove: true } });
  assert.match((await cli(['update', '--restart', 'always', 'tmp'], e)).err, /AutoRemove is enabled/);
});

test('update helpers: restart policies, shares to cpu.weight, swap kept above memory', () => {
  assert.deepEqual(parseRestartPolicy('no'), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure:5'), { Name: 'on-failure', MaximumRetryCount: 5 });
  assert.throws(() => parseRestartPolicy('on-failure:x'), /non-negative integer/);
  assert.deepEqual([sharesToWeight(2), sharesToWeight(1024), sharesToWeight(262144)], [1, 39, 10000]);
  assert.equal(updatedSpec({ image: 'h', memory: 100, memorySwap: 200 }, { memory: 150 }).memorySwap, 200);
  assert.equal(updatedSpec({ image: 'h', memory: 100, memorySwap: 200 }, { memory: 300 }).memorySwap, undefined);
  assert.throws(() => updatedSpec({ image: 'h' }, { memorySwap: 100 }), /no memory limit/);
});

test('wait --condition: not-running (default), next-exit, removed; a bad condition is 125', async () => {
  const e = new FakeEngine();
  e.add({ name: 'idle', status: 'exited', exitCode: 3, pid: 0 });
  assert.equal((await cli(['wait', 'idle'], e)).out, '3\n');
  e.waitResult = { exitCode: 7, oomKilled: false };
  assert.equal((await cli(['wait', '--condition', 'next-exit', 'idle'], e)).out, '7\n');
  assert.deepEqual(e.callsOf('wait').at(-1), ['idle', { condition: 'next-exit' }]);
  assert.equal((await cli(['wait', '--condition=removed', 'idle'], e)).out, '7\n');
  assert.equal((await cli(['ps', '-a', '-q'], e)).out, '');
  const bad = await cli(['wait', '--condition', 'soon', 'x'], e);
  assert.deepEqual([bad.code, bad.err.split('\n')[0]], [125, 'hutch: invalid condition: "soon" (not-running, next-exit or removed)']);
});

test('container …: docker\'s management spellings; container prune removes the stopped ones', async () => {
  const e = new FakeEngine();
  const web = e.add({ name: 'web' });
  const idle = e.add({ name: 'idle', status: 'exited', exitCode: 0, pid: 0 });
  assert.match((await cli(['container', 'ls'], e)).out, /^CONTAINER ID +IMAGE[^\n]*\n[0-9a-f]{12} .* web\n$/);
  assert.equal((await cli(['container', 'ls', '-aq'], e)).out.split('\n').filter(Boolean).length, 2);
  assert.equal((await cli(['container', 'pause', 'web'], e)).out, 'web\n');
  assert.equal((await cli(['container', 'unpause', 'web'], e)).out, 'web\n');
  assert.equal((await cli(['container', 'rename', 'web', 'front'], e)).code, 0);
  assert.match((await cli(['container', 'pause', '--help'], e)).out, /^Usage: {2}hutch container pause CONTAINER/);
  const unknown = await cli(['container', 'frob'], e);
  assert.deepEqual([unknown.code, unknown.err.split('\n')[0]], [125, `hutch: unknown command: "container frob" (see 'hutch container --help')`]);
  const pr = await cli(['container', 'prune', '-f'], e);
  assert.deepEqual([pr.code, pr.out], [0, `Deleted Containers:\n${idle.id}\n\nTotal reclaimed space: 0B\n`]);
  assert.deepEqual(e.containers.map((c) => c.id), [web.id]);
});

test('info: docker\'s fields, counts with paused ones, the cgroup layout; --format', async () => {
  const e = new FakeEngine();
  e.add({ name: 'a' });
  e.add({ name: 'b', paused: true });
  e.add({ name: 'c', status: 'exited', pid: 0 });
  const r = await cli(['info'], e);
  assert.equal(r.code, 0);
  for (const line of [' Containers: 3', '  Running: 1', '  Paused: 1', '  Stopped: 1', ' Images: 1', ' Storage Driver: overlay', ' Cgroup Driver: cgroupfs', ' Cgroup Version: 2', ' Cgroup Layout: v2', '  unified: /sys/fs/cgroup', '  seccomp', '   Profile: builtin', '  cgroupns', ' Kernel Version: 6.1.0', ' CPUs: 4', ' Total Memory: 8GiB', ' Docker Root Dir: /var/lib/hutch'])
    assert.ok(r.out.split('\n').includes(line), line);
  assert.equal((await cli(['info', '--format', '{{.ContainersPaused}} {{.CgroupVersion}} {{.DockerRootDir}}'], e)).out, '1 2 /var/lib/hutch\n');
  assert.equal(JSON.parse((await cli(['system', 'info', '--format', 'json'], e)).out).Containers, 3);
  const bad = await cli(['info', '--format', '{{.Nope'], e);
  assert.equal(bad.code, 125);
  assert.equal(bytesSize(7.763 * 2 ** 30), '7.763GiB');
  assert.equal(prettyName('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
});

test('version: docker\'s Client/Server shape, --format, never opening the engine', async () => {
  const r = await cli(['version']);
  assert.match(r.out, /^Client:\n Version: +\d+\.\d+\.\d+\n Node version: +v\d+/);
  assert.match(r.out, /\n\nServer: hutch \(the engine runs in this process: no daemon\)\n Engine:\n {2}Version: +\d/);
  assert.match(r.out, /\n {2}OS\/Arch: +linux\/(amd64|arm64)/);
  assert.equal((await cli(['version', '--format', '{{.Client.Version}}={{.Server.Version}}'])).out.trim().split('=').length, 2);
  assert.equal(JSON.parse((await cli(['version', '--format', 'json'])).out).Client.Context, 'default');
});

test('system df [-v] and system prune: docker\'s rows, reclaimable space, the prune sections', async () => {
  const e = new FakeEngine();
  e.imageList.push({ name: 'busybox', id: 'sha256:' + '12'.repeat(32), created: '2024-01-01T00:00:00Z', size: 4_000_000, kind: 'oci', repository: 'busybox', tag: 'latest' });
  e.imageList.push({ name: '<none>', id: 'sha256:' + '34'.repeat(32), created: '2024-01-01T00:00:00Z', size: 1_000_000, kind: 'oci', repository: '<none>', tag: '<none>' });
  const web = e.add({ name: 'web', image: 'busybox', imageId: 'sha256:' + '12'.repeat(32) });
  const idle = e.add({ name: 'idle', status: 'exited', exitCode: 0, pid: 0 });
  e.containerSizes.set(web.id, 3000).set(idle.id, 1000);
  e.buildCache = [{ id: 'abc', size: 2000, created: '2024-01-01T00:00:00Z' }];
  const df = await cli(['system', 'df'], e);
  assert.equal(
    df.out,
    'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n' +
      'Images          2         1         5MB       1MB (20%)\n' +
      'Containers      2         1         4kB       1kB (25%)\n' +
      'Local Volumes   0         0         0B        0B\n' +
      'Build Cache     1         0         2kB       2kB\n',
  );
  const v = (await cli(['system', 'df', '-v'], e)).out;
  assert.match(v, /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\nbusybox +latest +121212121212 /);
  assert.match(v, /\nContainers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n/);
  assert.match(v, /\nLocal Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\n\nBuild cache usage: 2kB\n\nCACHE ID +CACHE TYPE/);
  assert.equal((await cli(['system', 'df', '--format', '{{.Type}}:{{.TotalCount}}'], e)).out, 'Images:2\nContainers:2\nLocal Volumes:0\nBuild Cache:1\n');
  assert.equal((await cli(['network', 'create', 'app'], e)).code, 0);
  const pr = await cli(['system', 'prune', '-f'], e);
  assert.equal(pr.code, 0);
  assert.match(pr.out, new RegExp(`^Deleted Containers:\\n${idle.id}\\n\\nDeleted Networks:\\napp\\n\\n`));
  assert.match(pr.out, /Total reclaimed space: \S+\n$/);
  assert.deepEqual(e.calls.map((c) => c.method).filter((m) => m.startsWith('prune')), ['pruneContainers', 'pruneImages', 'pruneBuildCache']);
  assert.deepEqual(e.callsOf('pruneImages').at(-1), [{ all: false }]);
  e.calls = [];
  await cli(['system', 'prune', '-af', '--volumes'], e);
  assert.deepEqual(e.calls.map((c) => c.method).filter((m) => m.startsWith('prune')), ['pruneContainers', 'pruneVolumes', 'pruneImages', 'pruneBuildCache']);
  assert.deepEqual(e.callsOf('pruneImages').at(-1), [{ all: true }]);
});

test('systemInfo: counts, cgroup layout from mountinfo, security options from the host and settings', async () => {
  const { systemInfo } = await import('../../src/engine/system/info.js');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-info-'));
  try {
    const mountinfo = '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n37 31 0:34 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n41 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n40 31 0:40 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n';
    const host = { mountinfo: () => mountinfo, osRelease: () => 'PRETTY_NAME="Test OS 1"\n', seccomp: () => true, apparmor: () => false };
    const ctx = { paths: { root }, cgroups: { mode: 'hybrid', parent: 'hutch' } } as never;
    const c = (status: string, paused?: boolean) => ({ status, paused }) as never;
    const i = systemInfo(ctx, [c('running'), c('running', true), c('exited'), c('created')], 5, host);
    assert.deepEqual([i.Containers, i.ContainersRunning, i.ContainersPaused, i.ContainersStopped, i.Images], [4, 1, 1, 2, 5]);
    assert.deepEqual([i.CgroupVersion, i.Cgroups.Layout, i.OperatingSystem, i.DockerRootDir], ['1', 'hybrid', 'Test OS 1', root]);
    assert.deepEqual(i.Cgroups.Hierarchies.map((h) => `${h.Controllers.join(',')}:${h.MountPoint}`).sort(), ['freezer:/sys/fs/cgroup/freezer', 'memory:/sys/fs/cgroup/memory', 'name=systemd:/sys/fs/cgroup/systemd', 'unified:/sys/fs/cgroup/unified']);
    assert.deepEqual(i.SecurityOptions, ['name=seccomp,profile=builtin', 'name=cgroupns']);
    fs.writeFileSync(path.join(root, 'settings.json'), JSON.stringify({ 'userns-remap': 'auto' }));
    const r = systemInfo(ctx, [], 0, { ...host, apparmor: () => true });
    assert.deepEqual(r.SecurityOptions, ['name=apparmor', 'name=seccomp,profile=builtin', 'name=userns']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
