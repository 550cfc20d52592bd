// The native addon (native/addon/*.cc) through its raw surface and through
// loadNative(), plus FakeNative. Needs the addon built (npm install). Every
// process these tests start is killed by pid in a finally block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { HutchAddon } from '@hutch/native';
import { loadNative } from '../../src/engine/native/real.js';
import { FakeNative, LINUX_MOUNT_CONSTANTS } from '../../src/engine/native/fake.js';
import { EngineError, SystemError } from '../../src/engine/errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const raw = (createRequire(import.meta.url)('@hutch/native') as { addon: HutchAddon }).addon;
const native = loadNative();
const { SIGKILL } = os.constants.signals;

function tmpDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-native-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Spawns `cmd`; the returned child is SIGKILLed after the test if still running. */
function spawnOwned(t: { after(fn: () => void): void }, cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Runs a CommonJS snippet in a fresh node from the repo root (so '@hutch/native' resolves). */
async function runNode(code: string, timeoutMs = 5000): Promise<{ status: number | null; out: string; ms: number }> {
  const start = Date.now();
  const child = spawn(process.execPath, ['-e', code], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [status] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { status, out, ms: Date.now() - start };
}

function settledWithin<T>(p: Promise<T>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]).finally(() => clearTimeout(timer));
}

// --- errors

test('a failed syscall throws an error shaped like Node system errors', () => {
  const target = '/nonexistent-hutch-dir/x';
  assert.throws(
    () => raw.mount('none', target, 'tmpfs', 0, null),
    (e: NodeJS.ErrnoException) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, `ENOENT: No such file or directory, mount '${target}'`);
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.errno, -2);
      assert.equal(e.syscall, 'mount');
      assert.equal(e.path, target);
      assert.equal(util.getSystemErrorName(e.errno!), e.code);
      return true;
    },
  );
});

test('loadNative turns addon errors into SystemError with the same fields', () => {
  const target = '/nonexistent-hutch-dir/x';
  assert.throws(
    () => native.mount('none', target, 'tmpfs', 0, null),
    (e: unknown) => {
      assert.ok(e instanceof SystemError && e instanceof EngineError);
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.errno, -2);
      assert.equal(e.syscall, 'mount');
      assert.equal(e.path, target);
      assert.match(e.message, /^ENOENT: .*, mount '/);
      return true;
    },
  );
});

