// What `ps` says is what is running, after SIGKILLs at the worst moments (issue 9 §5):
// - a `hutch run -d` or `hutch start` killed just after its monitor started leaves a
//   record that says `created`, pid 0: the live monitor (its lock on exit.lock) makes
//   it running again, `stop` stops it, and `start` neither starts a second monitor nor
//   reads the old monitor's exit as its own run's status — also when it comes while
//   that monitor is still setting the container up (exit.lock says "0 0");
// - a SIGKILLed monitor takes its container with it (PDEATHSIG on the init) and the
//   record says Exited (255); `start` works again afterwards.
//
// Processes are found independently of hutch: monitors by a /proc scan (exe is this
// repository's hutch-monitor, `--bundle` under this sandbox's root, `--id` the
// container's), the container's processes by its cgroups under this sandbox's parent.
// Only pids this test spawned, or read from its own containers, are ever signalled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { sandbox, cgroupParentDirs, HUTCH, REPO, type Sandbox } from './helpers.js';
import type { ContainerInfo } from '../../src/engine/index.js';

let sb: Sandbox;
const spawned: ChildProcess[] = [];
const MONITOR = fs.realpathSync(path.join(REPO, 'native', 'build', 'Release', 'hutch-monitor'));
const MONITOR_ST = fs.statSync(MONITOR);

before(async () => {
  sb = await sandbox();
});
after(async () => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sb?.cleanup();
});

const containersDir = () => path.join(sb.root, 'containers');
const bundle = (id: string) => path.join(containersDir(), id);

/** Live (not zombie) monitor processes of container `id` of this sandbox. */
function monitorsOf(id: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // The engine runs the monitor from a read-only bind of this file (sealed-monitor.ts): the same file.
      const exe = fs.statSync(`/proc/${e}/exe`);
      if (exe.dev !== MONITOR_ST.dev || exe.ino !== MONITOR_ST.ino) continue;
      const argv = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (argv[1] !== 'run') continue;
      const at = (flag: string) => argv[argv.indexOf(flag) + 1];
      if (at('--id') !== id || at('--bundle') !== bundle(id)) continue;
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      if (/^\S+ \(.*\) [ZX] /s.test(stat)) continue;
      out.push(Number(e));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

/** Pids in the container's cgroups (every hierarchy of this sandbox's parent). */
function cgroupPids(id: string): number[] {
  const pids = new Set<number>();
  for (const parent of cgroupParentDirs(sb.cgroupParent)) {
    const walk = (dir: string) => {
      let text: string;
      try {
        text = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
      } catch {
        return;
      }
      for (const l of text.split('\n')) if (l.trim()) pids.add(Number(l));
      for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) walk(path.join(dir, d.name));
    };
    walk(path.join(parent, id));
  }
  return [...pids].sort((a, b) => a - b);
}

function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX] /s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Spins (blocking this process, not the child) until cond or the deadline. */
function spinUntil(cond: () => boolean, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (!cond()) if (Date.now() > deadline) return false;
  return true;
}

function busyWait(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  while (process.hrtime.bigint() < end);
}

