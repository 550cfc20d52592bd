// The shell pane's scroll-back (shell-pane.ts through the controller): Shift+PgUp and
// Shift+↑ scroll the pane's view into the lines that scrolled off, the title says how
// far and the cursor is hidden; output while scrolled leaves the view where it is;
// Shift+PgDn back down, or any key typed into the shell, returns to the live screen.
// The alternate screen (vi, top) keeps no scroll-back: there the keys are the program's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paneHarness, until } from '../support/pane-harness.js';

async function openPane() {
  const h = paneHarness();
  const sh = await h.openPane();
  /** The pane's side of the screen (beside the detail view at 140 columns): its title, then its rows. */
  const pane = () => h.lines().map((l) => l.split('│').slice(1).join('│'));
  const seq = () => h.controller.store.get().pane!.seq;
  return { controller: h.controller, sh, pane, type: h.type, seq };
}

/** The numbers of the `n` lines shown in the pane (of `out-N` lines). */
const shown = (rows: string[]) => rows.flatMap((r) => [...r.matchAll(/out-(\d+)/g)].map((m) => Number(m[1])));

test('Shift+PgUp shows older lines, titled and without the cursor; output leaves the view; a key typed returns', async (t) => {
  const h = await openPane();
  t.after(() => h.controller.stop());
  let text = '';
  for (let i = 1; i <= 200; i++) text += `out-${i}\r\n`;
  h.sh.output(text + '$ ');
  await until(() => shown(h.pane()).includes(200), 'the output in the pane');
  const live = h.pane();
  assert.match(live[1], /shell exec-\d+ in web — keys go to the shell/);
  assert.ok(live.some((r) => r.includes('\x1b[7m')), 'the cursor at the prompt');
  // The pane is 25 rows: a page is 24 lines.
  const seq = h.seq();
  h.type('', { pageUp: true, shift: true });
  assert.ok(h.seq() > seq, 'redrawn at once');
  let rows = h.pane();
  assert.match(rows[1], /scrolled back 24 lines · Shift\+PgDn *$/);
  assert.deepEqual(shown(rows), Array.from({ length: 25 }, (_, i) => 153 + i), 'out-153 … out-177: a page above the live screen (out-178 … out-200 and the prompt)');
  assert.ok(!rows.some((r) => r.includes('\x1b[7m')), 'no cursor while scrolled back');
  assert.equal(h.sh.line, '', 'the shell got nothing');
  h.type('', { upArrow: true, shift: true });
  assert.match(h.pane()[1], /scrolled back 25 lines/);
  assert.equal(shown(h.pane())[0], 152);
  h.type('', { downArrow: true, shift: true });
  assert.equal(shown(h.pane())[0], 153);

  // Output while scrolled: the view stays on its lines, the count grows.
  h.sh.output('\r\nout-201\r\nout-202\r\nout-203\r\n$ ');
  await until(() => /scrolled back 28 lines/.test(h.pane()[1]), 'the count after the output');
  rows = h.pane();
  assert.equal(shown(rows)[0], 153, 'the view did not move');
  assert.ok(!shown(rows).includes(203));

  // The dashboard's keys (^]) do not move the view; a key typed into the shell returns to the live screen.
  h.type('\x1d');
  assert.match(h.pane()[1], /scrolled back 28 lines · Shift\+PgDn *$/);
  h.type('\x1d');
  h.type('l');
  assert.equal(h.sh.line, 'l');
  rows = h.pane();
  assert.match(rows[1], /keys go to the shell/);
  assert.ok(shown(rows).includes(203), 'the live screen again');
  assert.ok(rows.some((r) => r.includes('\x1b[7m')), 'the cursor again');

  // Shift+PgUp twice, Shift+PgDn twice: back at the bottom.
  h.type('', { pageUp: true, shift: true });
  h.type('', { pageUp: true, shift: true });
  assert.match(h.pane()[1], /scrolled back 48 lines/);
  h.type('', { pageDown: true, shift: true });
  h.type('', { pageDown: true, shift: true });
  assert.match(h.pane()[1], /keys go to the shell/);
  // At the bottom, output keeps the view on the live screen.
  h.sh.output('\r\nout-204\r\n$ ');
  await until(() => shown(h.pane()).includes(204), 'the new line at the bottom');
  assert.equal(h.sh.line, 'l', 'the scroll keys never reached the shell');
});

