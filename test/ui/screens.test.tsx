// Screens and terminals (issue 11): the footer keeps help and quit, the too-small
// message fits, status messages stay in their view, natural and CPU-first
// sorting, stop/kill/restart ask first.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY, setup, waitFor } from './helpers.js';
import { UiFakeEngine, sample } from './fakes.js';
import { defaultConfig, parseConfig } from '../../src/ui/config.js';
import { defaultBindings, FOOTER, type ViewName } from '../../src/ui/keys.js';
import { makePainter } from '../../src/ui/paint.js';
import { loadTheme } from '../../src/ui/theme.js';
import { footerLine } from '../../src/ui/views/chrome.js';
import { tooSmallLines } from '../../src/ui/screen.js';
import { naturalCompare, visibleContainers } from '../../src/ui/state.js';
import type { ContainerInfo } from '../../src/engine/types.js';

function threeContainers(): UiFakeEngine {
  const e = new UiFakeEngine();
  e.add({ name: 'web' });
  e.add({ name: 'db', spec: { image: 'host', cpus: 1, memory: 256 * 1024 * 1024 } });
  e.add({ name: 'old', status: 'exited', exitCode: 3, finishedAt: '2024-01-01T00:00:00Z' });
  return e;
}

test('the footer keeps "? help" and "q quit" at every width; "…" says keys were left out', () => {
  const p = makePainter(loadTheme('dark'), false);
  const b = defaultBindings();
  for (const view of Object.keys(FOOTER) as ViewName[]) {
    for (let w = 40; w <= 240; w++) {
      const line = footerLine(view, b, p, w);
      assert.ok(Array.from(line).length <= w, `${view} at ${w}: ${line}`);
      if (FOOTER[view].includes('help')) assert.match(line, /\? help/, `${view} at ${w}`);
      assert.match(line, /q quit$/, `${view} at ${w}`);
    }
  }
  const at100 = footerLine('containers', b, p, 100);
  assert.match(at100, /^\? help {2}Enter detail .* … {2}i images {2}w networks {2}v volumes {2}q quit$/);
  // From 80 columns the other views are on the footer; narrower, the view's own keys come first.
  assert.equal(footerLine('containers', b, p, 80), '? help  Enter detail  l logs  …  i images  w networks  v volumes  q quit');
  assert.match(footerLine('containers', b, p, 79), /^\? help {2}Enter detail {2}l logs .* … {2}q quit$/);
  const wide = footerLine('containers', b, p, 240);
  assert.doesNotMatch(wide, /…/);
  assert.match(wide, /\/ filter {2}a all {2}> sort {2}n new {2}i images {2}w networks {2}v volumes {2}L all logs {2}t theme {2}q quit$/);
});

test('the footer at 100 columns in the dashboard: help, quit and the more-sign', async (t) => {
  const h = await setup({ engine: threeContainers(), size: { columns: 100, rows: 30 } });
  t.after(h.done);
  await h.see(/\? help .*… {2}i images {2}w networks {2}v volumes {2}q quit/);
});

test('the too-small message fits the screen it is on', async (t) => {
  for (const [columns, rows] of [[30, 8], [39, 24], [12, 8], [80, 4], [20, 3], [5, 2]]) {
    const lines = tooSmallLines({ columns, rows });
    assert.ok(lines.length >= 1 && lines.length <= Math.max(1, rows - 1), `${columns}×${rows}: ${lines.length} lines`);
    assert.ok(lines.every((l) => Array.from(l).length <= columns), `${columns}×${rows}: ${JSON.stringify(lines)}`);
    assert.match(lines.join(' '), /40×8/);
  }
  assert.deepEqual(tooSmallLines({ columns: 30, rows: 8 }), ['hutch needs at least 40×8', '(now 30×8)']);
  const h = await setup({ engine: threeContainers(), size: { columns: 30, rows: 8 } });
  t.after(h.done);
  await h.see('(now 30×8)');
  assert.ok(h.lines().every((l) => Array.from(l).length <= 30));
});

test('a status message stays in the view it was made in', async (t) => {
  const e = threeContainers();
  const db = e.containers[1];
  e.logLines.set(db.id, [
    { time: '2024-01-01T00:00:01Z', stream: 'stdout', full: true, text: 'starting up' },
    { time: '2024-01-01T00:00:02Z', stream: 'stderr', full: true, text: 'error: disk full' },
  ]);
  const h = await setup({ engine: e });
  t.after(h.done);
  await h.press('l');
  await h.see('logs of db');
  // The lines are read after the view opens: searching before they are there finds nothing.
  await h.see('error: disk full');
  await h.press('/', 'e', 'r', 'r', KEY.enter);
  await h.see('search "err"');
  await h.press('n');
  await h.see('no later match for "err"');
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
  await h.see('2 shown');
  assert.doesNotMatch(h.frame(), /no later match/);
  await h.press('i');
  await h.see('REPOSITORY');
  assert.doesNotMatch(h.frame(), /no later match/);
  // One made in the table is there again after the help screen.
  // Esc alone first: Ink holds a lone Esc briefly, and an `a` right behind it on a
  // loaded machine would arrive as one Meta-a.
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
  await h.press('a');
  await h.see('showing exited containers');
  await h.press('?');
  await h.see('Keys');
  assert.doesNotMatch(h.frame(), /showing exited/);
  await h.press('?');
  await h.see('showing exited containers');
});

