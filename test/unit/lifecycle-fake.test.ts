// The container lifecycle (src/engine/container/*) without root: the real engine over
// FakeNative, the fake cgroup kernel and a scripted monitor (test/support/fake-monitor.ts)
// that writes what native/PROTOCOL.md says the monitor writes: the sync pipe's lines,
// exit.lock held while it lives, the exit file. Covers create, start, stop, kill, rm,
// and reconcile after a crash: a killed monitor, an exit file or a live monitor the
// record never heard of, a state.json that cannot be read.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokenRecord, CommandError, Conflict, SystemError } from '../../src/engine/errors.js';
import { openFakeHost } from '../support/fake-host.js';

const MiB = 1024 * 1024;
const { SIGTERM, SIGKILL, SIGHUP } = os.constants.signals;

async function fakeHost(t: TestContext) {
  const host = await openFakeHost();
  t.after(() => host.cleanup());
  const { monitors, root } = host;
  const signals = () => monitors.signals;
  const named = (name: string) => path.join(root, 'names', name);
  return { ...host, signals, named };
}

const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');

test('create writes the bundle and claims the name; no process, no cgroup', async (t) => {
  const { engine, native, cgroupOf, named } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'web', cmd: ['sleep', '1000'], memory: 64 * MiB });
  for (const f of ['config.json', 'state.json', 'hostname', 'hosts']) assert.ok(fs.existsSync(path.join(c.bundle, f)), f);
  assert.equal(JSON.parse(read(c.bundle, 'state.json')).status, 'created');
  assert.deepEqual(JSON.parse(read(c.bundle, 'config.json')).process.args, ['sleep', '1000']);
  assert.equal(fs.readlinkSync(named('web')), c.id);
  assert.equal(native.callsOf('spawnMonitor').length, 0);
  assert.ok(!fs.existsSync(cgroupOf(c.id)));
  await assert.rejects(engine.create({ image: 'host', name: 'web' }), Conflict);
  assert.equal((await engine.list({ all: true })).length, 1, 'the refused create left nothing');
});

test('start: the cgroup with its limits, the monitor with its arguments, a running record; stop: SIGTERM through a pidfd, the exit file, the cgroup kept', async (t) => {
  const { engine, native, monitors, cgroupOf, signals } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'web', cmd: ['sleep', '1000'], memory: 64 * MiB, cpus: 0.5, pidsLimit: 10 });
  const s = await engine.start(c.id);
  const m = monitors.of(c.bundle)!;
  assert.deepEqual([s.status, s.pid, s.monitorPid, s.exitCode, s.finishedAt], ['running', m.pid, m.monitorPid, null, '']);
  const cg = cgroupOf(c.id);
  assert.deepEqual(s.cgroupPaths, { unified: cg });
  assert.deepEqual([read(cg, 'memory.max'), read(cg, 'memory.swap.max'), read(cg, 'cpu.max'), read(cg, 'pids.max')], [String(64 * MiB), '0', '50000 100000', '10']);
  const [[monitorPath, argv]] = native.callsOf('spawnMonitor') as [[string, string[]]];
  assert.equal(monitorPath, native.monitorPath);
  assert.deepEqual(argv, [
    'hutch-monitor', 'run', '--bundle', c.bundle, '--id', c.id, '--log', c.logPath, '--exit-file', path.join(c.bundle, 'exit'),
    '--sync-fd', '3', '--cgroup', cg,
  ]);
  assert.equal(JSON.parse(read(c.bundle, 'state.json')).status, 'running');
  // top: the processes of its cgroup, read from /proc (the init is a real `sleep`).
  assert.deepEqual((await engine.top(c.id)).map((p) => [p.pid, p.cmd]), [[m.pid, 'sleep 1000']]);

  const stopped = await engine.stop('web', 5);
  assert.deepEqual(signals(), [[m.pid, SIGTERM]]);
  assert.deepEqual([stopped.status, stopped.exitCode, stopped.pid, stopped.monitorPid], ['exited', 143, 0, 0]);
  assert.equal(read(c.bundle, 'exit'), '143\n');
  assert.ok(!fs.existsSync(m.lockFile), 'the lock file became the exit file');
  assert.ok(fs.existsSync(cg), 'the cgroup stays (stats, OOM record) until the next start or rm');
  assert.deepEqual(await engine.top(c.id), []);

  // Started again: a new monitor, the old exit file gone, the cgroup made anew.
  const again = await engine.start('web');
  assert.equal(again.pid, monitors.of(c.bundle)!.pid);
  assert.notEqual(again.pid, m.pid);
  assert.ok(!fs.existsSync(path.join(c.bundle, 'exit')));
  assert.equal(read(cg, 'cgroup.procs'), `${again.pid}\n`);
});

