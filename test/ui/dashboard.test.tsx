// The dashboard against a fake engine and a fake stats source: keys → engine
// calls, frames → the right rows, errors → the status line (never a crash).
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY, setup, waitFor } from './helpers.js';
import { UiFakeEngine, sample } from './fakes.js';
import { SHELL_ARGV, DEMO } from '../../src/ui/container-actions.js';
import { defaultConfig } from '../../src/ui/config.js';

function threeContainers(): UiFakeEngine {
  const e = new UiFakeEngine();
  e.add({ name: 'web' });
  e.add({ name: 'db', spec: { image: 'host', cpus: 1, memory: 256 * 1024 * 1024 } });
  e.add({ name: 'old', status: 'exited', exitCode: 3, finishedAt: '2024-01-01T00:00:00Z' });
  return e;
}

test('the table shows running containers with their stats; a shows the exited ones', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  const [web, db] = h.engine.containers;
  h.stats.emit([
    sample(web.id, { cpuPercent: 87.5, memUsage: 64 * 1024 * 1024, pids: 7 }),
    sample(db.id, { cpuPercent: 3.25, memUsage: 128 * 1024 * 1024, memLimit: 256 * 1024 * 1024, pids: 2 }),
  ]);
  await h.see(/web .*running.* 87\.5 .*64M/);
  await h.see(/db .*running.* 3\.3 .*128M\/256M +50\.0/);
  assert.doesNotMatch(h.frame(), /\bold\b/);
  assert.match(h.frame(), /NAME +STATE +CPU%▼ +CPU HISTORY +MEM +MEM% +PIDS +NET RX\/TX/);
  // The host's facts come a moment after the first frame (read once it is drawn).
  await h.see(/testhost · 4 cpu · cpu 12\.5% · mem 2G\/8G/);
  await h.press('a');
  await h.see(/old .*exited 3/);
  await h.see('showing exited containers');
});

test('j/k move the cursor and x stops the selected container', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  // Sorted by state then name: db, web.
  await h.see(/› +db/);
  await h.press('j');
  await h.see(/› +web/);
  await h.press('x', 'y');
  await waitFor(() => h.engine.callsOf('stop').length === 1, 'stop');
  assert.deepEqual(h.engine.callsOf('stop')[0], [h.engine.containers[0].id, 10]);
  await h.see('stopped web');
  await h.press('a');
  await h.see(/web .*exited 143/);
  await h.press('k', KEY.up);
  await h.see(/› +db/);
});

test('an action that fails shows its error in the status line and the UI keeps working', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  h.engine.failures.set('stop', new Error('permission denied\nsecond line'));
  await h.press('x', 'y');
  await h.see('stop db: permission denied second line');
  await h.press('j', 'r', 'y');
  await waitFor(() => h.engine.callsOf('restart').length === 1, 'restart');
  await h.see('restarted web');
});

test('a failing list shows the error instead of rows', async (t) => {
  const engine = new UiFakeEngine();
  engine.failures.set('list', new Error('cannot read /var/lib/hutch: EACCES'));
  const h = await setup({ engine });
  t.after(h.done);
  await h.see('cannot list containers: cannot read /var/lib/hutch: EACCES');
});

test('space marks rows and actions apply to every marked container', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press(' ', ' ');
  await h.see(/ ●db/);
  await h.see(/›●web/);
  await h.see('2 marked');
  await h.press('K');
  await h.see(/Kill \(SIGKILL\) 2 containers \((db, web|web, db)\)\? y\/N/);
  await h.press('y');
  await waitFor(() => h.engine.callsOf('kill').length === 2, 'two kills');
  const killed = h.engine.callsOf('kill').map((a) => a[0]).sort();
  assert.deepEqual(killed, [h.engine.containers[0].id, h.engine.containers[1].id].sort());
  await h.see(/killed (db, web|web, db)/);
});

test('d asks first; n cancels, y removes with force', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press('d');
  await h.see('Delete db, stopping it? y/N');
  await h.press('n');
  await h.see('cancelled');
  assert.equal(h.engine.callsOf('remove').length, 0);
  await h.press('d', 'y');
  await waitFor(() => h.engine.callsOf('remove').length === 1, 'remove');
  assert.deepEqual(h.engine.callsOf('remove')[0][1], { force: true });
  await h.see('removed db');
  await h.notSee(/ db /);
});