test('names sort naturally: tx-2 before tx-10', () => {
  const names = ['tx-10', 'tx-2', 'tx-1', 'alpha', 'tx-20'];
  const containers = names.map((name, i) => ({ id: String(i).repeat(12), name, status: 'running', image: 'host', created: '' }) as unknown as ContainerInfo);
  const rows = visibleContainers({ containers, samples: new Map(), sort: { key: 'name', desc: false }, filter: '', showAll: true });
  assert.deepEqual(rows.map((c) => c.name), ['alpha', 'tx-1', 'tx-2', 'tx-10', 'tx-20']);
  assert.ok(naturalCompare('tx-2', 'tx-10') < 0);
  // Ties on a figure fall back to the natural name order too.
  const byCpu = visibleContainers({ containers, samples: new Map(), sort: { key: 'cpu', desc: true }, filter: '', showAll: true });
  assert.deepEqual(byCpu.map((c) => c.name), ['alpha', 'tx-1', 'tx-2', 'tx-10', 'tx-20']);
});

test('the default sort is by CPU, busiest first; exited containers last', async (t) => {
  assert.deepEqual(defaultConfig().sort, { key: 'cpu', desc: true });
  const e = threeContainers();
  const h = await setup({ engine: e });
  t.after(h.done);
  const [web, db] = e.containers;
  h.stats.emit([sample(web.id, { cpuPercent: 5 }), sample(db.id, { cpuPercent: 95 })]);
  await h.see('CPU%▼');
  await h.see(/sort cpu ▼/);
  await h.press('a');
  await h.see(/old .*exited 3/);
  const rows = h.lines().filter((l) => /running \d|exited \d/.test(l));
  assert.deepEqual(rows.map((l) => /(web|db|old)/.exec(l)?.[1]), ['db', 'web', 'old']);
});

test('x, K and r ask first, as d does: y goes ahead, any other key cancels', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  // No samples yet: db, web by name.
  await h.see(/› +db/);
  await h.press('x');
  await h.see('Stop db? y/N');
  assert.equal(h.engine.callsOf('stop').length, 0);
  await h.press('n');
  await h.see('cancelled');
  assert.equal(h.engine.callsOf('stop').length, 0);
  await h.press('K');
  await h.see('Kill (SIGKILL) db? y/N');
  await h.press(KEY.escape);
  await h.see('cancelled');
  assert.equal(h.engine.callsOf('kill').length, 0);
  await h.press('r');
  await h.see('Restart db? y/N');
  await h.press('y');
  await waitFor(() => h.engine.callsOf('restart').length === 1, 'restart');
  await h.see('restarted db');
  await h.press('x', 'y');
  await waitFor(() => h.engine.callsOf('stop').length === 1, 'stop');
  // s (start) does not ask.
  await h.press('a');
  await h.see(/db .*exited/);
  await h.press('s');
  await waitFor(() => h.engine.callsOf('start').length === 1, 'start');
});

test('"confirm": false in the config: x, K and r act at once; d still asks', async (t) => {
  const config = parseConfig('/x/config.json', JSON.stringify({ confirm: false }));
  assert.equal(config.confirm, false);
  assert.equal(defaultConfig().confirm, true);
  assert.throws(() => parseConfig('/x/config.json', '{"confirm": "no"}'), /confirm: must be true or false/);
  const h = await setup({ engine: threeContainers(), config });
  t.after(h.done);
  await h.see(/› +db/);
  await h.press('x');
  await waitFor(() => h.engine.callsOf('stop').length === 1, 'stop');
  await h.press('d');
  await h.see('Delete web, stopping it? y/N');
});

test('80×24: every view fits, and the footer reaches the networks and volumes views', async (t) => {
  const h = await setup({ engine: threeContainers(), size: { columns: 80, rows: 24 } });
  t.after(h.done);
  const fits = (view: string) => {
    const lines = h.lines();
    assert.ok(lines.length <= 23, `${view}: ${lines.length} lines`);
    for (const l of lines) assert.ok(Array.from(l).length <= 80, `${view}: a line wider than 80: ${l}`);
  };
  await h.see(/w networks {2}v volumes {2}q quit/);
  fits('containers');
  const views: [string, string, RegExp][] = [
    ['w', 'networks', /Esc back {2}n new/],
    ['v', 'volumes', /Esc back {2}n new/],
    ['i', 'images', /Esc back/],
    ['?', 'help', /Esc back/],
  ];
  for (const [key, view, footer] of views) {
    await h.press(key);
    await waitFor(() => h.controller.store.get().view === view, `the ${view} view`);
    await h.see(footer);
    fits(view);
    await h.press(KEY.escape);
    await waitFor(() => h.controller.store.get().view === 'containers', 'back to the containers');
  }
  await h.press(KEY.enter);
  await h.see(/^Esc back/m);
  fits('detail');
  await h.press('l');
  await waitFor(() => h.controller.store.get().view === 'logs', 'the logs view');
  fits('logs');
  await h.press(KEY.escape);
  await waitFor(() => h.controller.store.get().view !== 'logs', 'out of the logs view');
  if (h.controller.store.get().view !== 'detail') await h.press(KEY.enter);
  await waitFor(() => h.controller.store.get().view === 'detail', 'the detail view again');
  await h.press('E');
  await h.see(/shell exec-\d+ in /);
  fits('detail with the shell pane (below it at 80 columns)');
});

test('a key Ink 6.8 reads as Ctrl with no name (Ctrl+F1 as xterm sends it) is ignored, not the end of the dashboard', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  for (const k of ['\x1b[1;5P', '\x1b[1;6S', '\x1b[25;5~']) await h.press(k);
  await h.see('a key the terminal library cannot read was ignored');
  await h.press('?');
  await waitFor(() => h.controller.store.get().view === 'help', 'keys still work: the help');
  assert.equal(h.quits(), 0);
});
