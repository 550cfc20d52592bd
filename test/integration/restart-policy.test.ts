// Restart policies without a daemon: the container's monitor runs `hutch __on-exit`
// after each exit, which applies docker's rules and backoff and starts it again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers.js';
import { nextDelay, shouldRestart } from '../../src/engine/container/restart-policy.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

async function until(what: string, cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('docker\'s rules and backoff', () => {
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 3 }, 1, 2, false), true);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 3 }, 1, 3, false), false);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 0 }, 1, 99, false), true);
  assert.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 3 }, 0, 0, false), false);
  assert.equal(shouldRestart({ Name: 'always', MaximumRetryCount: 0 }, 0, 5, false), true);
  assert.equal(shouldRestart({ Name: 'always', MaximumRetryCount: 0 }, 0, 5, true), false);
  assert.equal(shouldRestart({ Name: 'no', MaximumRetryCount: 0 }, 1, 0, false), false);
  assert.deepEqual([nextDelay(undefined, 0), nextDelay(100, 50), nextDelay(200, 50), nextDelay(40_000, 50), nextDelay(800, 10_000)], [100, 200, 400, 60_000, 100]);
});

test('--restart on-failure:3 with exit 1: exactly 3 restarts with growing delays, then it stays exited; the CLI that started it can be gone', async () => {
  const t0 = Date.now();
  const r = sb.cli(['run', '-d', '--name', 'fails', '--restart', 'on-failure:3', '--network', 'none', 'host', 'sh', '-c', 'exit 1']);
  assert.equal(r.status, 0, r.stderr);
  // The run -d process has exited already: the monitor drives the restarts.
  await until('3 restarts', async () => ((await sb.engine.inspect('fails')).restartCount ?? 0) >= 3 && (await sb.engine.inspect('fails')).status === 'exited' && !(await sb.engine.inspect('fails')).restarting);
  const elapsed = Date.now() - t0;
  await new Promise((res) => setTimeout(res, 1500));
  const info = await sb.engine.inspect('fails');
  assert.equal(info.restartCount, 3, 'no fourth restart');
  assert.equal(info.exitCode, 1);
  assert.ok(elapsed >= 700, `delays 0.1 + 0.2 + 0.4 s at least: ${elapsed} ms`);
  const d = JSON.parse(sb.cli(['inspect', 'fails']).stdout)[0];
  assert.equal(d.RestartCount, 3);
  assert.deepEqual(d.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  await sb.engine.remove('fails', { force: true });
});

test('a run of 10 s resets the backoff: 100, 200, 400 ms, then 100 ms again after the long run', async () => {
  // Each run counts itself in a file of its own upper layer (kept across restarts);
  // the fourth runs 10.2 s and fails, the fifth succeeds (on-failure: the end).
  const script = 'n=$(cat /n 2>/dev/null || echo 0); echo $((n+1)) > /n; case $n in 3) sleep 10.2; exit 1;; 4) exit 0;; *) exit 1;; esac';
  const c = await sb.engine.create({ image: 'host', name: 'resets', cmd: ['sh', '-c', script], network: 'none', restartPolicy: { Name: 'on-failure', MaximumRetryCount: 0 } });
  await sb.engine.start(c.id);
  const delay = () => (JSON.parse(fs.readFileSync(path.join(c.bundle, 'state.json'), 'utf8')) as { restartDelayMs?: number }).restartDelayMs;
  await until('the long run', async () => ((await sb.engine.inspect('resets')).restartCount ?? 0) === 3 && (await sb.engine.inspect('resets')).status === 'running', 20_000);
  assert.equal(delay(), 400, 'doubled twice before the long run');
  // The fifth run ends it with status 0 (the only run that does).
  await until('the last run', async () => {
    const i = await sb.engine.inspect('resets');
    return i.status === 'exited' && i.exitCode === 0;
  }, 30_000);
  assert.equal(delay(), 100, 'back to 100 ms after 10 s up');
  assert.equal((await sb.engine.inspect('resets')).restartCount, 4);
  await sb.engine.remove('resets', { force: true });
});

test('--restart always: restarts a container that exits 0; stop cancels it, also during the backoff; start again re-arms it', async () => {
  const c = await sb.engine.create({ image: 'host', name: 'loop', cmd: ['sh', '-c', 'sleep 0.2'], network: 'none', restartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
  await sb.engine.start(c.id);
  await until('two restarts', async () => ((await sb.engine.inspect('loop')).restartCount ?? 0) >= 2);
  await sb.engine.stop('loop', 1).catch(() => {});
  const count = (await sb.engine.inspect('loop')).restartCount ?? 0;
  await new Promise((res) => setTimeout(res, 2500));
  const after = await sb.engine.inspect('loop');
  assert.equal(after.status, 'exited');
  assert.equal(after.restartCount, count, 'stopped stays stopped');
  await sb.engine.start('loop');
  await until('restarts again after a start', async () => ((await sb.engine.inspect('loop')).restartCount ?? 0) > count);
  await sb.engine.remove('loop', { force: true });
});

test('bad --restart values and --restart with --rm: one line, exit 125, nothing made', async () => {
  for (const [args, re] of [
    [['--restart', 'sometimes'], /invalid restart policy|restart policy/i],
    [['--restart', 'on-failure:x'], /maximum retry count|invalid/i],
    [['--restart', 'always', '--rm'], /Conflicting options: --restart and --rm/],
  ] as const) {
    const r = sb.cli(['run', '-d', ...args, 'host', 'true']);
    assert.equal(r.status, 125, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.deepEqual((await sb.engine.list({ all: true })).map((c) => `${c.name} ${c.status} ${c.restartCount ?? 0}`), []);
});

test('update --restart on a running container made without a policy applies to its current run; --restart no disarms one', async () => {
  const c = await sb.engine.create({ image: 'host', name: 'later', cmd: ['sh', '-c', 'sleep 2; exit 2'], network: 'none' });
  // The exit command is always named, armed by a marker file that only a policy makes.
  const bundle = path.join(sb.root, 'containers', c.id);
  const annotations = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')).annotations;
  assert.match(annotations['run.hutch.on-exit'], /\n__on-exit\n/);
  assert.equal(annotations['run.hutch.on-exit-if'], path.join(bundle, 'restart-policy'));
  assert.equal(fs.existsSync(path.join(bundle, 'restart-policy')), false);
  await sb.engine.start(c.id);
  const r = sb.cli(['update', '--restart', 'on-failure:1', 'later']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.existsSync(path.join(bundle, 'restart-policy')), true);
  assert.equal((await sb.engine.inspect('later')).status, 'running', 'updated while it ran');
  await until('one restart', async () => ((await sb.engine.inspect('later')).restartCount ?? 0) >= 1 && (await sb.engine.inspect('later')).status === 'exited' && !(await sb.engine.inspect('later')).restarting);
  await new Promise((res) => setTimeout(res, 800));
  assert.equal((await sb.engine.inspect('later')).restartCount, 1);
  await sb.engine.remove('later', { force: true });

  // The other way: a policy taken away while it runs ends the restarts at this exit.
  const d = await sb.engine.create({ image: 'host', name: 'disarmed', cmd: ['sh', '-c', 'sleep 1; exit 3'], network: 'none', restartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
  await sb.engine.start(d.id);
  assert.equal(sb.cli(['update', '--restart', 'no', 'disarmed']).status, 0);
  assert.equal(fs.existsSync(path.join(sb.root, 'containers', d.id, 'restart-policy')), false);
  await until('the exit', async () => (await sb.engine.inspect('disarmed')).status === 'exited');
  await new Promise((res) => setTimeout(res, 1500));
  const after = await sb.engine.inspect('disarmed');
  assert.equal(after.status, 'exited');
  assert.equal(after.restartCount ?? 0, 0);
  await sb.engine.remove('disarmed', { force: true });
});

/** state.json as it is on disk: read without reconciling (which would resume the restart itself). */
function rawRecord(id: string): { status: string; restarting?: boolean; restartCount?: number; restartDelayMs?: number; restartDueAt?: number; restartWaiter?: { pid: number; startTime: number } } {
  return JSON.parse(fs.readFileSync(path.join(sb.root, 'containers', id, 'state.json'), 'utf8'));
}

test('a pending restart survives SIGKILL of the process waiting out its backoff: the next hutch that looks (ps) resumes it', async () => {
  const r = sb.cli(['run', '-d', '--name', 'orphan', '--restart', 'always', '--network', 'none', 'host', 'sh', '-c', 'sleep 0.3; exit 1']);
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    // A backoff long enough to act in: 800 ms from the fourth exit on.
    await until('a restart waiting 800 ms', async () => {
      const rec = rawRecord(id);
      return rec.status === 'exited' && !!rec.restarting && !!rec.restartWaiter && (rec.restartDelayMs ?? 0) >= 800;
    });
    const waiting = rawRecord(id);
    const waiter = waiting.restartWaiter!;
    const cmdline = fs.readFileSync(`/proc/${waiter.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('__on-exit') && cmdline.includes(id), `the recorded waiter is the exit command: ${cmdline.join(' ')}`);
    process.kill(waiter.pid, 'SIGKILL');
    // Nobody waits now: past its due time, the restart has not happened by itself.
    await new Promise((res) => setTimeout(res, Math.max(0, waiting.restartDueAt! - Date.now()) + 1000));
    const lost = rawRecord(id);
    assert.equal(lost.status, 'exited');
    assert.equal(lost.restarting, true);
    assert.equal(lost.restartCount, waiting.restartCount);
    // Any hutch that reconciles it spawns a new waiter, which restarts it at once (it is due).
    const ps = sb.cli(['ps', '-a', '--format', '{{.Names}}']);
    assert.equal(ps.status, 0, ps.stderr);
    assert.match(ps.stdout, /^orphan$/m);
    await until('the restart', async () => (rawRecord(id).restartCount ?? 0) > (waiting.restartCount ?? 0));
    assert.notEqual(rawRecord(id).restartWaiter?.pid, waiter.pid);
  } finally {
    // Also after a failure: an `always` container left behind would be started by the next test.
    await sb.engine.remove(id, { force: true });
  }
});

test('start --all-restartable (the boot unit): always and unless-stopped ones that are not running, not one stopped by hand, not on-failure', async () => {
  const mk = async (name: string, policy: string) => {
    const c = await sb.engine.create({ image: 'host', name, cmd: ['sleep', '60'], network: 'none', restartPolicy: { Name: policy, MaximumRetryCount: 0 } });
    return c.id;
  };
  for (const [n, p] of [['boot-always', 'always'], ['boot-unless', 'unless-stopped'], ['boot-unless-stopped', 'unless-stopped'], ['boot-onfail', 'on-failure']] as const) await mk(n, p);
  await sb.engine.start('boot-unless-stopped');
  await sb.engine.stop('boot-unless-stopped', 1);
  const r = sb.cli(['start', '--all-restartable']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['boot-always', 'boot-unless']);
  for (const n of ['boot-always', 'boot-unless', 'boot-unless-stopped', 'boot-onfail']) await sb.engine.remove(n, { force: true });
});