test('/ filters as you type; Esc clears', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press('/', 'w', 'e');
  await h.see('filter: /we');
  await h.notSee(/ db /);
  await h.see(/› +web/);
  await h.press(KEY.enter);
  await h.see('filter "we"');
  await h.press(KEY.escape);
  await h.see(/ db /);
});

test('< > and the column numbers change the sort', async (t) => {
  const e = threeContainers();
  const h = await setup({ engine: e });
  t.after(h.done);
  const [web, db] = e.containers;
  h.stats.emit([sample(web.id, { cpuPercent: 90 }), sample(db.id, { cpuPercent: 10 })]);
  // By CPU, busiest first, by default.
  await h.see('CPU%▼');
  await h.see(/› +web/);
  let rows = h.lines().filter((l) => /running \d/.test(l));
  assert.match(rows[0], /web/);
  await h.press('4'); // the 4th column: CPU% in the config's order, CPU HISTORY of the columns shown; both sort by CPU
  await h.see('CPU%▲');
  rows = h.lines().filter((l) => /running \d/.test(l));
  assert.match(rows[0], /db/);
  await h.press('4');
  await h.see('CPU%▼');
  await h.press('<');
  await h.see('STATE▲');
  await h.press('>', '>');
  await h.see('MEM▼');
});

test('e hands the terminal to a shell in the container and comes back', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press('e');
  await waitFor(() => h.engine.callsOf('exec').length === 1, 'exec');
  const [id, argv, opts] = h.engine.callsOf('exec')[0];
  assert.equal(id, h.engine.containers[1].id);
  assert.deepEqual(argv, SHELL_ARGV);
  const { signals, ...rest } = opts as { signals?: { subscribe: unknown } };
  assert.deepEqual(rest, { tty: true, interactive: true });
  assert.equal(typeof signals?.subscribe, 'function', 'SIGINT/SIGWINCH relayed to the shell');
  assert.match(h.handoffs[0], /shell in db \(/);
  await h.see('shell in db exited');
  // Same view afterwards, keys still work.
  await h.press('j');
  await h.see(/› +web/);
});

test('e on a stopped container explains instead of handing off', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press('a', 'G', 'e');
  await h.see('old is not running (s starts it)');
  assert.equal(h.handoffs.length, 0);
});

test('Enter opens the detail view: charts with limits, config, processes', async (t) => {
  const h = await setup({
    engine: threeContainers(),
    procs: [
      { pid: 4242, ppid: 1, state: 'S', rss: 1536 * 1024, cpuSeconds: 75.3, cmd: 'sleep infinity' },
      { pid: 4243, ppid: 4242, state: 'R', rss: 2 * 1024 * 1024, cpuSeconds: 1, cmd: 'sh -c busy' },
    ],
  });
  t.after(h.done);
  const db = h.engine.containers[1];
  for (const cpu of [10, 50, 90, 100]) h.stats.emit([sample(db.id, { cpuPercent: cpu, memUsage: cpu * 1024 * 1024, memLimit: 256 * 1024 * 1024 })]);
  await h.press(KEY.enter);
  await h.see('CPU 100%  limit 1 cpu');
  await h.see('MEM 100M / 256M (39.1%)');
  await h.see(/100%┤/);
  await h.see(/256M┤/);
  await h.see(/[⠁-⣿]/);
  await h.see('Processes (2)');
  await h.see(/4242 S +- +1\.5M +1:15 sleep infinity/); // CPU % from the second read on (detail.test.tsx)
  await h.see(/limits +cpu 1 +mem 256M +pids unlimited/);
  await h.see('mounts   /usr (ro)');
  await h.see('Esc back');
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
});