test('bad arguments throw TypeError/RangeError, left unconverted', () => {
  assert.throws(() => native.pidfdOpen('1' as unknown as number), (e: NodeJS.ErrnoException) => {
    return e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE';
  });
  assert.throws(() => native.closeFd(-1), (e: NodeJS.ErrnoException) => e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE');
  assert.throws(() => native.flock(0, 'xx' as 'ex', true), (e: NodeJS.ErrnoException) => e.code === 'ERR_INVALID_ARG_VALUE');
  assert.throws(() => native.openRead('/tmp/a\0b'), (e: NodeJS.ErrnoException) => e.code === 'ERR_INVALID_ARG_VALUE');
});

// --- pidfd

test('pidfdOpen on a pid that does not exist throws ESRCH', () => {
  // Above PID_MAX_LIMIT (2^22), so no process can have it.
  assert.throws(() => native.pidfdOpen(2 ** 30), { code: 'ESRCH', errno: -3, syscall: 'pidfd_open' });
  assert.throws(() => native.pidfdOpen(0), { code: 'EINVAL', syscall: 'pidfd_open' });
});

test('closeFd closes, and a second close is EBADF', () => {
  const fd = native.pidfdOpen(process.pid);
  native.closeFd(fd);
  assert.throws(() => native.closeFd(fd), { code: 'EBADF', syscall: 'close' });
});

test('pidfdWait resolves when a spawned `sleep 0.2` exits, not before', async (t) => {
  const child = spawnOwned(t, 'sleep', ['0.2']);
  const fd = native.pidfdOpen(child.pid!);
  try {
    const start = Date.now();
    assert.equal(await settledWithin(native.pidfdWait(fd), 5000), true, 'wait did not resolve');
    assert.ok(Date.now() - start >= 150, `resolved after ${Date.now() - start} ms, before the child exited`);
  } finally {
    native.closeFd(fd);
  }
});

test('pidfdWait on a process that already exited resolves at once', async (t) => {
  const child = spawnOwned(t, 'sleep', ['30']);
  const fd = native.pidfdOpen(child.pid!);
  try {
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(await settledWithin(native.pidfdWait(fd), 1000), true);
  } finally {
    native.closeFd(fd);
  }
});

test('pidfdSendSignal kills a spawned `sleep 30`', async (t) => {
  const child = spawnOwned(t, 'sleep', ['30']);
  const fd = native.pidfdOpen(child.pid!);
  try {
    native.pidfdSendSignal(fd, 0); // alive: no error
    const exited = once(child, 'exit');
    native.pidfdSendSignal(fd, SIGKILL);
    const [code, signal] = (await exited) as [number | null, string | null];
    assert.equal(code, null);
    assert.equal(signal, 'SIGKILL');
    await native.pidfdWait(fd);
    assert.throws(() => native.pidfdSendSignal(fd, 0), { code: 'ESRCH', syscall: 'pidfd_send_signal' });
  } finally {
    native.closeFd(fd);
  }
});

test('closeFd cancels a pending wait: raw rejects ECANCELED, Native never settles', async (t) => {
  const child = spawnOwned(t, 'sleep', ['30']);
  const fd1 = raw.pidfdOpen(child.pid!);
  const rawWait = raw.pidfdWait(fd1);
  raw.closeFd(fd1);
  await assert.rejects(rawWait, { code: 'ECANCELED' });

  const fd2 = native.pidfdOpen(child.pid!);
  const wait = native.pidfdWait(fd2);
  native.closeFd(fd2);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.equal(await settledWithin(wait, 200), false, 'an abandoned wait settled');
});

test('a pending pidfdWait keeps an idle process alive and runs its continuation', async (t) => {
  // The waited process ends when the test says so, not after a time a loaded machine
  // may overrun: the snippet must still be alive then, and resolve once it ends.
  const child = spawnOwned(t, 'sleep', ['30']);
  const node = spawn(process.execPath, ['-e', `
    const { addon } = require('@hutch/native');
    const fd = addon.pidfdOpen(${child.pid});
    (async () => { await addon.pidfdWait(fd); await null; addon.closeFd(fd); console.log('resolved'); })();
    console.log('waiting');
  `], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (node.exitCode === null && node.signalCode === null) node.kill('SIGKILL');
  });
  let out = '';
  node.stdout.on('data', (d: Buffer) => (out += d));
  node.stderr.on('data', (d: Buffer) => (out += d));
  const exited = once(node, 'exit');
  while (!out.includes('waiting')) {
    assert.equal(node.exitCode, null, `exited before waiting: ${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  // Its only pending work is the wait itself (no timers, no children): still alive.
  assert.equal(await settledWithin(exited, 300), false, `exited with nothing to wait for but the wait: ${out}`);
  child.kill('SIGKILL');
  const [status] = (await exited) as [number | null];
  assert.equal(status, 0, out);
  assert.equal(out.trim(), 'waiting\nresolved');
});

test('once its wait is cancelled, nothing of the addon keeps the process alive', async (t) => {
  const child = spawnOwned(t, 'sleep', ['30']);
  const r = await runNode(`
    const { addon } = require('@hutch/native');
    const fd = addon.pidfdOpen(${child.pid});
    addon.pidfdWait(fd).catch((e) => console.log(e.code));
    setTimeout(() => addon.closeFd(fd), 50);
  `);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.out.trim(), 'ECANCELED');
  assert.ok(r.ms < 4000);
});

test('a worker torn down with a pending wait exits cleanly', async (t) => {
  const child = spawnOwned(t, 'sleep', ['30']);
  const r = await runNode(`
    const { Worker } = require('node:worker_threads');
    const w = new Worker(\`
      const { addon } = require(${JSON.stringify(path.join(repoRoot, 'native'))});
      addon.pidfdWait(addon.pidfdOpen(${child.pid}));
      require('node:worker_threads').parentPort.postMessage('waiting');
    \`, { eval: true });
    w.on('message', async (m) => { console.log(m); await w.terminate(); console.log('terminated'); });
  `);
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(r.out.trim().split('\n'), ['waiting', 'terminated']);
});

// --- locks

test('flock is exclusive between two open files; nonblock returns false', (t) => {
  const file = path.join(tmpDir(t), 'lock');
  const a = fs.openSync(file, 'w');
  const b = fs.openSync(file, 'r');
  try {
    assert.equal(native.flock(a, 'ex', true), true);
    assert.equal(native.flock(b, 'ex', true), false);
    assert.equal(native.flock(b, 'sh', true), false);
    assert.equal(native.flock(a, 'un', false), true);
    assert.equal(native.flock(b, 'sh', true), true);
    assert.equal(native.flock(a, 'sh', true), true, 'shared locks coexist');
    assert.equal(native.flock(a, 'ex', true), false);
  } finally {
    fs.closeSync(a);
    fs.closeSync(b);
  }
  assert.throws(() => native.flock(a, 'ex', true), { code: 'EBADF', syscall: 'flock' });
});

test('lockAsync waits until the holder unlocks', async (t) => {
  const file = path.join(tmpDir(t), 'lock');
  const a = fs.openSync(file, 'w');
  const b = fs.openSync(file, 'r');
  try {
    native.flock(a, 'ex', false);
    const p = native.lockAsync(b, 'ex');
    assert.equal(await settledWithin(p, 100), false, 'got the lock while it was held');
    native.flock(a, 'un', false);
    assert.equal(await settledWithin(p, 2000), true);
    assert.equal(native.flock(a, 'ex', true), false, 'b should now hold the lock');
  } finally {
    fs.closeSync(a);
    fs.closeSync(b);
  }
  await assert.rejects(native.lockAsync(a, 'ex'), { code: 'EBADF', syscall: 'flock' });
});

// --- fast reads

test('preadString reflects the file as it changes, growing its buffer', (t) => {
  const file = path.join(tmpDir(t), 'stat');
  fs.writeFileSync(file, 'one\n');
  const fd = native.openRead(file);
  try {
    assert.equal(native.preadString(fd), 'one\n');
    fs.writeFileSync(file, 'two, longer\n');
    assert.equal(native.preadString(fd), 'two, longer\n');
    fs.writeFileSync(file, 'x');
    assert.equal(native.preadString(fd), 'x');
    const big = 'é0123456789\n'.repeat(30_000); // ~390 KB, UTF-8
    fs.writeFileSync(file, big);
    assert.equal(native.preadString(fd), big);
    fs.writeFileSync(file, '');
    assert.equal(native.preadString(fd), '');
  } finally {
    native.closeFd(fd);
  }
  assert.throws(() => native.openRead(path.join(file, 'nope')), { code: 'ENOTDIR', syscall: 'open' });
  const zero = native.openRead('/dev/zero'); // endless: refused, not read until memory runs out
  try {
    assert.throws(() => native.preadString(zero), { code: 'EFBIG', syscall: 'read' });
  } finally {
    native.closeFd(zero);
  }
});

test('preadString reads a seq_file larger than a page whole (short reads are not EOF)', async (t) => {
  const child = spawnOwned(t, 'sleep', ['30']);
  const file = `/proc/${child.pid}/smaps`; // multi-record, > 4 KiB, stable once sleep sleeps
  let expected = '';
  let prev: string | undefined;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 10)); // the dynamic loader maps libraries first
    const now = fs.readFileSync(file, 'utf8');
    if (now === prev) {
      expected = now;
      break;
    }
    prev = now;
  }
  assert.ok(expected.length > 8192, `smaps is only ${expected.length} bytes`);
  const fd = native.openRead(file);
  try {
    // The kB figures may move between reads (page aging under memory pressure); the
    // records, their order and everything else must come back whole.
    const shape = (x: string) => x.replace(/\d+ kB/g, 'N kB');
    assert.equal(shape(native.preadString(fd)), shape(expected));
    assert.equal(shape(native.preadString(fd)), shape(expected));
  } finally {
    native.closeFd(fd);
  }
});