test('kill: the signal reaches the init, a fatal one ends it (128+N); rm -f of a running container kills it and removes cgroup, bundle and name', async (t) => {
  const { engine, monitors, cgroupOf, signals, named } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'job', cmd: ['sleep', '1000'] });
  await engine.start(c.id);
  const m = monitors.of(c.bundle)!;
  await engine.kill('job', 'WINCH');
  assert.equal((await engine.inspect('job')).status, 'running');
  await engine.kill('job', 'HUP');
  assert.deepEqual(await engine.wait('job'), { exitCode: 128 + SIGHUP, oomKilled: false });
  assert.deepEqual(signals(), [[m.pid, os.constants.signals.SIGWINCH], [m.pid, SIGHUP]]);
  await assert.rejects(engine.kill('job'), Conflict);

  await engine.start('job');
  const m2 = monitors.of(c.bundle)!;
  await assert.rejects(engine.remove('job'), Conflict);
  assert.ok(m2.alive);
  await engine.remove('job', { force: true });
  assert.ok(!m2.alive);
  assert.deepEqual(signals().at(-1), [m2.pid, SIGKILL], 'rm -f does not wait for SIGTERM');
  for (const gone of [cgroupOf(c.id), c.bundle, named('job')]) assert.ok(!fs.existsSync(gone), gone);
  assert.deepEqual(await engine.list({ all: true }), []);
  await engine.create({ image: 'host', name: 'job' });
});

test('a command that cannot be run: CommandError, no cgroup left, still created; another setup failure is a SystemError', async (t) => {
  const { engine, monitors, cgroupOf } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'nope', cmd: ['/usr/bin/hutch-no-such-command'] });
  await assert.rejects(engine.start(c.id), (e: unknown) => e instanceof CommandError && e.exitCode === 127);
  assert.ok(!fs.existsSync(cgroupOf(c.id)));
  const after = await engine.inspect(c.id);
  assert.deepEqual([after.status, after.pid, after.exitCode], ['created', 0, null]);

  const d = await engine.create({ image: 'host', name: 'mnt', cmd: ['sleep', '1000'] });
  monitors.failNext = { step: 'mount', code: 'EPERM' };
  await assert.rejects(engine.start(d.id), (e: unknown) => e instanceof SystemError && e.code === 'EPERM' && e.syscall === 'mount' && e.exitCode === 125);
  assert.ok(!fs.existsSync(cgroupOf(d.id)));
  assert.equal((await engine.inspect(d.id)).status, 'created');
  assert.equal((await engine.start(d.id)).status, 'running', 'the next start runs');
});

