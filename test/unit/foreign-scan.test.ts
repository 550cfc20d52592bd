// Other engines' containers, read-only: runc/crun state directories, containerd's
// namespaces, names from docker's config and the CRI's annotations, and the cgroup
// tree's docker/podman/kubepods paths on v1 and v2 — all in fake trees under a temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ForeignScanner, resolverFor } from '../../src/engine/foreign/scan.js';
import { scanCgroupTree } from '../../src/engine/foreign/cgroup-scan.js';
import { defaultStateRoots } from '../../src/engine/foreign/state-dirs.js';
import { procStartTime } from '../../src/engine/proc.js';
import { foreignCommand } from '../../src/engine/foreign/actions.js';
import type { ForeignContainer } from '../../src/engine/foreign/types.js';

const hex = (c: string) => c.repeat(64);

function tmp(t: { after(fn: () => void): void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-foreign-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function write(file: string, v: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof v === 'string' ? v : JSON.stringify(v));
}

/** runc's state.json, as runc 1.1 writes it (the fields the scanner reads). */
function runcState(id: string, pid: number, start: number, bundle: string, cg: string): unknown {
  return {
    id,
    init_process_pid: pid,
    init_process_start: start,
    created: '2026-12-07T04:23:50.843700129Z',
    config: { rootfs: `${bundle}/rootfs`, labels: [`bundle=${bundle}`] },
    rootless: false,
    cgroup_paths: { '': `/sys/fs/cgroup/unified${cg}`, memory: `/sys/fs/cgroup/memory${cg}`, cpuacct: `/sys/fs/cgroup/cpuacct${cg}`, pids: `/sys/fs/cgroup/pids${cg}` },
  };
}

test('state directories: runc, crun, docker and containerd namespaces; alive by pid and start time; names from docker and the CRI', (t) => {
  const d = tmp(t);
  const run = path.join(d, 'run');
  const me = process.pid;
  const start = procStartTime(me)!;
  // runc (alive: our own pid and start time), and one whose pid was reused (another start time).
  write(path.join(run, 'runc/web/state.json'), runcState('web', me, start, path.join(d, 'b-web'), '/web'));
  write(path.join(run, 'runc/gone/state.json'), runcState('gone', me, start + 1, path.join(d, 'b-gone'), '/gone'));
  // docker's moby namespace, its name in config.v2.json.
  write(path.join(run, `docker/runtime-runc/moby/${hex('a')}/state.json`), runcState(hex('a'), me, start, path.join(d, 'b-a'), `/docker/${hex('a')}`));
  write(path.join(d, `docker/containers/${hex('a')}/config.v2.json`), { Name: '/nginx-1' });
  // containerd, k8s.io namespace: pod names in the bundle's annotations.
  const kb = path.join(d, 'b-k');
  write(path.join(kb, 'config.json'), { annotations: { 'io.kubernetes.cri.container-name': 'app', 'io.kubernetes.cri.sandbox-name': 'web-7d9', 'io.kubernetes.cri.sandbox-namespace': 'shop' } });
  write(path.join(run, `containerd/runc/k8s.io/${hex('b')}/state.json`), runcState(hex('b'), me, start, kb, `/kubepods/pod1/${hex('b')}`));
  // crun: a status file with a cgroup path relative to the root.
  write(path.join(run, 'crun/db/status'), { pid: me, 'process-start-time': start, 'cgroup-path': '/machine.slice/libpod-db.scope', rootfs: '/r', bundle: '/b', created: '2026-12-07T01:00:00Z' });
  // A file where a container directory would be, an unreadable state: skipped.
  write(path.join(run, 'runc/broken/state.json'), '{not json');

  const roots = defaultStateRoots(run);
  assert.deepEqual(roots.map((r) => `${r.engine}:${path.relative(run, r.dir)}`).sort(), ['crun:crun', 'docker:docker/runtime-runc/moby', 'hutch-runc:hutch-runc', 'kubernetes:containerd/runc/k8s.io', 'runc:runc'].sort());
  const layout = { mode: 'hybrid' as const, unified: { mountPoint: '/sys/fs/cgroup/unified', root: '/' }, v1: [{ mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] }] };
  const scanner = new ForeignScanner({ roots, tree: { dir: path.join(d, 'no-tree'), resolve: resolverFor(layout) }, layout, dockerRoot: path.join(d, 'docker') });
  const got = new Map(scanner.scan().map((c) => [c.id, c]));
  assert.deepEqual([...got.keys()].sort(), ['db', 'gone', 'web', hex('a'), hex('b')].sort());
  const web = got.get('web')!;
  assert.equal(web.engine, 'runc');
  assert.equal(web.status, 'running');
  assert.equal(web.pid, me);
  assert.equal(web.name, 'web');
  assert.equal(web.bundle, path.join(d, 'b-web'));
  assert.deepEqual(web.cgroupPaths, { unified: '/sys/fs/cgroup/unified/web', memory: '/sys/fs/cgroup/memory/web', cpuacct: '/sys/fs/cgroup/cpuacct/web', pids: '/sys/fs/cgroup/pids/web' });
  assert.equal(got.get('gone')!.status, 'exited', 'a reused pid is not the container');
  assert.equal(got.get('gone')!.pid, 0);
  assert.equal(got.get(hex('a'))!.name, 'nginx-1');
  assert.equal(got.get(hex('a'))!.engine, 'docker');
  assert.equal(got.get(hex('b'))!.name, 'shop/web-7d9/app');
  assert.equal(got.get(hex('b'))!.engine, 'kubernetes');
  assert.equal(got.get(hex('b'))!.engineNamespace, 'k8s.io');
  const db = got.get('db')!;
  assert.equal(db.engine, 'crun');
  assert.deepEqual(db.cgroupPaths, { memory: '/sys/fs/cgroup/memory/machine.slice/libpod-db.scope', unified: '/sys/fs/cgroup/unified/machine.slice/libpod-db.scope' });
  // hutch-runc's own state.json: its cgroup directories placed by the mounts they lie under.
  write(path.join(run, 'hutch-runc/job/state.json'), { id: 'job', pid: me, start, ownPidns: true, bundle: '/bj', rootfs: '/bj/rootfs', created: '2026-12-07T02:00:00Z', cgroups: ['/sys/fs/cgroup/memory/job', '/sys/fs/cgroup/unified/job', '/elsewhere/job'] });
  const withJob = new Map(new ForeignScanner({ roots, tree: null, layout, dockerRoot: path.join(d, 'docker') }).scan().map((c) => [c.id, c]));
  const job = withJob.get('job')!;
  assert.deepEqual([job.engine, job.status, job.bundle], ['hutch-runc', 'running', '/bj']);
  assert.deepEqual(job.cgroupPaths, { memory: '/sys/fs/cgroup/memory/job', unified: '/sys/fs/cgroup/unified/job' });
  fs.rmSync(path.join(run, 'hutch-runc'), { recursive: true });
  // Nothing found: an empty list, no error.
  assert.deepEqual(new ForeignScanner({ roots: defaultStateRoots(path.join(d, 'nothing')), tree: null }).scan(), []);
});

