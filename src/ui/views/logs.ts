// The logs view: a title line (with where the window is in a long buffer), then
// the visible window of the bounded line buffer. stderr lines are marked in the
// gutter; merged logs prefix each line with its container's name; the time goes
// first when shown; the current search match is highlighted. Long lines wrap onto
// more rows, or are cut at the width and shifted sideways by `left`.
import { fit } from '../format.js';
import type { Painter } from '../paint.js';
import type { LogEntry, LogsState } from '../state.js';
import { fitAnsi } from './detail.js';

const NAME_COLORS = ['cpu', 'mem', 'accent', 'running', 'created', 'key'] as const;
/** "2024-01-01 12:00:00.123": the log's own time (UTC), to the millisecond. */
const TIME_WIDTH = 23;

/** How a line is laid out at a width: the name column, the time, and what is left for the text. */
export interface LogsLayout {
  nameWidth: number;
  budget: number;
}

export function logsLayout(logs: LogsState, width: number): LogsLayout {
  // The widest name of the merged containers: the column does not jump as lines scroll by.
  const nameWidth = logs.merged ? Math.min(16, Math.max(4, ...logs.names.map((n) => n.length))) : 0;
  const budget = Math.max(1, width - 2 - (logs.merged ? nameWidth + 1 : 0) - (logs.timestamps ? TIME_WIDTH + 1 : 0));
  return { nameWidth, budget };
}

/** The text as the terminal can show it: tabs as spaces, no control characters. */
export function cleanText(text: string): string {
  return text.replace(/\t/g, '    ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ''); // eslint-disable-line no-control-regex
}

/** The rows a line takes: one when cut, as many as its text needs when wrapped. */
export function rowCount(e: LogEntry, logs: LogsState, layout: LogsLayout): number {
  if (!logs.wrap) return 1;
  return Math.max(1, Math.ceil(Array.from(cleanText(e.text)).length / layout.budget));
}

/** The first line of the window that ends with the last line (following), `rows` tall. */
export function logsMaxTop(logs: LogsState, width: number, rows: number): number {
  const n = logs.lines.length;
  if (!logs.wrap) return Math.max(0, n - rows);
  const layout = logsLayout(logs, width);
  let used = 0;
  for (let i = n - 1; i >= 0; i--) {
    used += rowCount(logs.lines[i], logs, layout);
    if (used > rows) return i + 1;
  }
  return 0;
}

export function logsTitle(logs: LogsState, rows: number, shown?: { first: number; last: number }): string {
  const n = logs.lines.length;
  const first = shown?.first ?? logs.top;
  const last = shown?.last ?? Math.min(n, logs.top + rows) - 1;
  const parts = [logs.title];
  if (logs.follow) parts.push('following');
  // The position only when the buffer is longer than the window: "12-31/104".
  if (n > 0 && (first > 0 || last < n - 1)) parts.push(`${first + 1}-${last + 1}/${n}`);
  if (!logs.wrap && logs.left > 0) parts.push(`from column ${logs.left + 1}`);
  if (logs.dropped > 0) parts.push(`${logs.dropped} older lines dropped`);
  if (logs.search) {
    parts.push(`search "${logs.search}"${logs.match >= 0 ? '' : ': no match'}`);
  }
  return parts.join(' · ');
}

function highlight(text: string, term: string, p: Painter): string {
  if (!term || !p.enabled) return text;
  const lower = text.toLowerCase();
  const t = term.toLowerCase();
  let out = '';
  let i = 0;
  for (let j = lower.indexOf(t); j >= 0; j = lower.indexOf(t, i)) {
    out += text.slice(i, j) + p.fg('match', p.bold(text.slice(j, j + t.length)));
    i = j + t.length;
  }
  return out + text.slice(i);
}

function fmtTime(time: string): string {
  return fit(time.slice(0, TIME_WIDTH).replace('T', ' '), TIME_WIDTH);
}

/** The screen rows of one line: a single cut one, or its wrapped pieces (later ones under the text's column). */
export function logRows(e: LogEntry, logs: LogsState, layout: LogsLayout, selected: boolean, p: Painter, width: number, colorIndex: number): string[] {
  const gutter = e.stream === 'stderr' ? p.fg('stderr', 'E ') : '  ';
  const name = logs.merged ? p.fg(NAME_COLORS[colorIndex % NAME_COLORS.length], fit(e.name, layout.nameWidth)) + ' ' : '';
  const time = logs.timestamps ? p.fg('dim', fmtTime(e.time)) + ' ' : '';
  const lead = gutter + name + time;
  const blank = ' '.repeat(2 + (logs.merged ? layout.nameWidth + 1 : 0) + (logs.timestamps ? TIME_WIDTH + 1 : 0));
  const chars = Array.from(cleanText(e.text));
  const pieces: string[] = [];
  if (logs.wrap) {
    for (let i = 0; i < chars.length; i += layout.budget) pieces.push(chars.slice(i, i + layout.budget).join(''));
    if (pieces.length === 0) pieces.push('');
  } else {
    pieces.push(fit(chars.slice(logs.left).join(''), layout.budget).trimEnd());
  }
  return pieces.map((piece, i) => {
    const text = logs.wrap ? piece.trimEnd() : piece;
    const line = (i === 0 ? lead : blank) + (logs.search ? highlight(text, logs.search, p) : text);
    return selected ? p.selected(fitAnsi(line, width).padEnd(width)) : line;
  });
}

export function logsLines(logs: LogsState, p: Painter, width: number, height: number): string[] {
  const room = Math.max(1, height - 1 - (logs.error ? 1 : 0));
  const n = logs.lines.length;
  const maxTop = logsMaxTop(logs, width, room);
  const top = logs.follow ? maxTop : Math.min(logs.top, maxTop);
  const layout = logsLayout(logs, width);
  const names = new Map<string, number>();
  logs.ids.forEach((id, i) => names.set(id, i));
  const rows: string[] = [];
  let last = top - 1;
  for (let i = top; i < n && rows.length < room; i++) {
    rows.push(...logRows(logs.lines[i], logs, layout, i === logs.match, p, width, names.get(logs.lines[i].cid) ?? 0));
    last = i;
  }
  const out = [p.fg('accent', p.bold(fit(logsTitle(logs, room, { first: top, last }), width)))];
  if (logs.error) out.push(p.fg('error', fit(logs.error, width)));
  if (n === 0) {
    out.push(p.fg('dim', 'no output yet'));
    return out;
  }
  return out.concat(rows.slice(0, room));
}
