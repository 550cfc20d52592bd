// cgroup manager against the real kernel (root only). Everything lives under a parent
// unique to this run (hutch-test-<pid>-<random>), removed in the after hook; only
// processes this file spawned are ever signalled.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectCgroups, DEFAULT_DEVICE_RULES, type CgroupManager } from '../../src/engine/cgroups/index.js';
import { loadNative } from '../../src/engine/native/real.js';

const skip = process.platform !== 'linux' ? 'Linux only' : process.getuid?.() !== 0 ? 'needs root' : false;
const PARENT = `hutch-test-${process.pid}-${randomBytes(3).toString('hex')}`;
const MiB = 1024 * 1024;

let mgr: CgroupManager | undefined;
let v2mgr: CgroupManager | undefined;
const devmgrs: CgroupManager[] = [];
const children: ChildProcess[] = [];

function manager(): CgroupManager {
  mgr ??= detectCgroups({ parent: PARENT });
  return mgr;
}

after(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  for (const m of [mgr, v2mgr, ...devmgrs]) {
    if (!m) continue;
    for (const name of await m.listChildren()) await m.remove(m.pathsFor(name)).catch((e) => console.error(e));
    assert.equal(await m.removeParentIfEmpty(), true, `cgroup parent ${m.parent} left behind`);
  }
});

const rd = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8').trim();

/** `sh` that waits for a line on stdin and then execs cmd: the exec (and everything it
 * allocates) happens after the test moved it into the cgroup. */
