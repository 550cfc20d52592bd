// The raw inspect in the detail view's place: the container as `hutch inspect`
// prints it (JSON, two-space indents), a window of it scrolled with the move keys.
import { fit } from '../format.js';
import type { Painter } from '../paint.js';
import type { InspectState } from '../state.js';

export function inspectLines(ins: InspectState, p: Painter, width: number, height: number): string[] {
  const room = Math.max(1, height - 1);
  const n = ins.lines.length;
  const top = Math.max(0, Math.min(ins.top, n - room));
  const parts = [`inspect ${ins.name}`];
  if (n > room) parts.push(`${top + 1}-${Math.min(n, top + room)}/${n}`);
  parts.push('Esc back');
  const out = [p.fg('accent', p.bold(fit(parts.join(' · '), width)))];
  if (ins.error) return [...out, p.fg('error', fit(ins.error, width))];
  if (n === 0) return [...out, p.fg('dim', 'reading…')];
  for (const l of ins.lines.slice(top, top + room)) out.push(fit(l, width).trimEnd());
  return out;
}