test('l shows the logs: stderr marked, search with n/N, Esc stops streaming', async (t) => {
  const e = threeContainers();
  const db = e.containers[1];
  e.logLines.set(db.id, [
    { time: '2024-01-01T00:00:01Z', stream: 'stdout', full: true, text: 'starting up' },
    { time: '2024-01-01T00:00:02Z', stream: 'stderr', full: true, text: 'error: disk full' },
    { time: '2024-01-01T00:00:03Z', stream: 'stdout', full: true, text: 'retrying' },
    { time: '2024-01-01T00:00:04Z', stream: 'stderr', full: true, text: 'error: still full' },
  ]);
  const h = await setup({ engine: e });
  t.after(h.done);
  await h.press('l');
  await h.see('logs of db · following');
  await h.see(/ {2}starting up/);
  await h.see(/E error: disk full/);
  const opts = h.engine.callsOf('logs')[0][1] as { follow: boolean; signal: AbortSignal };
  assert.equal(opts.follow, true);
  await h.press('/', 'e', 'r', 'r', KEY.enter);
  await h.see('search "err"');
  await h.notSee('following'); // all 4 lines fit: no position (detail.test.tsx has a long list)
  assert.equal(h.controller.store.get().logs?.match, 3);
  await h.press('N');
  await waitFor(() => h.controller.store.get().logs?.match === 1, 'previous match');
  await h.press('N');
  await h.see('no earlier match for "err"');
  await h.press('f');
  await h.see('following');
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
  assert.equal(opts.signal.aborted, true);
});

test('L merges the logs of all shown containers in time order, each line with its name', async (t) => {
  const e = threeContainers();
  const [web, db] = e.containers;
  e.logLines.set(web.id, [
    { time: '2024-01-01T00:00:01Z', stream: 'stdout', full: true, text: 'web one' },
    { time: '2024-01-01T00:00:03Z', stream: 'stdout', full: true, text: 'web three' },
  ]);
  e.logLines.set(db.id, [{ time: '2024-01-01T00:00:02Z', stream: 'stdout', full: true, text: 'db two' }]);
  const h = await setup({ engine: e });
  t.after(h.done);
  await h.press('L');
  await h.see('merged logs of 2 containers');
  await h.see('web three');
  const body = h.lines().filter((l) => /one|two|three/.test(l));
  assert.deepEqual(
    body.map((l) => l.trim().replace(/\s+/g, ' ')),
    ['web web one', 'db db two', 'web web three'],
  );
});

test('i lists images; d deletes one after confirming; an engine refusal is an error, not a crash', async (t) => {
  const engine = threeContainers();
  engine.imageList.push({ name: 'busybox', id: 'sha256:' + 'cd'.repeat(32), created: '2024-01-01T00:00:00Z', size: 2 << 20, kind: 'rootfs' });
  engine.failures.set('removeImage', new Error('the built-in host image cannot be removed'));
  const h = await setup({ engine });
  t.after(h.done);
  await h.press('i');
  await h.see(/› host +abababababab/);
  await h.press('d');
  await h.see('Delete image host (used by 3 containers: web, db, old)? y/N');
  await h.press('y');
  await h.see('the built-in host image cannot be removed');
  await h.press(KEY.down);
  await h.see(/› busybox/);
  await h.press('d');
  await h.see('Delete image busybox? y/N');
  await h.press('y');
  await waitFor(() => engine.callsOf('removeImage').length === 2, 'second removeImage');
  assert.deepEqual(engine.callsOf('removeImage')[1][0], 'busybox');
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
});

test('? shows the bindings in force, including ones from the config file', async (t) => {
  const config = defaultConfig();
  config.keys.stop = ['X', 'ctrl+s'];
  const h = await setup({ engine: threeContainers(), config, size: { columns: 100, rows: 60 } });
  t.after(h.done);
  await h.see(/X stop/);
  await h.press('?');
  await h.see(/X \^S +Stop \(SIGTERM/);
  await h.see(/\? +Show or hide this help/);
  await h.press('?');
  await h.press('x');
  await h.press('X', 'y');
  await waitFor(() => h.engine.callsOf('stop').length === 1, 'stop via the rebound key');
});

test('n opens the form; bad input stays in the form; a good one creates and starts', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press('n');
  await h.see('New container');
  await h.press(KEY.tab, ...'job', KEY.tab, ...'sleep 100', KEY.tab, ...'lots', KEY.enter);
  await h.see('memory: "lots" is not a size (e.g. 256m, 1g)');
  await h.press(KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, ...'64m', KEY.tab, ...'0.5', KEY.enter);
  await waitFor(() => h.engine.callsOf('start').length === 1, 'start');
  assert.deepEqual(h.engine.callsOf('create')[0][0], { image: 'host', name: 'job', cmd: ['sleep', '100'], memory: 64 * 1024 * 1024, cpus: 0.5 });
  await h.see('started job');
  await h.see(/› +job/);
});