test('the cgroup tree: docker, podman, containerd, CRI-O and kubepods paths on v1 and v2; hutch\'s own parents and non-matches skipped', (t) => {
  const d = tmp(t);
  const dirs = [
    `docker/${hex('1')}`,
    `system.slice/docker-${hex('2')}.scope`,
    `machine.slice/libpod-${hex('3')}.scope`,
    `machine.slice/libpod-conmon-${hex('3')}.scope`,
    `libpod_parent/libpod-${hex('4')}`,
    `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12ab.slice/cri-containerd-${hex('5')}.scope`,
    `kubepods/besteffort/pod0c9a-11/${hex('6')}`,
    `system.slice/crio-${hex('7')}.scope`,
    `hutch/${hex('8')}`,
    `hutch-0123456789ab/docker-${hex('9')}.scope`,
    'user.slice/user-0.slice/session-1.scope',
    `${hex('c')}`,
  ];
  for (const x of dirs) fs.mkdirSync(path.join(d, x), { recursive: true });
  fs.writeFileSync(path.join(d, `docker/${hex('1')}`, 'cgroup.procs'), '4242\n4243\n');
  const found = scanCgroupTree({ dir: d, resolve: (rel) => ({ unified: path.join('/cg', rel) }) });
  const by = new Map(found.map((c) => [c.id, c]));
  assert.deepEqual(
    [...by].map(([id, c]) => `${id[0]}:${c.engine}`).sort(),
    ['1:docker', '2:docker', '3:podman', '4:podman', '5:kubernetes', '6:kubernetes', '7:cri-o'],
  );
  assert.equal(by.get(hex('1'))!.pid, 4242);
  assert.deepEqual(by.get(hex('2'))!.cgroupPaths, { unified: `/cg/system.slice/docker-${hex('2')}.scope` });
  // Found by both (a state directory and its cgroup): listed once, from the state directory.
  const run = path.join(d, 'run');
  write(path.join(run, `docker/runtime-runc/moby/${hex('1')}/state.json`), runcState(hex('1'), 0, 0, '/b', `/docker/${hex('1')}`));
  const all = new ForeignScanner({ roots: defaultStateRoots(run), tree: { dir: d, resolve: (rel) => ({ unified: rel }) }, dockerRoot: path.join(d, 'none') }).scan();
  assert.equal(all.filter((c) => c.id === hex('1')).length, 1);
  assert.equal(all.length, 7);
});

