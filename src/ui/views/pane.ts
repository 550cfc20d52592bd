// The shell pane drawn from a headless terminal's buffer (@xterm/headless): each
// row of cells becomes one screen line with its SGR attributes, exactly `width`
// columns wide (wide characters take two, their second cell is skipped), the
// cursor shown in reverse video while the pane has the keys. Pure functions over
// the buffer's public interface; shell-pane.ts decides which rows to redraw.
import type { IBuffer, IBufferCell, IBufferLine } from '@xterm/headless';
import type { Painter } from '../paint.js';
import { fit } from '../format.js';

/** Where the pane goes on a screen of `width` × `height` body rows: beside the
 * detail view on wide terminals, below it on narrow ones. `cols` × `rows` is the
 * terminal's size (the pane less its title line). */
export interface PaneLayout {
  beside: boolean;
  /** Columns (beside) or rows (below) left to the detail view. */
  detail: number;
  cols: number;
  rows: number;
}

export const BESIDE_MIN_WIDTH = 120;

export function paneLayout(width: number, height: number): PaneLayout {
  if (width >= BESIDE_MIN_WIDTH) {
    const cols = Math.floor((width - 1) / 2);
    return { beside: true, detail: width - cols - 1, cols, rows: Math.max(1, height - 1) };
  }
  const paneRows = Math.max(4, Math.floor(height / 2));
  return { beside: false, detail: Math.max(0, height - paneRows), cols: width, rows: Math.max(1, paneRows - 1) };
}

/** The SGR parameters of a cell's colours and attributes ('' for the default look). */
export function cellSgr(cell: IBufferCell): string {
  const p: (string | number)[] = [];
  if (cell.isBold()) p.push(1);
  if (cell.isDim()) p.push(2);
  if (cell.isItalic()) p.push(3);
  if (cell.isUnderline()) p.push(4);
  if (cell.isBlink()) p.push(5);
  if (cell.isInverse()) p.push(7);
  if (cell.isInvisible()) p.push(8);
  if (cell.isStrikethrough()) p.push(9);
  if (cell.isFgPalette()) p.push(paletteSgr(cell.getFgColor(), 30, 90, 38));
  else if (cell.isFgRGB()) p.push(rgbSgr(cell.getFgColor(), 38));
  if (cell.isBgPalette()) p.push(paletteSgr(cell.getBgColor(), 40, 100, 48));
  else if (cell.isBgRGB()) p.push(rgbSgr(cell.getBgColor(), 48));
  return p.join(';');
}

function paletteSgr(n: number, base: number, bright: number, ext: number): string | number {
  if (n < 8) return base + n;
  if (n < 16) return bright + n - 8;
  return `${ext};5;${n}`;
}

function rgbSgr(c: number, ext: number): string {
  return `${ext};2;${(c >> 16) & 0xff};${(c >> 8) & 0xff};${c & 0xff}`;
}

/**
 * One buffer row as a line of exactly `width` columns. `cursorX` ≥ 0: that cell is
 * drawn in reverse video (the terminal's own cursor is the dashboard's, hidden).
 * `colors` false: the characters alone (NO_COLOR; the cursor still shows).
 */
