// The shell pane's rendering from @xterm/headless's buffer (views/pane.ts): SGR per
// run of cells (palette, 256 and true colours, bold, reverse), wide characters
// taking two columns, the cursor in reverse video, every line exactly the pane's
// width; only the rows given as changed are drawn again; the layout beside/below;
// the scroll-back drawn from the viewport (older lines while scrolled, kept still
// while output comes).
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
  assert.equal(stripAnsi(paneFooter(plain, 100)).trimEnd(), '^] dashboard  S-PgUp S-PgDn scroll back  (every other key goes to the shell)');
  assert.equal(visibleWidth(paneFooter(plain, 100)), 100);
  assert.equal(stripAnsi(paneFooter(plain, 30)), '^] dashboard  S-PgUp S-PgDn s…', 'cut at the width');
  assert.equal(stripAnsi(paneFooter(plain, 10)), '^] dashbo…');
});

test('the scroll-back: scrolled up, the older lines are drawn; output while scrolled leaves the view; back at the bottom it follows', async () => {
  const t = new Terminal({ cols: 12, rows: 5, scrollback: 1000, allowProposedApi: true });
  const write = (s: string) => new Promise<void>((r) => t.write(s, r));
  for (let i = 1; i <= 200; i++) await write(`line-${i}\r\n`);
  const b = () => t.buffer.active;
  const view = () => renderScreen(b(), 12, 5, b().getNullCell(), { cursor: true, colors: false }).map((l) => l.trimEnd());
  assert.deepEqual(view(), ['line-197', 'line-198', 'line-199', 'line-200', '\x1b[7m \x1b[0m'], 'the live screen, the cursor on its last row');
  assert.equal(b().baseY, 196, '196 lines above the screen');
  t.scrollLines(-50);
  assert.equal(b().baseY - b().viewportY, 50);
  assert.deepEqual(view(), ['line-147', 'line-148', 'line-149', 'line-150', 'line-151'], 'older lines, no cursor');
  // New output while scrolled: the view stays on the same lines (xterm's user scroll lock).
  for (let i = 201; i <= 210; i++) await write(`line-${i}\r\n`);
  assert.deepEqual(view(), ['line-147', 'line-148', 'line-149', 'line-150', 'line-151']);
  assert.equal(b().baseY - b().viewportY, 60, 'the live screen ten lines further');
  t.scrollToBottom();
  assert.deepEqual(view().slice(0, 4), ['line-207', 'line-208', 'line-209', 'line-210']);
  await write('line-211\r\n');
  assert.equal(b().viewportY, b().baseY, 'at the bottom, output moves the view with it');
});

test('a full scroll-back while scrolled: the view keeps its lines as the oldest go, then shows the oldest kept', async () => {
  const t = new Terminal({ cols: 12, rows: 3, scrollback: 20, allowProposedApi: true });
  const write = (s: string) => new Promise<void>((r) => t.write(s, r));
  for (let i = 1; i <= 40; i++) await write(`n${i}\r\n`);
  const b = () => t.buffer.active;
  const top = () => renderRow(b().getLine(b().viewportY), 12, b().getNullCell(), -1, false).trimEnd();
  t.scrollLines(-10);
  const first = top();
  await write('n41\r\nn42\r\nn43\r\n');
  assert.equal(top(), first, 'the same line on top while the oldest are trimmed');
  for (let i = 44; i <= 80; i++) await write(`n${i}\r\n`);
  assert.equal(b().viewportY, 0, 'at the oldest line kept');
  assert.equal(top(), `n${80 - 20 - 3 + 2}`, 'the oldest of the 20 kept lines above the screen');
});
