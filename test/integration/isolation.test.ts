// Real containers on the built-in host image: what the container sees of itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sandbox, runToEnd, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

test('the command is pid 1 in its own pid namespace', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'echo $$; readlink /proc/self/ns/pid']);
  assert.equal(r.exitCode, 0, r.out);
  const [pid, ns] = r.out.trim().split('\n');
  assert.equal(pid, '1');
  assert.notEqual(ns, fs.readlinkSync('/proc/self/ns/pid'));
});

test('hostname is the short id by default, and --hostname sets it', async () => {
  const r = await runToEnd(sb.engine, ['hostname']);
  assert.equal(r.out.trim(), r.id.slice(0, 12));
  const r2 = await runToEnd(sb.engine, ['cat', '/etc/hostname'], { hostname: 'bunny' });
  assert.equal(r2.out.trim(), 'bunny');
});

test('own mount namespace with an overlay root and the default mounts', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'readlink /proc/self/ns/mnt; cat /proc/self/mountinfo']);
  const [ns, ...mounts] = r.out.trim().split('\n');
  assert.notEqual(ns, fs.readlinkSync('/proc/self/ns/mnt'));
  const byPoint = new Map(mounts.map((l) => [l.split(' ')[4], l]));
  assert.match(byPoint.get('/') ?? '', / - overlay /);
  for (const p of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys']) assert.ok(byPoint.has(p), `${p} mounted`);
  assert.match(byPoint.get('/sys') ?? '', /\bro\b/);
  assert.match(byPoint.get('/usr') ?? '', /\bro\b/, 'host /usr is read-only');
  assert.ok(!byPoint.has('/work') && !byPoint.has('/tmp/' + 'x'), 'no host mounts leak in');
});

test('--network none: a new network namespace with only lo, up', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', "readlink /proc/self/ns/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; cat /sys/class/net/lo/operstate /sys/class/net/lo/flags"], { network: 'none' });
  const [ns, ...rest] = r.out.trim().split('\n');
  assert.notEqual(ns, fs.readlinkSync('/proc/self/ns/net'));
  assert.deepEqual(rest.slice(0, -2), ['lo']);
  assert.equal(Number(rest[rest.length - 1]) & 1, 1, 'lo is IFF_UP');
});

test('the default network is bridge: eth0 with an address, a default route, and /etc/resolv.conf', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort; ip -4 -o addr show eth0 | tr -s " " | cut -d" " -f4; ip route show default | cut -d" " -f1-3; grep -c nameserver /etc/resolv.conf']);
  const lines = r.out.trim().split('\n');
  assert.deepEqual(lines.slice(0, 2), ['eth0', 'lo'], r.out);
  assert.match(lines[2], /^\d+\.\d+\.\d+\.\d+\/\d+$/, r.out);
  assert.match(lines[3], /^default via \d+\.\d+\.\d+\.\d+$/, r.out);
  assert.ok(Number(lines[4]) >= 1, r.out);
});

test('--network host shares the host network namespace', async () => {
  const r = await runToEnd(sb.engine, ['readlink', '/proc/self/ns/net'], { network: 'host' });
  assert.equal(r.out.trim(), fs.readlinkSync('/proc/self/ns/net'));
});

test('capabilities: inheritable and ambient empty, docker default bounding set', async () => {
  const r = await runToEnd(sb.engine, ['grep', '^Cap', '/proc/self/status']);
  const caps = Object.fromEntries(r.out.trim().split('\n').map((l) => l.split(/:\s+/)));
  assert.equal(caps.CapInh, '0000000000000000');
  assert.equal(caps.CapAmb, '0000000000000000');
  // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
  assert.equal(caps.CapBnd, '00000000a80425fb');
  assert.equal(caps.CapEff, '00000000a80425fb');
});

test('no file descriptor above 2 reaches the container', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'ls /proc/$$/fd']);
  assert.deepEqual(r.out.trim().split(/\s+/).sort(), ['0', '1', '2']);
});

test('masked and read-only paths', async () => {
  // /proc/keys is masked with /dev/null (reads empty); /proc/sys is read-only.
  const r = await runToEnd(sb.engine, ['sh', '-c', 'wc -c < /proc/keys; (echo x > /proc/sys/kernel/hostname) 2>/dev/null && echo writable || echo ro; ls /sys/firmware | wc -l']);
  assert.deepEqual(r.out.trim().split('\n').map((s) => s.trim()), ['0', 'ro', '0']);
  assert.ok(fs.statSync('/proc/keys').isFile());
});

test('logs are in CRI k8s-file format with both streams', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'echo out1; echo err1 >&2; printf partial']);
  const raw = fs.readFileSync(r.info.logPath, 'utf8').trimEnd().split('\n');
  const re = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) (stdout|stderr) (F|P) (.*)$/;
  for (const l of raw) assert.match(l, re);
  assert.ok(raw.some((l) => / stdout F out1$/.test(l)));
  assert.ok(raw.some((l) => / stderr F err1$/.test(l)));
  assert.ok(raw.some((l) => / stdout P partial$/.test(l)));
});

test('writes go to the private upper layer, never to the host', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'echo hi > /hutch-it-probe && cat /hutch-it-probe']);
  assert.equal(r.out.trim(), 'hi');
  assert.ok(!fs.existsSync('/hutch-it-probe'));
  const r2 = await runToEnd(sb.engine, ['sh', '-c', 'touch /usr/hutch-it-probe']);
  assert.notEqual(r2.exitCode, 0, '/usr is read-only');
});

test('exit codes and env/workdir are passed through', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'echo "$FOO $(pwd)"; exit 42'], { env: ['FOO=bar'], workdir: '/tmp' });
  assert.equal(r.exitCode, 42);
  assert.equal(r.out.trim(), 'bar /tmp');
  assert.equal(r.info.status, 'exited');
  assert.equal(r.info.exitCode, 42);
});

test('a cgroup namespace: /proc/self/cgroup shows /, and /sys/fs/cgroup the container\'s own cgroups, read-only, with its limits', async () => {
  const script = 'cat /proc/self/cgroup; for f in /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max; do [ -e $f ] && cat $f; done; touch /sys/fs/cgroup/pids/x 2>/dev/null || touch /sys/fs/cgroup/x 2>/dev/null || echo read-only';
  const r = await runToEnd(sb.engine, ['sh', '-c', script], { memory: 64 * 1024 * 1024, network: 'none' });
  assert.equal(r.exitCode, 0, r.out);
  const lines = r.out.trim().split('\n');
  const cg = lines.filter((l) => /^\d+:/.test(l));
  assert.ok(cg.length > 0 && cg.every((l) => l.endsWith(':/')), r.out);
  assert.ok(lines.includes('67108864'), `the memory limit is visible: ${r.out}`);
  assert.equal(lines.at(-1), 'read-only');
  await sb.engine.remove(r.id);
});
