// v1 memory controller: limit, memory+swap limit, stats, OOM kills.
import path from 'node:path';
import type { CgIo } from '../fs.js';
import { parseFlatKeyed, parseV1Limit } from '../parse.js';
import type { Limits } from '../types.js';

/** Usage minus inactive file pages, as docker computes it (never below 0). */
export function usageNoCache(usage: number, inactiveFile: number | undefined): number {
  return inactiveFile !== undefined && inactiveFile < usage ? usage - inactiveFile : usage;
}

/** memory.limit_in_bytes and, where the kernel has swap accounting, memory.memsw.limit_in_bytes
 * (memory+swap; defaults to the memory limit: no swap). The kernel requires memsw ≥ limit at
 * every moment, so the order of the two writes depends on the current memsw value. */
export function applyMemoryV1(io: CgIo, dir: string, l: Limits): void {
  if (l.memory === undefined) return;
  const limitFile = path.join(dir, 'memory.limit_in_bytes');
  const memswFile = path.join(dir, 'memory.memsw.limit_in_bytes');
  if (!io.exists(memswFile)) {
    io.write(limitFile, l.memory);
    return;
  }
  const memsw = l.memorySwap ?? l.memory;
  const current = parseV1Limit(io.read(memswFile)); // null: unlimited
  if (memsw === -1 || (current !== null && l.memory > current)) {
    io.write(memswFile, memsw);
    io.write(limitFile, l.memory);
  } else {
    io.write(limitFile, l.memory);
    io.write(memswFile, memsw);
  }
}

export function memoryStatsV1(io: CgIo, dir: string | undefined): { usage: number; limit: number | null; cache: number } {
  if (!dir) return { usage: 0, limit: null, cache: 0 };
  const usageText = io.readOpt(path.join(dir, 'memory.usage_in_bytes'));
  const statText = io.readOpt(path.join(dir, 'memory.stat'));
  const limitText = io.readOpt(path.join(dir, 'memory.limit_in_bytes'));
  const stat = statText === null ? {} : parseFlatKeyed(statText);
  const usage = usageText === null ? 0 : Number(usageText.trim()) || 0;
  return {
    usage: usageNoCache(usage, stat.total_inactive_file ?? stat.inactive_file),
    limit: limitText === null ? null : parseV1Limit(limitText),
    cache: stat.total_cache ?? stat.cache ?? 0,
  };
}

/** memory.oom_control has "oom_kill N" (kernel ≥ 4.13). */
export function oomKilledV1(io: CgIo, dir: string | undefined): boolean {
  if (!dir) return false;
  return (parseFlatKeyed(io.read(path.join(dir, 'memory.oom_control'))).oom_kill ?? 0) > 0;
}