test('the alternate screen (vi, top) has no scroll-back: Shift+PgUp is the program\'s', async (t) => {
  const h = await openPane();
  t.after(() => h.controller.stop());
  let text = '';
  for (let i = 1; i <= 100; i++) text += `out-${i}\r\n`;
  h.sh.output(`${text}\x1b[?1049h\x1b[H\x1b[2Jfull-screen`);
  await until(() => h.pane().some((r) => r.startsWith('full-screen')), 'the program\'s screen');
  h.type('', { pageUp: true, shift: true });
  assert.equal(h.sh.line, '\x1b[5;2~', 'sent as xterm sends Shift+PgUp');
  assert.doesNotMatch(h.pane()[1], /scrolled back/);
  // Back on the normal screen, the lines before are there to scroll to.
  h.sh.line = '';
  h.sh.output('\x1b[?1049l');
  await until(() => !h.pane().some((r) => r.startsWith('full-screen')), 'the normal screen');
  h.type('', { pageUp: true, shift: true });
  assert.match(h.pane()[1], /scrolled back 24 lines/);
  assert.equal(h.sh.line, '');
});

test('a flood of over a second keeps its last 100 lines (a small ring stays in cache); scrolled back, the view is kept; the 1000 come back after it', async (t) => {
  const h = await openPane();
  t.after(() => h.controller.stop());
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `out-${from + i}\r\n`).join('');
  /** Shift+PgUp until the view is at the oldest line kept: how many lines back that is. */
  const depth = () => {
    for (let i = 0; i < 60; i++) h.type('', { pageUp: true, shift: true });
    const n = Number(/scrolled back (\d+) line/.exec(h.pane()[1])?.[1] ?? 0);
    for (let i = 0; i < 60; i++) h.type('', { pageDown: true, shift: true });
    return n;
  };
  h.sh.output(lines(1, 300));
  await until(() => shown(h.pane()).includes(300), 'the lines');
  assert.ok(depth() > 250, 'no flood: all kept');
  // 1.5 s of ~400 KB/s: 2000 lines (20 KB) every 50 ms (a flood: over 16 KB between two frames).
  let n = 301;
  const flood = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; n += 2000) {
      h.sh.output(lines(n, 2000));
      await sleep(50);
    }
  };
  await flood(1500);
  await sleep(200);
  const kept = depth();
  assert.ok(kept > 0 && kept <= 100, `after a long flood the last 100 lines: ${kept}`);
  // Scrolled back during a flood: the ring grows back, the view keeps its lines while
  // the next 800 come (with 100 kept, they would have pushed them out).
  await flood(1200);
  h.type('', { pageUp: true, shift: true });
  const top = shown(h.pane())[0];
  for (let i = 0; i < 2; i++) {
    h.sh.output(lines(n, 400));
    n += 400;
    await sleep(150);
  }
  assert.equal(shown(h.pane())[0], top, 'the lines in view stay');
  assert.match(h.pane()[1], /scrolled back 824 lines/);
  h.type('', { pageDown: true, shift: true });
  for (let i = 0; i < 60; i++) h.type('', { pageDown: true, shift: true });
  // Output that is no flood: the 1000 lines again.
  h.sh.output('calm\r\n');
  await sleep(200);
  for (let i = 0; i < 4; i++) {
    h.sh.output(lines(n, 150));
    n += 150;
    await sleep(100);
  }
  assert.ok(depth() > 500, 'the scroll-back is 1000 lines again');
});
