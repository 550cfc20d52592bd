// The pids controller: same files on v1 and v2.
import path from 'node:path';
import type { CgIo } from './fs.js';
import { parseMax } from './parse.js';

export function applyPids(io: CgIo, dir: string, pidsLimit: number | undefined): void {
  if (pidsLimit === undefined) return;
  io.write(path.join(dir, 'pids.max'), pidsLimit > 0 ? String(pidsLimit) : 'max');
}

export function pidsStats(io: CgIo, dir: string | undefined): { pids: number; pidsLimit: number | null } {
  if (!dir) return { pids: 0, pidsLimit: null };
  const cur = io.readOpt(path.join(dir, 'pids.current'));
  const max = io.readOpt(path.join(dir, 'pids.max'));
  return { pids: cur === null ? 0 : Number(cur.trim()) || 0, pidsLimit: max === null ? null : parseMax(max) };
}