function hutch(args: string[]): { child: ChildProcess; done: Promise<void>; stderr(): string } {
  const child = spawn(process.execPath, [HUTCH, ...args], { env: sb.env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  spawned.push(child);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const done = new Promise<void>((r) => child.on('close', () => r()));
  return { child, done, stderr: () => err };
}

function cli(args: string[]) {
  const r = sb.cli(args);
  assert.equal(r.error, undefined, `hutch ${args.join(' ')}: ${r.error}`);
  return r;
}

/** What `inspect` says (the engine's, reading the records on disk as any hutch does). */
async function inspect(name: string): Promise<ContainerInfo> {
  return sb.engine.inspect(name);
}

/** The STATUS column of `hutch ps -a` for a name or a full id. */
function psStatus(container: string): string {
  const r = cli(['ps', '-a']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const header = lines[0];
  const row = lines
    .slice(1)
    .find((l) => l.trimEnd().split(/\s{2,}/).at(-1) === container || (container.length === 64 && l.startsWith(`${container.slice(0, 12)} `)));
  assert.ok(row, `no ${container} in ps -a:\n${r.stdout}`);
  return row.slice(header.indexOf('STATUS'), header.indexOf('NAMES')).trim();
}

/** A monitor's setup is over: it runs the container (exit.lock names it) or is gone. */
async function settled(id: string): Promise<number | null> {
  let mon: number | null = null;
  await until(`the monitor of ${id} to finish setting up`, () => {
    const ms = monitorsOf(id);
    if (ms.length === 0) {
      mon = null;
      return true;
    }
    if (ms.length > 1) return false; // the detaching parent, exiting
    let text = '';
    try {
      text = fs.readFileSync(path.join(bundle(id), 'exit.lock'), 'utf8');
    } catch {
      /* not there yet */
    }
    const m = /^(\d+) (\d+)\n/.exec(text);
    if (!m || Number(m[1]) === 0 || Number(m[2]) !== ms[0]) return false;
    mon = ms[0];
    return true;
  });
  return mon;
}

/** Checks a container a killed hutch left behind, then removes it. */
async function checkAndRemove(id: string): Promise<'live monitor' | 'no monitor' | 'no record'> {
  const mon = await settled(id);
  const procs = cgroupPids(id);
  // First a new hutch process, the first to read the record since the kill.
  if (mon !== null) assert.match(psStatus(id), /^Up /, `ps -a of a container whose monitor ${mon} lives`);
  const info = await inspect(id).catch((e: Error) => e);
  if (info instanceof Error) {
    // Killed inside create, before the record was written: nothing may run of it.
    assert.equal(mon, null, `a monitor without a record: ${info.message}`);
    assert.deepEqual(procs, []);
    return 'no record';
  }
  const detail = `${info.name}: status ${info.status}, monitor ${mon}, cgroup pids [${procs}]`;
  // Nothing of a container runs without its monitor (the init dies with it).
  if (mon === null) assert.deepEqual(procs, [], detail);
  // A container with a live process is never recorded as anything but running.
  if (procs.length > 0 || mon !== null) {
    assert.equal(info.status, 'running', detail);
    assert.match(psStatus(info.name), /^Up /, detail);
  }
  if (mon === null) {
    assert.notEqual(info.status, 'running', detail);
    // Without a monitor it is an ordinary stopped container: start works.
    if (info.status !== 'unknown') {
      const s = cli(['start', info.name]);
      assert.equal(s.status, 0, s.stderr);
      assert.match(psStatus(info.name), /^Up /);
      assert.equal(monitorsOf(id).length, 1);
    }
    await sb.engine.remove(id, { force: true });
    return 'no monitor';
  }

  // Running, found again from its monitor.
  assert.equal(info.monitorPid, mon, detail);
  assert.ok(info.pid > 0 && alive(info.pid), detail);
  assert.ok(procs.includes(info.pid), `the init ${info.pid} is in the container's cgroup: ${detail}`);
  // start: it is running already; no second monitor, the same one.
  const again = cli(['start', info.name]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(monitorsOf(id), [mon], 'start launched no second monitor');
  assert.equal((await inspect(id)).status, 'running');
  // stop finds it (sleep as pid 1 ignores SIGTERM: killed after 1 s).
  const stop = cli(['stop', '-t', '1', info.name]);
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(psStatus(info.name), /^Exited \(137\)/);
  assert.deepEqual(monitorsOf(id), []);
  assert.deepEqual(cgroupPids(id), []);
  // A new run is its own: not the old monitor's 137.
  const start = cli(['start', info.name]);
  assert.equal(start.status, 0, start.stderr);
  const now = await inspect(id);
  assert.equal(now.status, 'running');
  assert.equal(now.exitCode, null);
  assert.notEqual(now.monitorPid, mon);
  assert.deepEqual(monitorsOf(id), [now.monitorPid]);
  assert.ok(alive(now.pid));
  assert.match(psStatus(info.name), /^Up /);
  await sb.engine.remove(id, { force: true });
  assert.deepEqual(monitorsOf(id), []);
  return 'live monitor';
}

/** The container dir (a 64-hex id) not in `before` that satisfies `ready`. */
function newContainer(before: Set<string>, ready: (id: string) => boolean): string | null {
  let names: string[];
  try {
    names = fs.readdirSync(containersDir());
  } catch {
    return null;
  }
  for (const n of names) if (/^[0-9a-f]{64}$/.test(n) && !before.has(n) && ready(n)) return n;
  return null;
}

const existing = () => new Set(fs.existsSync(containersDir()) ? fs.readdirSync(containersDir()) : []);

test('run -d SIGKILLed just after its monitor started: a live monitor means running; stop stops it; start never adopts the old exit', async (t) => {
  const outcomes: string[] = [];
  for (let i = 0; i < 10; i++) {
    const before = existing();
    const h = hutch(['run', '-d', '--name', `k${i}`, 'host', 'sleep', '1000']);
    let trigger: string;
    if (i < 6) {
      // The moment the monitor holds exit.lock (before it reports the container's
      // pid), plus 0–2 ms.
      const seen = spinUntil(() => newContainer(before, (id) => fs.existsSync(path.join(bundle(id), 'exit.lock'))) !== null, 20_000);
      assert.ok(seen, 'exit.lock appeared');
      busyWait(i * 0.4);
      trigger = `exit.lock + ${(i * 0.4).toFixed(1)} ms`;
    } else {
      // 0–30 ms after the container's directory appeared (create, then start).
      const seen = spinUntil(() => newContainer(before, () => true) !== null, 20_000);
      assert.ok(seen, 'the container directory appeared');
      busyWait((i - 6) * 10);
      trigger = `bundle + ${(i - 6) * 10} ms`;
    }
    h.child.kill('SIGKILL');
    await h.done;
    const made = [...existing()].filter((n) => !before.has(n) && /^[0-9a-f]{64}$/.test(n));
    for (const id of made) outcomes.push(`${trigger}: ${await checkAndRemove(id)}`);
    // Whatever was killed half-way (a record not written yet…): nothing left running.
    for (const c of await sb.engine.list({ all: true })) await sb.engine.remove(c.id, { force: true });
  }
  t.diagnostic(outcomes.join('; '));
  assert.ok(
    outcomes.some((o) => o.endsWith('live monitor')),
    `no try left a live monitor behind a dead hutch: the case was not exercised\n${outcomes.join('\n')}`,
  );
});

test('a SIGKILLed monitor takes its container with it: Exited (255), and start works again', async () => {
  const r = cli(['run', '-d', '--name', 'mk', 'host', 'sh', '-c', 'sleep 1000 & sleep 1001 & wait']);
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  const info = await inspect('mk');
  assert.equal(info.status, 'running');
  assert.deepEqual(monitorsOf(id), [info.monitorPid]);
  await until('three processes in the container', () => cgroupPids(id).length === 3);
  const pids = cgroupPids(id);
  assert.ok(pids.includes(info.pid));

  process.kill(info.monitorPid, 'SIGKILL');
  await until('the container\'s processes to die with their monitor', () => cgroupPids(id).length === 0 && !alive(info.pid));
  assert.ok(pids.every((p) => !alive(p)));
  assert.match(psStatus('mk'), /^Exited \(255\)/);
  const dead = await inspect('mk');
  assert.equal(dead.status, 'exited');
  assert.equal(dead.exitCode, 255);
  assert.equal(dead.pid, 0);
  const stop = cli(['stop', 'mk']);
  assert.notEqual(stop.status, 0, 'stop: not running');

  const start = cli(['start', 'mk']);
  assert.equal(start.status, 0, start.stderr);
  const again = await inspect('mk');
  assert.equal(again.status, 'running');
  assert.ok(again.pid > 0 && alive(again.pid));
  assert.deepEqual(monitorsOf(id), [again.monitorPid]);
  assert.match(psStatus('mk'), /^Up /);
  await until('the new run\'s processes', () => cgroupPids(id).length === 3);
  const k = cli(['kill', 'mk']);
  assert.equal(k.status, 0, k.stderr);
  assert.equal(cli(['wait', 'mk']).stdout.trim(), '137');
  await sb.engine.remove(id, { force: true });
});

test('start SIGKILLed right after its monitor took exit.lock: ps says running; start again succeeds without a second monitor', async () => {
  for (let i = 0; i < 5; i++) {
    const c = await sb.engine.create({ image: 'host', name: `ks${i}`, cmd: ['sleep', '1000'] });
    const lock = path.join(bundle(c.id), 'exit.lock');
    const h = hutch(['start', c.id]);
    assert.ok(spinUntil(() => fs.existsSync(lock), 20_000), 'exit.lock appeared');
    busyWait(i * 0.5);
    h.child.kill('SIGKILL');
    await h.done;
    const mon = await settled(c.id);
    assert.ok(mon !== null, 'the monitor outlived the start that launched it');
    const info = await inspect(c.id);
    assert.equal(info.status, 'running');
    assert.equal(info.monitorPid, mon);
    assert.ok(info.pid > 0 && alive(info.pid));
    assert.match(psStatus(`ks${i}`), /^Up /);

    const again = cli(['start', `ks${i}`]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.trim(), `ks${i}`);
    assert.deepEqual(monitorsOf(c.id), [mon], 'only the first monitor');
    const after = await inspect(c.id);
    assert.equal(after.status, 'running');
    assert.equal(after.pid, info.pid);
    await sb.engine.remove(c.id, { force: true });
    assert.deepEqual(monitorsOf(c.id), []);
    assert.deepEqual(cgroupPids(c.id), []);
  }
});

function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

test('start while a killed start\'s monitor is still setting the container up: the container is not killed, nor its exit read as the new run\'s', async () => {
  // The window between the monitor taking exit.lock and the container running is a
  // few milliseconds; the monitor is held in it with SIGSTOP (a slow setup on a loaded
  // machine), its hutch start is SIGKILLed, and a second start comes.
  let caught = false;
  for (let i = 0; i < 10 && !caught; i++) {
    const name = `kw${i}`;
    const c = await sb.engine.create({ image: 'host', name, cmd: ['sleep', '1000'] });
    const lock = path.join(bundle(c.id), 'exit.lock');
    const h = hutch(['start', c.id]);
    let held = 0;
    try {
      assert.ok(spinUntil(() => fs.existsSync(lock), 20_000), 'exit.lock appeared');
      // The lock holder: the monitor's detached child (its first process, hutch's
      // child, exits at once).
      const mon = monitorsOf(c.id).find((p) => stat(p)?.ppid !== h.child.pid);
      assert.ok(mon, 'the monitor holding exit.lock');
      process.kill(mon, 'SIGSTOP');
      held = mon;
      await until('the monitor to stop', () => stat(mon)?.state === 'T');
      h.child.kill('SIGKILL');
      await h.done;
      if (!/^0 0 /.test(fs.readFileSync(lock, 'utf8'))) continue; // too late: the container ran already
      caught = true;

      // The second start. It may finish at once (the container is running, or being
      // started) or wait for the monitor to finish; the monitor resumes when it has
      // finished, or after 3 s at most.
      const second = hutch(['start', name]);
      let code: number | null = null;
      second.child.on('exit', (c) => (code = c));
      await until('the second start to end', () => code !== null, 3000).catch(() => {});
      process.kill(mon, 'SIGCONT');
      held = 0;
      await until('the second start to end', () => code !== null, 30_000);
      await second.done;

      // Nobody stopped it: it runs, with one monitor, and says so; the second start
      // said it succeeded.
      const live = await settled(c.id);
      const what = `second start: exit ${code} ${second.stderr().trim()}; then ps -a says ${psStatus(name)}, monitors [${monitorsOf(c.id)}]`;
      assert.ok(live !== null, `the container was killed by the second start (${what})`);
      assert.equal(code, 0, what);
      assert.deepEqual(monitorsOf(c.id), [live], 'one monitor');
      assert.match(psStatus(name), /^Up /);
      const info = await inspect(c.id);
      assert.equal(info.status, 'running');
      assert.equal(info.exitCode, null);
      assert.equal(info.monitorPid, live);
      assert.ok(alive(info.pid));
    } finally {
      if (held) process.kill(held, 'SIGCONT');
      await sb.engine.remove(c.id, { force: true });
    }
  }
  assert.ok(caught, 'the monitor was never caught before the container ran');
});

test('start at once after a start killed while its monitor sets up (no SIGSTOP): the run it reports is the one that runs', async (t) => {
  // The same window, met by speed: the engine in this process starts the container
  // again the instant the killed start's hutch is gone.
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const name = `kr${i}`;
    const c = await sb.engine.create({ image: 'host', name, cmd: ['sleep', '1000'] });
    const lock = path.join(bundle(c.id), 'exit.lock');
    const h = hutch(['start', c.id]);
    try {
      assert.ok(spinUntil(() => fs.existsSync(lock), 20_000), 'exit.lock appeared');
      h.child.kill('SIGKILL');
      await h.done;
      const settingUp = /^0 0 /.test(fs.readFileSync(lock, 'utf8'));
      const started = await sb.engine.start(c.id).then(
        (r) => `start: ${r.status} pid ${r.pid}`,
        (e: Error) => `start failed: ${e.message}`,
      );
      const live = await settled(c.id);
      const info = await inspect(c.id);
      const what = `${name} (${settingUp ? 'monitor setting up' : 'container running'} at the second start): ${started}; then ${info.status} (${info.exitCode}), monitors [${monitorsOf(c.id)}]`;
      seen.push(what);
      assert.ok(live !== null, `nobody stopped it, yet it is dead: ${what}`);
      assert.equal(info.status, 'running', what);
      assert.equal(info.monitorPid, live, what);
      assert.match(started, /^start: running/, what);
      assert.match(psStatus(name), /^Up /, what);
    } finally {
      await sb.engine.remove(c.id, { force: true });
    }
  }
  t.diagnostic(seen.join('\n'));
});
