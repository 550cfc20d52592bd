// Runs bench/ink-floor-child.mts in its own process, stock and with hutch's
// Output cache, and prints one context row.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

function floor(patched: boolean): { p50: number; p95: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'ink-floor-child.mts'), ...(patched ? ['patched'] : [])], {
    encoding: 'utf8',
    env: { ...process.env, CI: undefined },
    timeout: 120_000,
  });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw new Error((r.stderr || '').trim().split('\n')[0] || `exit ${r.status}`);
  }
}

export function inkFloorRow(): string {
  try {
    const { p50, p95 } = floor(false);
    let patched = '';
    try {
      const q = floor(true);
      patched = `; through hutch's Output cache (src/ui/ink-output-cache.ts), every line still changing: p95 ${q.p95.toFixed(2)} ms (p50 ${q.p50.toFixed(2)} ms)`;
    } catch (e) {
      patched = `; with hutch's Output cache: failed (${(e as Error).message})`;
    }
    return `${'context: bare Ink 6.8, 48×160 lines'.padEnd(34)} ${p95.toFixed(2).padStart(8)} ms   p95 (p50 ${p50.toFixed(2)} ms) of a full redraw with no hutch code: the floor under the frame-time row${patched}`;
  } catch (e) {
    return `context: bare Ink render failed: ${(e as Error).message}`;
  }
}
