// The shell pane's rendering from @xterm/headless's buffer (views/pane.ts): SGR per
// run of cells (palette, 256 and true colours, bold, reverse), wide characters
// taking two columns, the cursor in reverse video, every line exactly the pane's
// width; only the rows given as changed are drawn again; the layout beside/below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import xterm from '@xterm/headless';
import { cellSgr, composePane, paneFooter, paneLayout, renderRow, renderScreen, visibleWidth } from '../../src/ui/views/pane.js';
import { makePainter } from '../../src/ui/paint.js';
import { loadTheme } from '../../src/ui/theme.js';
import { stripAnsi } from '../../src/ui/charts/ansi.js';

const { Terminal } = xterm;
const plain = makePainter(loadTheme('dark'), false);

async function term(text: string, cols = 20, rows = 4) {
  const t = new Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((r) => t.write(text, r));
  return t;
}

test('colours and attributes: one SGR per run, reset at the end, the line padded to the width', async () => {
  const t = await term('a\x1b[1;31mBC\x1b[0m d\x1b[38;5;208mE\x1b[38;2;1;2;3mF\x1b[44;7mG\x1b[0m');
  const b = t.buffer.active;
  const line = renderRow(b.getLine(0), 20, b.getNullCell());
  assert.equal(line, 'a\x1b[1;31mBC\x1b[0m d\x1b[38;5;208mE\x1b[0m\x1b[38;2;1;2;3mF\x1b[0m\x1b[7;38;2;1;2;3;44mG\x1b[0m' + ' '.repeat(12));
  assert.equal(visibleWidth(line), 20);
  assert.equal(renderRow(b.getLine(0), 20, b.getNullCell(), -1, false), 'aBC dEFG' + ' '.repeat(12), 'no colours: the text alone');
  const cell = b.getLine(0)!.getCell(1)!;
  assert.equal(cellSgr(cell), '1;31');
  const bright = await term('\x1b[92mx');
  assert.equal(cellSgr(bright.buffer.active.getLine(0)!.getCell(0)!), '92');
});

test('wide characters take two columns; one cut by the edge is left out; the width stays exact', async () => {
  const t = await term('中文ab', 10, 2);
  const b = t.buffer.active;
  const line = renderRow(b.getLine(0), 10, b.getNullCell(), -1, false);
  assert.equal(line, '中文ab    ');
  assert.equal(Array.from(line).length, 8, 'two wide characters: 8 code points in 10 columns');
  assert.equal(renderRow(b.getLine(0), 3, b.getNullCell(), -1, false), '中 ', 'the second one does not fit in 3 columns');
});

test('the cursor: its cell in reverse video, or a reverse blank past the end of the text', async () => {
  const t = await term('$ ls\x1b[2D', 8, 2);
  const b = t.buffer.active;
  assert.equal(b.cursorX, 2);
  assert.equal(renderRow(b.getLine(0), 8, b.getNullCell(), b.cursorX), '$ \x1b[7ml\x1b[0ms    ');
  const t2 = await term('$ ', 8, 2);
  const b2 = t2.buffer.active;
  assert.equal(renderRow(b2.getLine(0), 8, b2.getNullCell(), b2.cursorX), '$ \x1b[7m \x1b[0m     ');
  const screen = renderScreen(b2, 8, 2, b2.getNullCell(), { cursor: true, colors: false });
  assert.deepEqual(screen.map(stripAnsi), ['$       ', '        ']);
  assert.deepEqual(renderScreen(b2, 8, 2, b2.getNullCell(), { cursor: false, colors: true }), ['$       ', '        ']);
});

test('only the rows marked changed are drawn again; the others are the previous strings', async () => {
  const t = await term('one\r\ntwo', 8, 3);
  const b = t.buffer.active;
  const prev = ['OLD0', 'OLD1', 'OLD2'];
  const out = renderScreen(b, 8, 3, b.getNullCell(), { cursor: false, colors: false, prev, dirty: new Set([1]) });
  assert.deepEqual(out, ['OLD0', 'two     ', 'OLD2']);
  const all = renderScreen(b, 8, 3, b.getNullCell(), { cursor: false, colors: false, prev });
  assert.deepEqual(all, ['one     ', 'two     ', '        ']);
});

test('a full-screen program (alternate screen, absolute moves) draws where it says', async () => {
  const t = await term('\x1b[?1049h\x1b[2J\x1b[1;1Htop - 10:00\x1b[3;5H\x1b[7mPID\x1b[0m', 16, 4);
  const b = t.buffer.active;
  assert.equal(b.type, 'alternate');
  const out = renderScreen(b, 16, 4, b.getNullCell(), { cursor: false, colors: true });
  assert.equal(out[0], 'top - 10:00     ');
  assert.equal(out[2], '    \x1b[7mPID\x1b[0m         ');
});

test('layout: beside the detail view from 120 columns, below it on narrower terminals', () => {
  assert.deepEqual(paneLayout(160, 40), { beside: true, detail: 80, cols: 79, rows: 39 });
  assert.deepEqual(paneLayout(100, 30), { beside: false, detail: 15, cols: 100, rows: 14 });
  const beside = composePane(
    (w, h) => Array.from({ length: h }, (_, i) => `d${i}`.padEnd(w).slice(0, w)),
    (w, h) => Array.from({ length: h }, (_, i) => `p${i}`.padEnd(w)),
    plain,
    120,
    3,
  );
  assert.equal(beside.length, 3);
  assert.ok(beside.every((l) => visibleWidth(l) === 120));
  assert.equal(beside[1].slice(0, 4), 'd1  ');
  assert.equal(beside[1].slice(60, 64), '│p1 ');
  const below = composePane(
    (w, h) => Array.from({ length: h }, (_, i) => `d${i}`),
    (w, h) => Array.from({ length: h }, (_, i) => `p${i}`),
    plain,
    80,
    10,
  );
  assert.deepEqual(below, ['d0', 'd1', 'd2', 'd3', 'd4', 'p0', 'p1', 'p2', 'p3', 'p4']);
  assert.equal(stripAnsi(paneFooter(plain, 60)).trimEnd(), '^] dashboard  (every other key goes to the shell)');
});