test('readMany reads several fds at once, null where a read fails', (t) => {
  const dir = tmpDir(t);
  const fds = ['a', 'b', 'c'].map((n) => {
    fs.writeFileSync(path.join(dir, n), `${n}-content`);
    return native.openRead(path.join(dir, n));
  });
  const closed = native.openRead(path.join(dir, 'a'));
  native.closeFd(closed);
  const dirFd = native.openRead(dir); // read(2) on a directory: EISDIR
  try {
    assert.deepEqual(native.readMany(fds), ['a-content', 'b-content', 'c-content']);
    fs.writeFileSync(path.join(dir, 'b'), 'changed');
    assert.deepEqual(native.readMany(Int32Array.from([fds[1], closed, fds[0], dirFd, -1])), [
      'changed',
      null,
      'a-content',
      null,
      null,
    ]);
    assert.deepEqual(native.readMany([]), []);
  } finally {
    for (const fd of [...fds, dirFd]) native.closeFd(fd);
  }
});

test('readInt parses one integer; "max" is Infinity; junk is EINVAL', (t) => {
  const file = path.join(tmpDir(t), 'memory.current');
  const cases: [string, number][] = [
    ['12345\n', 12345],
    ['0', 0],
    ['-3\n', -3],
    ['max\n', Infinity],
    ['9007199254740992\n', 2 ** 53],
    ['18446744073709551615\n', 2 ** 64], // u64 max: the nearest double
  ];
  fs.writeFileSync(file, '');
  const fd = native.openRead(file);
  try {
    for (const [text, want] of cases) {
      fs.writeFileSync(file, text);
      assert.equal(native.readInt(fd), want, JSON.stringify(text));
    }
    for (const junk of ['', 'abc\n', '12abc', 'maxi', '1 2', 'max 100000\n', '-', ' '.repeat(70) + '5']) {
      fs.writeFileSync(file, junk);
      assert.throws(() => native.readInt(fd), { code: 'EINVAL', syscall: 'read' }, JSON.stringify(junk));
    }
    fs.writeFileSync(file, '9'.repeat(30));
    assert.throws(() => native.readInt(fd), { code: 'ERANGE', syscall: 'read' });
  } finally {
    native.closeFd(fd);
  }
});

