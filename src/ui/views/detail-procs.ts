// The detail view's process list: a tree (children under their parent), each
// process's CPU % since the last read, the selected process in reverse video, and
// a window that keeps it in sight with its position ("12/104") in the title.
import { fit, fmtBytes, fmtPercent } from '../format.js';
import type { Painter } from '../paint.js';
import { processTree } from '../process-tree.js';
import { position, type DetailState } from '../state.js';

/** 75.3 s → "1:15"; 3700 s → "61:40". */
export function fmtCpuTime(sec: number): string {
  const s = Math.floor(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The list in `height` lines (its two headings included), `width` wide. */
export function procLines(detail: DetailState, p: Painter, width: number, height: number): string[] {
  const rows = processTree(detail.procs);
  const room = Math.max(1, height - 2);
  const at = position(detail.procIndex, rows.length, room);
  const lines = [p.bold(`Processes (${detail.procs.length})`) + (at ? p.fg('dim', `  ${at}`) : '')];
  if (detail.procsError) return [...lines, p.fg('error', detail.procsError)];
  lines.push(p.fg('header', `${'PID'.padStart(7)} S ${'CPU%'.padStart(5)} ${'RSS'.padStart(6)} ${'TIME'.padStart(7)} COMMAND`));
  const top = Math.max(0, Math.min(detail.procIndex - room + 1, rows.length - room));
  for (let i = top; i < Math.min(rows.length, top + room); i++) {
    const { proc: pr, prefix } = rows[i];
    const cpu = detail.cpu.get(pr.pid);
    const line = `${String(pr.pid).padStart(7)} ${pr.state} ${(cpu === undefined ? '-' : fmtPercent(cpu)).padStart(5)} ${fmtBytes(pr.rss).padStart(6)} ${fmtCpuTime(pr.cpuSeconds).padStart(7)} ${prefix}${pr.cmd}`;
    lines.push(i === detail.procIndex ? p.selected(fit(line, width)) : line);
  }
  return lines;
}