test('the form runs a non-detached container through the hand-off', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  // Name, then past command, memory, CPUs, network, ports and volumes to detach.
  await h.press('n', KEY.tab, ...'fg', KEY.tab, KEY.tab, KEY.tab, KEY.tab, KEY.tab, KEY.tab, KEY.tab, ' ', KEY.enter);
  await waitFor(() => h.engine.callsOf('wait').length === 1, 'wait');
  assert.deepEqual(h.engine.callsOf('create')[0][0], { image: 'host', name: 'fg', tty: true, interactive: true });
  const { signals, ...startOpts } = h.engine.callsOf('start')[0][1] as { signals?: { subscribe: unknown } };
  assert.deepEqual(startOpts, { attach: true });
  assert.equal(typeof signals?.subscribe, 'function', 'SIGINT/SIGWINCH relayed to the container');
  assert.match(h.handoffs[0], /running fg/);
  await h.see('fg exited with status 0');
});

test('the empty state says what to press; D starts the demo set on the host image', async (t) => {
  const h = await setup();
  t.after(h.done);
  await h.see('No containers yet.');
  await h.see(/D +start the demo/);
  await h.press('D');
  await waitFor(() => h.engine.callsOf('start').length === 3, 'three starts');
  const specs = h.engine.callsOf('create').map((a) => a[0]);
  assert.deepEqual(specs, DEMO);
  assert.ok(specs.every((s) => (s as { image: string }).image === 'host'));
  await h.see('demo: started demo-cpu, demo-mem, demo-idle');
  await h.see(/demo-cpu .*running/);
  // Again: nothing to do.
  await h.press('D');
  await h.see('the demo containers are already running');
});

test('t cycles the theme; q and Ctrl+C quit', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press('t');
  await h.see('theme: light');
  await h.press('t');
  await h.see('theme: high-contrast');
  await h.press('q');
  await waitFor(() => h.quits() === 1, 'quit');
  await h.press(KEY.ctrlC);
  await waitFor(() => h.quits() === 2, 'quit on Ctrl+C');
});

test('80×24: the frame is 23 lines and the columns collapse by priority', async (t) => {
  const h = await setup({ engine: threeContainers(), size: { columns: 80, rows: 24 } });
  t.after(h.done);
  await h.see(/NAME +STATE +CPU%▼ +CPU HISTORY +MEM +MEM% +PIDS\n/);
  assert.doesNotMatch(h.frame(), /IMAGE|NET RX\/TX/);
  assert.equal(h.lines().length, 23);
  assert.ok(h.lines().every((l) => Array.from(l).length <= 80), 'no line wider than 80');
  await h.see(/\? help/);
});

test('a terminal that is too small says so instead of drawing garbage', async (t) => {
  const h = await setup({ engine: threeContainers(), size: { columns: 30, rows: 5 } });
  t.after(h.done);
  await h.see('hutch needs at least 40×8');
});

test('keys that arrive together (a paste, fast typing) each count', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press('/web');
  await h.see('filter: /web');
  await h.press(KEY.enter, 'jx', 'y');
  await waitFor(() => h.engine.callsOf('stop').length === 1, 'stop');
  assert.equal(h.engine.callsOf('stop')[0][0], h.engine.containers[0].id);
});

test('80×24 detail view: both charts, config and processes fit in 23 lines', async (t) => {
  const h = await setup({
    engine: threeContainers(),
    size: { columns: 80, rows: 24 },
    procs: [{ pid: 7, ppid: 1, state: 'S', rss: 4096, cpuSeconds: 0, cmd: 'sleep infinity' }],
  });
  t.after(h.done);
  const db = h.engine.containers[1];
  for (let i = 0; i < 80; i++) h.stats.emit([sample(db.id, { cpuPercent: (i * 7) % 100, memUsage: i * 1024 * 1024, memLimit: 256 * 1024 * 1024 })]);
  await h.press(KEY.enter);
  await h.see('Processes (1)');
  if (process.env.SHOW_FRAME) console.log(h.frame());
  const lines = h.lines();
  assert.equal(lines.length, 23);
  assert.ok(lines.every((l) => Array.from(l).length <= 80), 'no line wider than 80');
  assert.match(lines[2], /^CPU \d+.*MEM /);
  assert.match(h.frame(), /limit 1 cpu/);
  assert.match(lines[22], /^Esc back/);
});