// --- mounts

test('mount a tmpfs, remount it read-only, unmount it', (t) => {
  const dir = tmpDir(t);
  const c = native.constants;
  try {
    native.mount('hutch-test', dir, 'tmpfs', c.MS_NOSUID | c.MS_NODEV | c.MS_NOEXEC, 'size=1m,mode=0700');
  } catch (e) {
    if ((e as SystemError).code === 'EPERM') return t.skip('mount needs CAP_SYS_ADMIN');
    throw e;
  }
  const mounted = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dir);
  try {
    const line = mounted();
    assert.ok(line, 'not in mountinfo');
    assert.match(line, /nosuid,nodev,noexec.* - tmpfs hutch-test /);
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    native.mount(null, dir, null, c.MS_REMOUNT | c.MS_RDONLY | c.MS_NOSUID | c.MS_NODEV | c.MS_NOEXEC, null);
    assert.throws(() => fs.writeFileSync(path.join(dir, 'g'), 'x'), { code: 'EROFS' });
    assert.equal(fs.readFileSync(path.join(dir, 'f'), 'utf8'), 'x');
    native.umount2(dir, 0);
    assert.equal(mounted(), undefined, 'still mounted');
    assert.throws(() => native.umount2(dir, 0), { code: 'EINVAL', syscall: 'umount2', path: dir });
  } finally {
    if (mounted()) native.umount2(dir, c.MNT_DETACH);
  }
});

test('mount constants match Linux, and FakeNative uses the same values', () => {
  assert.deepEqual({ ...native.constants }, { ...LINUX_MOUNT_CONSTANTS });
  assert.ok(Object.isFrozen(native.constants));
});

