// Runs bench/ink-floor-child.mts in its own process and prints one context row.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export function inkFloorRow(): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'ink-floor-child.mts')], {
    encoding: 'utf8',
    env: { ...process.env, CI: undefined },
    timeout: 120_000,
  });
  try {
    const { p50, p95 } = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
    return `${'context: bare Ink 6.8, 48×160 lines'.padEnd(34)} ${p95.toFixed(2).padStart(8)} ms   p95 (p50 ${p50.toFixed(2)} ms) of a full redraw with no hutch code: the floor under the frame-time row`;
  } catch {
    return `context: bare Ink render failed: ${(r.stderr || '').trim().split('\n')[0]}`;
  }
}