function spawnGated(cmd: string): ChildProcess & { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const c = spawn('sh', ['-c', `read _ && exec ${cmd}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(c);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    c.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return Object.assign(c, { exited });
}

function join(m: CgroupManager, paths: Record<string, string>, pid: number): void {
  for (const d of m.joinDirs(paths)) fs.writeFileSync(path.join(d, 'cgroup.procs'), String(pid));
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const comm = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

test('create applies the limits, a joined process is seen, remove kills it and every dir', { skip }, async () => {
  const m = manager();
  const name = 'limits';
  const limits = { memory: 64 * MiB, memorySwap: 64 * MiB, cpus: 0.5, pidsLimit: 32 };
  const paths = await m.create(name, limits);
  const dirs = m.joinDirs(paths);
  for (const d of dirs) {
    assert.ok(fs.statSync(d).isDirectory(), d);
    assert.equal(path.basename(path.dirname(d)), PARENT);
  }
  assert.deepEqual(await m.listChildren(), [name]);
  await assert.rejects(m.create(name, {}), /already exists/);

  if (m.mode === 'v2') {
    assert.equal(rd(paths.unified, 'memory.max'), String(64 * MiB));
    if (fs.existsSync(path.join(paths.unified, 'memory.swap.max'))) assert.equal(rd(paths.unified, 'memory.swap.max'), '0');
    assert.equal(rd(paths.unified, 'cpu.max'), '50000 100000');
    assert.equal(rd(paths.unified, 'pids.max'), '32');
  } else {
    assert.equal(rd(paths.memory, 'memory.limit_in_bytes'), String(64 * MiB));
    if (fs.existsSync(path.join(paths.memory, 'memory.memsw.limit_in_bytes')))
      assert.equal(rd(paths.memory, 'memory.memsw.limit_in_bytes'), String(64 * MiB));
    assert.equal(rd(paths.cpu, 'cpu.cfs_period_us'), '100000');
    assert.equal(rd(paths.cpu, 'cpu.cfs_quota_us'), '50000');
    assert.equal(rd(paths.pids, 'pids.max'), '32');
    assert.deepEqual(rd(paths.devices, 'devices.list').split('\n').sort(), [...DEFAULT_DEVICE_RULES].sort());
    const top = path.dirname(path.dirname(paths.cpuset));
    assert.equal(rd(paths.cpuset, 'cpuset.cpus'), rd(top, 'cpuset.cpus'));
    assert.equal(rd(paths.cpuset, 'cpuset.mems'), rd(top, 'cpuset.mems'));
    if (m.mode === 'hybrid') assert.ok(dirs.includes(paths.unified));
  }

  const c = spawnGated('sleep 30');
  const pid = c.pid!;
  join(m, paths, pid);
  c.stdin!.write('\n');
  await waitFor('sleep to exec', () => comm(pid) === 'sleep');
  assert.deepEqual(await m.pids(paths), [pid]);
  for (const d of dirs) assert.deepEqual(rd(d, 'cgroup.procs'), String(pid), d);

  const st = await m.stats(paths);
  assert.equal(st.pids, 1);
  assert.equal(st.pidsLimit, 32);
  assert.equal(st.memoryLimit, 64 * MiB);
  assert.ok(st.memoryUsage > 0, `memoryUsage ${st.memoryUsage}`);
  assert.ok(st.memoryUsage < 64 * MiB, `memoryUsage ${st.memoryUsage}`);
  assert.ok(st.cpuUsageNs > 0, `cpuUsageNs ${st.cpuUsageNs}`);
  assert.equal(await m.oomKilled(paths), false);

  await m.remove(paths);
  assert.deepEqual(await c.exited, { code: null, signal: 'SIGKILL' });
  for (const d of dirs) assert.equal(fs.existsSync(d), false, d);
  assert.deepEqual(await m.listChildren(), []);
  assert.deepEqual(await m.pids(paths), []);
  await m.remove(paths); // twice is fine
});

test('remove kills a whole process tree', { skip }, async () => {
  const m = manager();
  const paths = await m.create('tree', { pidsLimit: 16 });
  const c = spawnGated(`sh -c 'sleep 30 & sleep 30 & sleep 30 & wait'`);
  join(m, paths, c.pid!);
  c.stdin!.write('\n');
  await waitFor('four processes', async () => (await m.pids(paths)).length === 4);
  assert.equal((await m.stats(paths)).pids, 4);
  const pids = await m.pids(paths);
  assert.ok(pids.includes(c.pid!));
  await m.remove(paths);
  assert.deepEqual(await c.exited, { code: null, signal: 'SIGKILL' });
  for (const p of pids) assert.equal(fs.existsSync(`/proc/${p}/status`) && !/State:\s+Z/.test(fs.readFileSync(`/proc/${p}/status`, 'utf8')), false, `pid ${p} alive`);
  for (const d of m.joinDirs(paths)) assert.equal(fs.existsSync(d), false, d);
});

test('the pids limit is enforced', { skip }, async () => {
  const m = manager();
  const paths = await m.create('pidlimit', { pidsLimit: 2 });
  // sh + one sleep fit; the second sleep's fork fails.
  const c = spawnGated(`sh -c 'sleep 30 & sleep 30 & wait'`);
  join(m, paths, c.pid!);
  c.stdin!.write('\n');
  await waitFor('the limit to bite', async () => c.exitCode !== null || (await m.pids(paths)).length === 2);
  await sleep(200);
  assert.ok((await m.pids(paths)).length <= 2);
  assert.equal((await m.stats(paths)).pidsLimit, 2);
  await m.remove(paths);
  await c.exited;
});

test('a process over the memory limit is OOM-killed and oomKilled() says so', { skip }, async () => {
  const m = manager();
  const paths = await m.create('oom', { memory: 16 * MiB });
  // tail buffers an endless line: /dev/zero has no newline.
  const c = spawnGated('tail /dev/zero');
  join(m, paths, c.pid!);
  assert.equal(await m.oomKilled(paths), false);
  c.stdin!.write('\n');
  const t = setTimeout(() => c.pid && process.kill(c.pid, 'SIGKILL'), 20_000);
  const res = await c.exited;
  clearTimeout(t);
  assert.deepEqual(res, { code: null, signal: 'SIGKILL' });
  assert.equal(await m.oomKilled(paths), true);
  await m.remove(paths);
  for (const d of m.joinDirs(paths)) assert.equal(fs.existsSync(d), false, d);
});

test('remove refuses a cgroup outside the parent', { skip }, async () => {
  const m = manager();
  // A sibling of our parent that does not exist: harmless even if the guard broke,
  // and the call must still reject rather than resolve.
  const paths = m.pathsFor('x');
  const outside = Object.fromEntries(
    Object.entries(paths).map(([k, d]) => [k, path.join(path.dirname(path.dirname(d)), `${PARENT}-not-ours`, 'x')]),
  );
  for (const d of Object.values(outside)) assert.equal(fs.existsSync(d), false);
  await assert.rejects(m.remove(outside), /refusing to remove/);
});

// On a hybrid host the cgroup2 tree is real but carries (almost) no controllers: enough to
// run the v2 manager's create / join / kill (cgroup.kill) / rmdir against the kernel.
const unifiedLine =
  process.platform === 'linux'
    ? fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => / - cgroup2 /.test(l))
    : undefined;
const hybridSkip = skip || (manager().mode !== 'hybrid' ? 'needs a hybrid host' : !unifiedLine ? 'no cgroup2 mount' : false);

test('v2 manager on the unified tree of a hybrid host', { skip: hybridSkip }, async () => {
  v2mgr = detectCgroups({ parent: `${PARENT}-v2`, mountinfo: `${unifiedLine}\n` });
  const m = v2mgr;
  assert.equal(m.mode, 'v2');
  const ctrls = fs.readFileSync(path.join(path.dirname(path.dirname(m.pathsFor('x').unified)), 'cgroup.controllers'), 'utf8');
  if (!ctrls.includes('memory'))
    await assert.rejects(m.create('nomem', { memory: 16 * MiB }), /the memory controller is not available .*cannot apply the memory limit/);
  assert.deepEqual(await m.listChildren(), []);
  const paths = await m.create('v2', {});
  const c = spawnGated('sleep 30');
  join(m, paths, c.pid!);
  c.stdin!.write('\n');
  await waitFor('sleep to exec', () => comm(c.pid!) === 'sleep');
  assert.deepEqual(await m.pids(paths), [c.pid]);
  assert.ok((await m.stats(paths)).cpuUsageNs > 0);
  assert.equal(await m.oomKilled(paths), false);
  await m.remove(paths);
  assert.deepEqual(await c.exited, { code: null, signal: 'SIGKILL' });
  assert.equal(fs.existsSync(paths.unified), false);
});

test('v2: devices off the allow-list cannot be opened (a BPF program; v2 has no devices.allow)', { skip: hybridSkip }, async () => {
  const native = loadNative();
  const filtered = detectCgroups({ parent: `${PARENT}-dev`, mountinfo: `${unifiedLine}\n`, deviceFilter: (d, r) => native.attachDeviceFilter(d, r) });
  const plain = detectCgroups({ parent: `${PARENT}-nodev`, mountinfo: `${unifiedLine}\n` });
  devmgrs.push(filtered, plain);
  const blk = `/tmp/${PARENT}-blk`;
  // Opens only (no read): /dev/null and /dev/zero are allowed; /dev/kmsg (1:11) and a
  // block device made with mknod (allowed: "b *:* m") are not.
  const probe = (dir: string) =>
    new Promise<string>((resolve, reject) => {
      const sh = spawn('sh', ['-c', [
        `echo $$ > ${dir}/cgroup.procs`,
        'for d in /dev/null /dev/zero /dev/kmsg; do (exec 3<$d) 2>/dev/null && echo "$d open" || echo "$d denied"; done',
        `rm -f ${blk}; mknod ${blk} b 7 0 && echo "mknod ok"`,
        `(exec 3<${blk}) 2>/dev/null && echo "blk open" || echo "blk denied"`,
        `rm -f ${blk}`,
      ].join('; ')], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(sh);
      let out = '';
      sh.stdout!.on('data', (b) => (out += b));
      sh.on('exit', () => resolve(out.trim()));
      sh.on('error', reject);
    });
  try {
    const f = await filtered.create('dev', {});
    assert.equal(await probe(f.unified), '/dev/null open\n/dev/zero open\n/dev/kmsg denied\nmknod ok\nblk denied');
    // The same probe in a v2 cgroup without the program: the denials came from it.
    const p = await plain.create('nodev', {});
    assert.equal(await probe(p.unified), '/dev/null open\n/dev/zero open\n/dev/kmsg open\nmknod ok\nblk open');
    assert.throws(() => native.attachDeviceFilter(f.unified, ['x 1:3 rwm']), /invalid device rule: x 1:3 rwm/);
  } finally {
    fs.rmSync(blk, { force: true });
  }
});