test('a sweeping scanner: new and removed containers at once, a rewritten state file after the recheck interval', (t) => {
  const d = tmp(t);
  const run = path.join(d, 'run');
  const me = process.pid;
  const start = procStartTime(me)!;
  const file = (id: string) => path.join(run, 'runc', id, 'state.json');
  write(file('a'), runcState('a', me, start, '/ba', '/a'));
  const scanner = new ForeignScanner({ roots: defaultStateRoots(run), tree: null, layout: null });
  assert.deepEqual(scanner.scan(1000).map((c) => c.bundle), ['/ba']);
  write(file('b'), runcState('b', me, start, '/bb', '/b'));
  write(file('a'), runcState('a', me, start, '/ba-moved-somewhere-else', '/a'));
  fs.utimesSync(file('a'), new Date(), new Date(Date.now() + 5000));
  const mid = new Map(scanner.scan(2000).map((c) => [c.id, c.bundle]));
  assert.equal(mid.get('b'), '/bb', 'a new one at once');
  assert.equal(mid.get('a'), '/ba', 'a known one is not stat\'ed again before the recheck');
  assert.equal(new Map(scanner.scan(7000).map((c) => [c.id, c.bundle])).get('a'), '/ba-moved-somewhere-else', 'then read again');
  fs.rmSync(path.join(run, 'runc', 'b'), { recursive: true });
  assert.deepEqual(scanner.scan(7001).map((c) => c.id), ['a'], 'a removed one at once');
});

test('acting on another engine\'s container is its own CLI\'s command; Kubernetes\' are refused', () => {
  const c = (engine: ForeignContainer['engine'], source: string, namespace?: string) => ({ id: 'abc', engine, source, ...(namespace ? { namespace } : {}) });
  assert.deepEqual(foreignCommand(c('runc', '/run/runc/abc'), 'stop'), { argv: ['runc', '--root', '/run/runc', 'kill', 'abc', 'TERM'] });
  assert.deepEqual(foreignCommand(c('crun', '/run/crun/abc'), 'kill'), { argv: ['crun', '--root', '/run/crun', 'kill', 'abc', 'KILL'] });
  assert.deepEqual(foreignCommand(c('hutch-runc', '/run/hutch-runc/abc'), 'unpause', '/x/hutch-runc'), { argv: ['/x/hutch-runc', '--root', '/run/hutch-runc', 'resume', 'abc'] });
  assert.deepEqual(foreignCommand(c('docker', '/run/docker/runtime-runc/moby/abc'), 'pause'), { argv: ['docker', 'pause', 'abc'] });
  assert.deepEqual(foreignCommand(c('containerd', '/run/containerd/runc/default/abc', 'default'), 'stop'), { argv: ['ctr', '-n', 'default', 'task', 'kill', '-s', 'SIGTERM', 'abc'] });
  assert.match(JSON.stringify(foreignCommand(c('kubernetes', '/run/containerd/runc/k8s.io/abc', 'k8s.io'), 'stop')), /use kubectl/);
  assert.match(JSON.stringify(foreignCommand(c('runc', '/sys/fs/cgroup/memory/x/abc'), 'stop')), /no runc state directory/);
});
