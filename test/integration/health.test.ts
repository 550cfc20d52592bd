// Health checks run by the container's monitor (native/monitor/health.c, healthfile.c): docker's
// HEALTHCHECK rules, State.Health in inspect, "(healthy)" in ps, health_status events,
// `hutch healthcheck run`, the image's HEALTHCHECK and the flags over it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxRootfsTar, sandbox, type Sandbox } from './helpers.js';
import type { HealthState } from '../../src/engine/types.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

async function until(what: string, cond: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const health = async (name: string): Promise<HealthState | undefined> => (await sb.engine.inspect(name)).health;

test('starting (failures in the start period do not count) → unhealthy after --health-retries 2 → healthy; inspect, ps, the health filter and events follow', async () => {
  const t0 = Date.now();
  const r = sb.cli(['run', '-d', '--name', 'hc', '--network', 'none', '--health-cmd', 'echo probe; test -e /tmp/ok', '--health-interval', '150ms', '--health-retries', '2', '--health-start-period', '4s', '--health-start-interval', '100ms', 'host', 'sleep', '60']);
  assert.equal(r.status, 0, r.stderr);
  // Within the start period: probes every 100 ms fail, and it stays starting.
  await until('failed probes', async () => ((await health('hc'))?.Log.length ?? 0) >= 2);
  assert.equal(sb.cli(['inspect', '-f', '{{.State.Health.Status}} {{.State.Health.FailingStreak}}', 'hc']).stdout.trim(), 'starting 0');
  assert.match(sb.cli(['ps', '--format', '{{.Status}}', '--filter', 'name=hc']).stdout, /^Up .* \(health: starting\)\n$/);
  assert.ok(Date.now() - t0 < 4000, 'checked within the start period');
  // After it, two failures in a row make it unhealthy.
  await until('unhealthy', async () => (await health('hc'))?.Status === 'unhealthy');
  assert.ok(Date.now() - t0 >= 4000, 'not before the start period ended');
  const h = (await health('hc'))!;
  assert.ok(h.FailingStreak >= 2, JSON.stringify(h));
  assert.equal(h.Log.at(-1)!.ExitCode, 1);
  assert.equal(h.Log.at(-1)!.Output, 'probe\n');
  assert.equal(sb.cli(['ps', '-q', '--filter', 'health=unhealthy']).stdout.trim().length, 12);
  assert.equal(sb.cli(['exec', 'hc', 'touch', '/tmp/ok']).status, 0);
  await until('healthy', async () => (await health('hc'))?.Status === 'healthy');
  assert.equal((await health('hc'))!.FailingStreak, 0);
  assert.match(sb.cli(['ps', '--format', '{{.Status}}', '--filter', 'health=healthy']).stdout, /^Up .* \(healthy\)\n$/);
  assert.equal(sb.cli(['ps', '-q', '--filter', 'health=unhealthy']).stdout, '');
  // The last 5 results are kept, oldest first.
  await until('5 results', async () => (await health('hc'))!.Log.length === 5);
  const log = (await health('hc'))!.Log;
  for (let i = 1; i < log.length; i++) assert.ok(Date.parse(log[i].Start) >= Date.parse(log[i - 1].End), 'in order');
  const d = JSON.parse(sb.cli(['inspect', 'hc']).stdout)[0];
  assert.deepEqual(d.Config.Healthcheck, { Test: ['CMD-SHELL', 'echo probe; test -e /tmp/ok'], Interval: 150e6, StartPeriod: 4e9, StartInterval: 100e6, Retries: 2 });
  assert.equal(d.State.Health.Status, 'healthy');
  // The monitor wrote one health_status event per change, in docker's shape.
  const ev = sb.cli(['events', '--since', String(Math.floor(t0 / 1000) - 1), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'container=hc', '--format', '{{.Action}}']);
  const actions = ev.stdout.split('\n').filter((a) => a.startsWith('health_status'));
  assert.deepEqual(actions, ['health_status: unhealthy', 'health_status: healthy'], ev.stdout + ev.stderr);
  // docker's event=health_status matches every health_status: … action.
  const only = sb.cli(['events', '--since', String(Math.floor(t0 / 1000) - 1), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'event=health_status', '--format', '{{.Action}}']);
  assert.deepEqual(only.stdout.trim().split('\n'), ['health_status: unhealthy', 'health_status: healthy'], only.stdout + only.stderr);
  await sb.engine.remove('hc', { force: true });
});

test('a probe past its timeout is killed and recorded as -1; output is capped at 4096 bytes; it runs as the container user', async () => {
  const slow = await sb.engine.create({ image: 'host', name: 'slow', cmd: ['sleep', '60'], network: 'none', healthcheck: { Test: ['CMD', 'sleep', '30'], Interval: 100e6, Timeout: 300e6, Retries: 1 } });
  await sb.engine.start(slow.id);
  await until('a timed-out probe', async () => ((await health('slow'))?.Log.length ?? 0) >= 1);
  const h = (await health('slow'))!;
  assert.equal(h.Log[0].ExitCode, -1);
  assert.equal(h.Log[0].Output, 'Health check exceeded timeout (300ms)');
  const took = Date.parse(h.Log[0].End) - Date.parse(h.Log[0].Start);
  assert.ok(took >= 290 && took < 5000, `killed at the timeout: ${took} ms`);
  assert.equal(h.Status, 'unhealthy');
  await sb.engine.remove('slow', { force: true });

  const big = await sb.engine.create({ image: 'host', name: 'big', user: '1000', cmd: ['sleep', '60'], network: 'none', healthcheck: { Test: ['CMD-SHELL', 'id -u; head -c 10000 /dev/zero | tr "\\0" x'], Interval: 100e6 } });
  await sb.engine.start(big.id);
  await until('a probe', async () => ((await health('big'))?.Log.length ?? 0) >= 1);
  const out = (await health('big'))!.Log[0];
  assert.equal(out.ExitCode, 0);
  assert.equal(out.Output.length, 4096);
  assert.ok(out.Output.startsWith('1000\nxxx'), out.Output.slice(0, 20));
  await sb.engine.remove('big', { force: true });
});

test('the image\'s HEALTHCHECK runs; flags override it field by field; --no-healthcheck turns it off; a restart starts over', async () => {
  const ctxDir = fs.mkdtempSync(path.join(sb.root, 'ctx-'));
  await sb.engine.importImage(busyboxRootfsTar(), 'bb:hc');
  fs.writeFileSync(path.join(ctxDir, 'Dockerfile'), 'FROM bb:hc\nHEALTHCHECK --interval=100ms --retries=1 CMD test -e /tmp/nope\n');
  const c = sb.cli(['build', '-q', '-t', 'hc-image', ctxDir]);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(sb.cli(['run', '-d', '--name', 'fromimg', '--network', 'none', 'hc-image', 'sleep', '60']).status, 0);
  await until('unhealthy from the image\'s check', async () => (await health('fromimg'))?.Status === 'unhealthy');
  // --health-cmd replaces the test; the image's interval stays.
  assert.equal(sb.cli(['run', '-d', '--name', 'over', '--network', 'none', '--health-cmd', 'true', 'hc-image', 'sleep', '60']).status, 0);
  await until('healthy with the flag\'s test', async () => (await health('over'))?.Status === 'healthy');
  const d = JSON.parse(sb.cli(['inspect', 'over']).stdout)[0];
  assert.deepEqual(d.Config.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 100e6, Retries: 1 });
  assert.equal(sb.cli(['run', '-d', '--name', 'nocheck', '--network', 'none', '--no-healthcheck', 'hc-image', 'sleep', '60']).status, 0);
  await new Promise((r) => setTimeout(r, 400));
  const n = await sb.engine.inspect('nocheck');
  assert.equal(n.healthcheck, undefined);
  assert.equal(n.health, undefined);
  assert.equal(sb.cli(['inspect', '-f', '{{json .State.Health}}', 'nocheck']).stdout.trim(), 'null');
  assert.match(sb.cli(['ps', '--format', '{{.Status}}', '--filter', 'name=nocheck']).stdout, /^Up [^(]*\n$/);
  assert.equal(sb.cli(['ps', '-q', '--filter', 'health=none', '--filter', 'name=nocheck']).stdout.trim().length, 12);
  // stop + start: a new monitor, starting again.
  await sb.engine.stop('fromimg', 1);
  await sb.engine.start('fromimg');
  assert.equal((await health('fromimg'))?.Status, 'starting');
  for (const x of ['fromimg', 'over', 'nocheck']) await sb.engine.remove(x, { force: true });
  await sb.engine.removeImage('hc-image');
  await sb.engine.removeImage('bb:hc');
});

test('healthcheck run: a probe now, through the monitor; healthy exits 0 silently, else prints the status and exits 1', async () => {
  const c = await sb.engine.create({ image: 'host', name: 'manual', cmd: ['sleep', '60'], network: 'none', healthcheck: { Test: ['CMD-SHELL', 'test -e /tmp/ok'], Interval: 3600e9 } });
  await sb.engine.start(c.id);
  let r = sb.cli(['healthcheck', 'run', 'manual']);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, 'starting\n', 'one failure of 3 allowed: still starting');
  assert.equal((await health('manual'))!.Log.length, 1);
  sb.cli(['exec', 'manual', 'touch', '/tmp/ok']);
  r = sb.cli(['healthcheck', 'run', 'manual']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal((await health('manual'))!.Status, 'healthy');
  // No check, not running, no such container: one line, 125.
  await sb.engine.create({ image: 'host', name: 'plain', cmd: ['sleep', '60'], network: 'none' });
  for (const [name, msg] of [['plain', /has no defined healthcheck/], ['nosuch', /No such container/]] as const) {
    r = sb.cli(['healthcheck', 'run', name]);
    assert.equal(r.status, 125, r.stdout + r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  await sb.engine.stop('manual', 1);
  r = sb.cli(['healthcheck', 'run', 'manual']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /is not running/);
  for (const x of ['manual', 'plain']) await sb.engine.remove(x, { force: true });
});

test('a paused container is not probed (moby stops its checks too); unpaused, the probes go on', async () => {
  const c = await sb.engine.create({ image: 'host', name: 'frozen', cmd: ['sleep', '60'], network: 'none', healthcheck: { Test: ['CMD', 'true'], Interval: 100e6, Timeout: 300e6, Retries: 1 } });
  await sb.engine.start(c.id);
  // A probe started in a frozen cgroup would hang there and be killed at its 300 ms
  // timeout (exit -1, unhealthy): none is started.
  await until('probes', async () => ((await health('frozen'))?.Log.length ?? 0) >= 2);
  await sb.engine.pause('frozen');
  // One probe may have been under way as the freezer closed: it ends after the thaw.
  await new Promise((r) => setTimeout(r, 300));
  const last = (await health('frozen'))!.Log.at(-1)!.End;
  await new Promise((r) => setTimeout(r, 800));
  assert.equal((await health('frozen'))!.Log.at(-1)!.End, last, 'no probe while paused');
  await sb.engine.unpause('frozen');
  await until('probes again', async () => (await health('frozen'))!.Log.at(-1)!.End !== last);
  const h = (await health('frozen'))!;
  assert.equal(h.Status, 'healthy');
  assert.ok(h.Log.every((l) => l.ExitCode === 0), JSON.stringify(h.Log));
  await sb.engine.remove('frozen', { force: true });
});

test('bad health flags: one line, exit 125, nothing made', async () => {
  const cases: [string[], RegExp][] = [
    [['--health-interval', 'abc'], /invalid argument "abc" for "--health-interval" flag: time: invalid duration "abc"/],
    [['--health-timeout', '-1s'], /--health-timeout cannot be negative/],
    [['--health-retries', '-2'], /--health-retries cannot be negative/],
    [['--health-start-period', '10us'], /StartPeriod in Healthcheck cannot be less than 1ms/],
    [['--no-healthcheck', '--health-cmd', 'true'], /--no-healthcheck conflicts with --health-\* options/],
  ];
  for (const [flags, msg] of cases) {
    const r = sb.cli(['run', '--name', 'bad', ...flags, 'host', 'true']);
    assert.equal(r.status, 125, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal(sb.cli(['ps', '-aq', '--filter', 'name=bad']).stdout, '');
});