test('wait follows the monitor: it resolves with the status once the container ends', async (t) => {
  const { engine, monitors } = await fakeHost(t);
  const c = await engine.create({ image: 'host', cmd: ['sleep', '1000'] });
  await engine.start(c.id);
  let done = false;
  const w = engine.wait(c.id).finally(() => (done = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(done, false);
  await monitors.of(c.bundle)!.exit(5);
  assert.deepEqual(await w, { exitCode: 5, oomKilled: false });
});

test('reconcile after a crash: a monitor killed without an exit file leaves the container exited 255, with its OOM record', async (t) => {
  const { engine, monitors, cgroupOf } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'crashy', cmd: ['sleep', '1000'], memory: 64 * MiB });
  await engine.start(c.id);
  fs.writeFileSync(path.join(cgroupOf(c.id), 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
  await monitors.of(c.bundle)!.crash();
  const r = await engine.inspect('crashy');
  assert.deepEqual([r.status, r.exitCode, r.pid, r.monitorPid, r.oomKilled], ['exited', 255, 0, 0, true]);
  assert.ok(!Number.isNaN(Date.parse(r.finishedAt)));
  assert.equal(JSON.parse(read(c.bundle, 'state.json')).exitCode, 255, 'saved');
  assert.deepEqual(await engine.list(), []);
});

test('reconcile: an exit file the record never heard of gives the status and the time it ended', async (t) => {
  const { engine, monitors } = await fakeHost(t);
  // Exited while no hutch ran: the record still says running.
  const a = await engine.create({ image: 'host', name: 'a', cmd: ['sleep', '1000'] });
  await engine.start(a.id);
  await monitors.of(a.bundle)!.exit(3);
  const ra = await engine.inspect('a');
  const mtime = fs.statSync(path.join(a.bundle, 'exit')).mtime.getTime();
  assert.deepEqual([ra.status, ra.exitCode], ['exited', 3]);
  assert.equal(Math.floor(Date.parse(ra.finishedAt)), mtime, 'the exit file time');
  // A hutch killed between launching the monitor and saving: the record says created.
  const b = await engine.create({ image: 'host', name: 'b', cmd: ['sleep', '1000'] });
  await monitors.behindTheEngine(b.bundle).exit(7);
  const rb = await engine.inspect('b');
  assert.deepEqual([rb.status, rb.exitCode, rb.startedAt], ['exited', 7, rb.finishedAt]);
});

test('reconcile adopts a live monitor the record does not know: running, and stop ends it', async (t) => {
  const { engine, native, monitors, signals } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'orphan', cmd: ['sleep', '1000'] });
  const m = monitors.behindTheEngine(c.bundle);
  const r = await engine.inspect('orphan');
  assert.deepEqual([r.status, r.pid, r.monitorPid, r.exitCode], ['running', m.pid, m.monitorPid, null]);
  assert.deepEqual((await engine.list()).map((x) => x.name), ['orphan']);
  // start finds it running: no second monitor.
  assert.equal((await engine.start('orphan')).pid, m.pid);
  assert.equal(native.callsOf('spawnMonitor').length, 0);
  const s = await engine.stop('orphan', 5);
  assert.deepEqual(signals(), [[m.pid, SIGTERM]]);
  assert.deepEqual([s.status, s.exitCode], ['exited', 143]);
});

test('reconcile waits for a monitor still setting its container up', async (t) => {
  const { engine, monitors } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'slow', cmd: ['sleep', '1000'] });
  const m = monitors.behindTheEngine(c.bundle, { settingUp: true });
  setTimeout(() => m.running(), 50);
  const r = await engine.inspect('slow');
  assert.deepEqual([r.status, r.pid], ['running', m.pid]);
});

test('a state.json that cannot be read: listed as unknown, refused by rm while its monitor lives, removed by rm -f with all it has', async (t) => {
  const { engine, monitors, cgroupOf, named } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'torn', cmd: ['sleep', '1000'] });
  await engine.start(c.id);
  const m = monitors.of(c.bundle)!;
  fs.writeFileSync(path.join(c.bundle, 'state.json'), '{"id": "');
  const [listed] = await engine.list();
  assert.deepEqual([listed.id, listed.name, listed.status, listed.pid, listed.monitorPid], [c.id, 'torn', 'unknown', m.pid, m.monitorPid]);
  assert.match(listed.problem ?? '', /^state\.json: /);
  await assert.rejects(engine.inspect('torn'), (e: unknown) => e instanceof BrokenRecord && e.exitCode === 125 && e.message.includes("'hutch rm -f"));
  await assert.rejects(engine.stop('torn'), BrokenRecord);
  await assert.rejects(engine.remove('torn'), Conflict);
  assert.ok(m.alive);
  await engine.remove('torn', { force: true });
  assert.ok(!m.alive);
  for (const gone of [cgroupOf(c.id), c.bundle, named('torn')]) assert.ok(!fs.existsSync(gone), gone);
  assert.deepEqual(await engine.list({ all: true }), []);
});

test('--rm: whoever lists an exited one removes it', async (t) => {
  const { engine, monitors, cgroupOf } = await fakeHost(t);
  const c = await engine.create({ image: 'host', name: 'tmp', cmd: ['sleep', '1000'], autoRemove: true });
  await engine.start(c.id);
  await monitors.of(c.bundle)!.exit(0);
  assert.deepEqual(await engine.list({ all: true }), []);
  assert.ok(!fs.existsSync(c.bundle));
  assert.ok(!fs.existsSync(cgroupOf(c.id)));
});