export function renderRow(line: IBufferLine | undefined, width: number, cell: IBufferCell, cursorX = -1, colors = true): string {
  let out = '';
  let cur = '';
  let col = 0;
  let lastFg: number | undefined;
  let lastBg: number | undefined;
  let lastSgr = '';
  const n = line ? Math.min(line.length, width) : 0;
  for (let x = 0; x < n && col < width; x++) {
    const c = line!.getCell(x, cell);
    if (!c) break;
    const w = c.getWidth();
    if (w === 0) continue; // the second half of a wide character
    if (w === 2 && col + 2 > width) break; // a wide character cut by the pane's edge
    let chars = c.getChars() || ' ';
    if (chars < ' ' || chars === '\x7f') chars = ' ';
    // A cell's look is its emulator's two attribute words (@xterm/headless 6's
    // CellData fg/bg: colours and flags): the same as the cell before, the same SGR.
    const { fg, bg } = c as unknown as { fg?: number; bg?: number };
    let attrs: string;
    if (!colors) attrs = '';
    else if (fg !== undefined && fg === lastFg && bg === lastBg) attrs = lastSgr;
    else {
      attrs = lastSgr = cellSgr(c);
      lastFg = fg;
      lastBg = bg;
    }
    if (x === cursorX) attrs = attrs ? `${attrs};7` : '7';
    if (attrs !== cur) {
      out += cur ? `\x1b[0m${attrs ? `\x1b[${attrs}m` : ''}` : `\x1b[${attrs}m`;
      cur = attrs;
    }
    out += chars;
    col += w;
  }
  if (cur) out += '\x1b[0m';
  // The cursor past the row's last character (a prompt's end): a reverse blank.
  if (cursorX >= col && cursorX < width) {
    out += ' '.repeat(cursorX - col) + '\x1b[7m \x1b[0m';
    col = cursorX + 1;
  }
  return col < width ? out + ' '.repeat(width - col) : out;
}

/** The visible screen: `rows` lines from the viewport's top (see renderRow). Rows not in
 * `dirty` are taken from `prev` (the lines this returned last time): only changed rows
 * are drawn again. `dirty` undefined: all. */
export function renderScreen(
  buf: IBuffer,
  width: number,
  rows: number,
  cell: IBufferCell,
  opts: { cursor: boolean; colors: boolean; prev?: readonly string[]; dirty?: ReadonlySet<number> },
): string[] {
  const out: string[] = [];
  const cursorRow = opts.cursor && buf.viewportY === buf.baseY ? buf.cursorY : -1;
  for (let y = 0; y < rows; y++) {
    const old = opts.prev?.[y];
    if (old !== undefined && opts.dirty && !opts.dirty.has(y)) {
      out.push(old);
      continue;
    }
    out.push(renderRow(buf.getLine(buf.viewportY + y), width, cell, y === cursorRow ? buf.cursorX : -1, opts.colors));
  }
  return out;
}

export interface PaneTitle {
  container: string;
  shell: string;
  focused: boolean;
  /** The shell's exit status (null: the connection was lost); undefined while it runs. */
  exited?: number | null;
  error?: string;
  /** Lines the view is scrolled back from the live screen (Shift+PgUp). */
  scrolled?: number;
}

/** The pane's title line: whose shell, and what the focus key does now (or how far
 * back the view is, and the way down). */
export function paneTitle(t: PaneTitle, p: Painter, width: number): string {
  const state =
    t.error !== undefined
      ? t.error
      : t.scrolled
        ? `scrolled back ${t.scrolled} line${t.scrolled === 1 ? '' : 's'} · Shift+PgDn`
      : t.exited === undefined
        ? t.focused
          ? 'keys go to the shell · ^] back to the dashboard'
          : '^] to type in the shell · Esc closes'
        : t.exited === null
          ? 'connection lost · Esc closes · E reopens'
          : `exited ${t.exited} · Esc closes`;
  const text = fit(`shell ${t.shell} in ${t.container} — ${state}`, width);
  return t.focused ? p.selected(text) : p.bold(text);
}

/** The footer while the pane has the keys: every key but ^] (and the scroll-back's) is the shell's. */
export function paneFooter(p: Painter, width: number): string {
  const keys: [string, string][] = [
    ['^]', ' dashboard  '],
    ['S-PgUp S-PgDn', ' scroll back  '],
  ];
  let out = '';
  let left = width;
  for (const [k, label] of keys) {
    if (left < k.length) break;
    out += p.bold(k);
    left -= k.length;
    const l = fit(label, Math.min(label.length, left));
    out += l;
    left -= l.length;
  }
  return out + fit('(every other key goes to the shell)', left);
}

/** Visible columns of a line of text and SGR sequences (one per code point). */
export function visibleWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  return Array.from(s.replace(/\x1b\[[0-9;]*m/g, '')).length;
}

/** The detail view and the pane on one screen: side by side with a rule between, or one above the other. */
export function composePane(detail: (w: number, h: number) => string[], pane: (w: number, h: number) => string[], p: Painter, width: number, height: number): string[] {
  const l = paneLayout(width, height);
  if (!l.beside) {
    const top = l.detail > 0 ? detail(width, l.detail).slice(0, l.detail) : [];
    while (top.length < l.detail) top.push('');
    return [...top, ...pane(width, height - l.detail)];
  }
  const left = prefixes(detail(l.detail, height), l.detail, p.fg('dim', '│'), height);
  const right = pane(l.cols, height);
  const out: string[] = [];
  for (let i = 0; i < height; i++) out.push(left[i] + (right[i] ?? ''));
  return out;
}

/** The detail view's side of each row, padded to `width` with the rule after it:
 * kept while the detail view gives the same lines (its memo in screen.ts), as the
 * pane redraws between its changes. */
const padded = new WeakMap<readonly string[], { key: string; rows: string[] }>();
function prefixes(left: readonly string[], width: number, rule: string, height: number): string[] {
  const key = `${width}:${height}:${rule}`;
  const known = padded.get(left);
  if (known?.key === key) return known.rows;
  const rows: string[] = [];
  for (let i = 0; i < height; i++) {
    const a = left[i] ?? '';
    const w = visibleWidth(a);
    rows.push(`${w < width ? a + ' '.repeat(width - w) : a}${rule}`);
  }
  padded.set(left, { key, rows });
  return rows;
}
