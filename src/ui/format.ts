// Compact number formatting for table cells and chart labels. Binary units with
// one letter (htop's style): "512B", "1.5K", "256M", "1.2G" — the dashboard has
// no room for docker's "1.5MiB / 256MiB".
import type { ContainerInfo } from '../engine/types.js';

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

/** 0 → "0B", 1536 → "1.5K", 268435456 → "256M"; below 10 one decimal, else none. */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${Math.round(v)}B`;
  // 1023.6K would print as "1024K": carry into the next unit instead.
  if (Math.round(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const s = v < 9.95 ? v.toFixed(1) : String(Math.round(v));
  return `${s.replace(/\.0$/, '')}${UNITS[i]}`;
}

/** 12.345 → "12.3", 0 → "0.0", 150.2 → "150", NaN → "-". */
export function fmtPercent(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '-';
  if (p >= 99.95) return String(Math.round(p));
  return p.toFixed(1);
}

/** Elapsed time in one unit: "5s", "3m", "2h", "4d". */
export function fmtAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

const parsed = new Map<string, number>();
/** Date.parse, remembered: the table parses every row's start time on every redraw. */
function parseTime(t: string): number {
  let ms = parsed.get(t);
  if (ms === undefined) {
    ms = Date.parse(t);
    if (parsed.size > 4096) parsed.clear();
    parsed.set(t, ms);
  }
  return ms;
}

/** "running 3m", "exited 137 2h", "created". */
export function fmtState(c: ContainerInfo, now: number): string {
  const since = (t: string) => {
    const ms = t ? parseTime(t) : NaN;
    return Number.isNaN(ms) ? '' : ` ${fmtAge(now - ms)}`;
  };
  // Restarts done by its policy, docker's RestartCount.
  const restarts = c.restartCount ? ` (${c.restartCount} restart${c.restartCount > 1 ? 's' : ''})` : '';
  if (c.status === 'running') return `${c.paused ? 'paused' : 'running'}${since(c.startedAt || c.created)}${restarts}`;
  if (c.status === 'exited' && c.restarting) return `restarting ${c.exitCode ?? 0}${restarts}`;
  if (c.status === 'exited') return `exited ${c.exitCode ?? 0}${c.oomKilled ? ' oom' : ''}${since(c.finishedAt)}${restarts}`;
  if (c.status === 'unknown') return 'unknown';
  return 'created';
}

const SURROGATE = /[\ud800-\udfff]/;

/** Cuts to `width` columns with "…", or pads with spaces to exactly `width`. */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  // One code point per UTF-16 unit unless there are surrogate pairs (the usual case: no array).
  const n = SURROGATE.test(s) ? Array.from(s).length : s.length;
  if (n > width) return width === 1 ? '…' : Array.from(s).slice(0, width - 1).join('') + '…';
  if (n === width) return s;
  const pad = ' '.repeat(width - n);
  return align === 'left' ? s + pad : pad + s;
}

/** Length in terminal columns of a string without escapes (one column per code point). */
export function textWidth(s: string): number {
  return Array.from(s).length;
}

/** Parses an interval: 2 / "2" (seconds), "500ms", "1.5s", "1m". Returns ms, or undefined when invalid. */
export function parseInterval(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  return n > 0 ? Math.round(n) : undefined;
}

/** An error as one status line. */
export function errorLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