test('other engines\' containers: a group after hutch\'s own, with the engine as a badge; read-only (a status line, no call)', async (t) => {
  const e = threeContainers();
  const f = e.add({ name: 'ctr-nginx', image: '', engine: 'runc' });
  e.containers.splice(e.containers.indexOf(f), 1);
  e.foreign.push(f);
  const h = await setup({ engine: e });
  t.after(h.done);
  await h.see(/runc ctr-nginx/);
  const lines = h.frame().split('\n');
  const row = (re: RegExp) => lines.findIndex((l) => re.test(l));
  assert.ok(row(/runc ctr-nginx/) > row(/ db /) && row(/runc ctr-nginx/) > row(/ web /), 'after hutch\'s own');
  for (let i = 0; i < 5 && !/› .*runc ctr-nginx/.test(h.frame()); i++) await h.press('j');
  await h.see(/› .*runc ctr-nginx/);
  await h.press('e');
  await h.see(/ctr-nginx is runc's container: read-only in hutch/);
  assert.equal(e.callsOf('exec').length, 0);
  // x: runc's own command, shown; n does nothing, y runs it (never hutch's stop).
  await h.press('x');
  await h.see(`ctr-nginx is runc's container. Run \`runc --root /run/runc kill ${f.id.slice(0, 20)}`);
  await h.press('n');
  assert.equal(e.callsOf('actOnForeign').length, 0);
  await h.press('x');
  await h.see(/Run `runc --root/);
  await h.press('y');
  await h.see(/runc: stop ctr-nginx/);
  assert.deepEqual(e.callsOf('actOnForeign'), [[f.id, 'stop']]);
  assert.equal(e.callsOf('stop').length, 0);

});

test('HEALTH: a column only while some container has a check; healthy, unhealthy, starting and - for none', async (t) => {
  const plain = await setup({ engine: threeContainers() });
  await plain.see(/db .*running/);
  assert.doesNotMatch(plain.frame(), /HEALTH/);
  await plain.done();
  const e = threeContainers();
  const hc = { Test: ['CMD', 'true'], Interval: 1, Timeout: 1, StartPeriod: 0, StartInterval: 1, Retries: 3 };
  e.add({ name: 'good', status: 'running', startedAt: new Date().toISOString(), healthcheck: hc, health: { Status: 'healthy', FailingStreak: 0, Log: [] } });
  e.add({ name: 'sick', status: 'running', startedAt: new Date().toISOString(), healthcheck: hc, health: { Status: 'unhealthy', FailingStreak: 3, Log: [] } });
  e.add({ name: 'young', status: 'running', startedAt: new Date().toISOString(), healthcheck: hc });
  const h = await setup({ engine: e });
  t.after(h.done);
  await h.see(/HEALTH/);
  await h.see(/good +.*running.* healthy /);
  await h.see(/sick +.*running.* unhealthy /);
  await h.see(/young +.*running.* starting /);
  assert.match(h.frame(), /db +.*running[^│\n]* - /);
});

test('p pauses the selected container (its row says paused), p again unpauses it; restarts and a restarting state show in STATE', async (t) => {
  const e = threeContainers();
  e.add({ name: 'flappy', status: 'exited', exitCode: 1, finishedAt: new Date().toISOString(), restarting: true, restartCount: 2 });
  const h = await setup({ engine: e });
  t.after(h.done);
  await h.see(/db .*running/);
  await h.press('p');
  await h.see(/db .*paused/);
  await h.see('paused/unpaused db');
  await h.press('p');
  await h.see(/db .*running/);
  assert.deepEqual(e.callsOf('pause').length, 1);
  assert.deepEqual(e.callsOf('unpause').length, 1);
  await h.press('a');
  await h.see(/flappy +restarting 1/);
});
