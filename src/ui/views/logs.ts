// The logs view: a title line, then the visible window of the bounded line
// buffer. stderr lines are marked in the gutter; merged logs prefix each line
// with its container's name; the current search match is highlighted.
import { fit } from '../format.js';
import type { Painter } from '../paint.js';
import type { LogEntry, LogsState } from '../state.js';
import { fitAnsi } from './detail.js';

const NAME_COLORS = ['cpu', 'mem', 'accent', 'running', 'created', 'key'] as const;

export function logsTitle(logs: LogsState, rows: number): string {
  const parts = [logs.title, logs.follow ? 'following' : `line ${logs.top + 1}-${Math.min(logs.lines.length, logs.top + rows)} of ${logs.lines.length}`];
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

export function logLine(e: LogEntry, logs: LogsState, nameWidth: number, selected: boolean, p: Painter, width: number, colorIndex: number): string {
  const gutter = e.stream === 'stderr' ? p.fg('stderr', 'E ') : '  ';
  const name = logs.merged ? p.fg(NAME_COLORS[colorIndex % NAME_COLORS.length], fit(e.name, nameWidth)) + ' ' : '';
  const budget = Math.max(1, width - 2 - (logs.merged ? nameWidth + 1 : 0));
  const text = e.text.replace(/\t/g, '    ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '') // eslint-disable-line no-control-regex
  const cut = fit(text, budget).trimEnd();
  const line = gutter + name + (logs.search ? highlight(cut, logs.search, p) : cut);
  return selected ? p.selected(fitAnsi(line, width).padEnd(width)) : line;
}

export function logsLines(logs: LogsState, p: Painter, width: number, height: number): string[] {
  const rows = Math.max(1, height - 1);
  const out = [p.fg('accent', p.bold(fit(logsTitle(logs, rows), width)))];
  if (logs.error) out.push(p.fg('error', fit(logs.error, width)));
  const room = height - out.length;
  const n = logs.lines.length;
  const top = logs.follow ? Math.max(0, n - room) : Math.min(logs.top, Math.max(0, n - room));
  if (n === 0) {
    out.push(p.fg('dim', 'no output yet'));
    return out;
  }
  const names = new Map<string, number>();
  logs.ids.forEach((id, i) => names.set(id, i));
  const nameWidth = logs.merged ? Math.min(16, Math.max(4, ...logs.lines.slice(top, top + room).map((l) => l.name.length))) : 0;
  for (let i = top; i < Math.min(n, top + room); i++) {
    const e = logs.lines[i];
    out.push(logLine(e, logs, nameWidth, i === logs.match, p, width, names.get(e.cid) ?? 0));
  }
  return out;
}