test('monitorPath points at the hutch-monitor next to the addon', () => {
  assert.ok(path.isAbsolute(native.monitorPath));
  assert.equal(path.basename(native.monitorPath), 'hutch-monitor');
  assert.equal(path.dirname(native.monitorPath), path.join(repoRoot, 'native', 'build', 'Release'));
});

// --- FakeNative

test('FakeNative records calls, simulates pidfds and files, and can be scripted', async () => {
  const f = new FakeNative();
  f.files.set('/cg/memory.current', '42\n');
  const fd = f.openRead('/cg/memory.current');
  assert.equal(f.readInt(fd), 42);
  f.files.set('/cg/memory.current', 'max\n');
  assert.equal(f.readInt(fd), Infinity);
  f.files.delete('/cg/memory.current');
  assert.deepEqual(f.readMany([fd]), [null]);
  assert.throws(() => f.openRead('/nope'), { code: 'ENOENT', errno: -2, syscall: 'open', path: '/nope' });

  const pfd = f.pidfdOpen(7);
  const wait = f.pidfdWait(pfd);
  assert.equal(await settledWithin(wait, 20), false);
  f.exit(7);
  assert.equal(await settledWithin(wait, 20), true);
  assert.throws(() => f.pidfdOpen(7), (e: unknown) => e instanceof SystemError && e.code === 'ESRCH');

  f.on('flock', () => false);
  assert.equal(f.flock(3, 'ex', true), false);
  assert.deepEqual(f.callsOf('flock'), [[3, 'ex', true]]);
  assert.deepEqual(
    f.calls.map((c) => c.name),
    ['openRead', 'readInt', 'readInt', 'readMany', 'openRead', 'pidfdOpen', 'pidfdWait', 'pidfdOpen', 'flock'],
  );
});

test('FakeNative networks: in-memory links and nftables elements, with the addon\'s errors', () => {
  const f = new FakeNative();
  assert.equal(f.linkExists('hutch0'), false);
  f.createBridge('hutch0', '10.88.0.1/16', 1500);
  assert.equal(f.linkExists('hutch0'), true);
  assert.deepEqual(f.links.get('hutch0'), { kind: 'bridge', address: '10.88.0.1/16', mtu: 1500 });
  assert.throws(() => f.createBridge('hutch0', '10.88.0.1/16'), { code: 'EEXIST', syscall: 'RTM_NEWLINK' });
  assert.throws(() => f.createBridge('hutch1', '10.88.0.1'), { code: 'EINVAL' });
  assert.throws(() => f.linkExists('x'.repeat(16)), { code: 'EINVAL' });
  f.links.set('hutchabc', { kind: 'veth' });
  assert.deepEqual(f.listLinks('hutch').sort(), ['hutch0', 'hutchabc']);
  f.deleteLink('hutchabc');
  assert.throws(() => f.deleteLink('hutchabc'), { code: 'ENODEV', errno: -19 });

  assert.equal(f.nftTableExists('hutch'), false);
  f.nftTables.set('hutch', {
    pub_any: new Map([['tcp . 8080', '10.88.0.5 . 80'], ['udp . 53', '10.88.0.9 . 53']]),
    pub_ip: new Map([['127.0.0.1 . tcp . 8081', '10.88.0.5 . 81']]),
  });
  assert.equal(f.nftTableExists('hutch'), true);
  f.nftDeletePorts('hutch', 'tcp:0.0.0.0:8080:80,udp:0.0.0.0:53:53,tcp:127.0.0.1:8081:81,tcp:0.0.0.0:1:1', '10.88.0.5');
  const t = f.nftTables.get('hutch')!;
  assert.deepEqual([...t.pub_any.keys()], ['udp . 53'], "another container's element stays");
  assert.equal(t.pub_ip.size, 0);
  f.nftDeletePorts('gone', 'tcp:0.0.0.0:8080:80', '10.88.0.5');
  assert.throws(() => f.nftDeletePorts('hutch', 'sctp:0.0.0.0:1:1', '10.88.0.5'), { code: 'EINVAL' });
  assert.deepEqual(f.callsOf('createBridge')[0], ['hutch0', '10.88.0.1/16', 1500]);
});
