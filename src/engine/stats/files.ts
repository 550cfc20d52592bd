// Which cgroup and /proc files give a container's stats, for v1 (and hybrid, whose
// controllers are on v1) and v2. Opened once and re-read at offset 0 every sweep.
import path from 'node:path';
import { blkioTotals, ioStatTotals, parseMax, parseV1Limit } from '../cgroups/parse.js';

export interface StatFiles {
  cpu: string;
  /** Parses the cpu file into nanoseconds of CPU time. */
  cpuNs(text: string): number;
  mem: string;
  memStat: string;
  /** Key in memory.stat of the inactive file cache subtracted from usage (as docker). */
  inactiveKey: string;
  memLimit: string;
  parseLimit(text: string): number | null;
  pids: string;
  pidsMax: string;
  io: string;
  ioTotals(text: string): { read: number; write: number };
}

export function statFiles(paths: Record<string, string>): StatFiles | null {
  if (paths.memory || paths.cpuacct) {
    const p = (ctrl: string, file: string) => (paths[ctrl] ? path.join(paths[ctrl], file) : '');
    return {
      cpu: p('cpuacct', 'cpuacct.usage'),
      cpuNs: (t) => Number(t.trim()),
      mem: p('memory', 'memory.usage_in_bytes'),
      memStat: p('memory', 'memory.stat'),
      inactiveKey: 'total_inactive_file',
      memLimit: p('memory', 'memory.limit_in_bytes'),
      parseLimit: parseV1Limit,
      pids: p('pids', 'pids.current'),
      pidsMax: p('pids', 'pids.max'),
      io: p('blkio', 'blkio.throttle.io_service_bytes'),
      ioTotals: blkioTotals,
    };
  }
  const d = paths.unified;
  if (!d) return null;
  return {
    cpu: path.join(d, 'cpu.stat'),
    cpuNs: (t) => (flatKeyed(t, 'usage_usec') ?? 0) * 1000,
    mem: path.join(d, 'memory.current'),
    memStat: path.join(d, 'memory.stat'),
    inactiveKey: 'inactive_file',
    memLimit: path.join(d, 'memory.max'),
    parseLimit: parseMax,
    pids: path.join(d, 'pids.current'),
    pidsMax: path.join(d, 'pids.max'),
    io: path.join(d, 'io.stat'),
    ioTotals: ioStatTotals,
  };
}

/**
 * One value of a "key value" file (memory.stat, cpu.stat), without building the
 * whole table: memory.stat has ~40 lines and the sampler wants one of them from
 * every container every sweep. Undefined when the key is missing or not a number.
 */
export function flatKeyed(text: string, key: string): number | undefined {
  let at = text.startsWith(`${key} `) ? 0 : text.indexOf(`\n${key} `);
  if (at < 0) return undefined;
  if (at > 0) at++;
  const from = at + key.length + 1;
  const end = text.indexOf('\n', from);
  const n = Number(text.slice(from, end < 0 ? undefined : end));
  return Number.isFinite(n) ? n : undefined;
}

/** rx/tx bytes of every interface but lo, from /proc/PID/net/dev (the container's netns). */
export function netTotals(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  const lines = text.split('\n');
  for (let i = 2; i < lines.length; i++) {
    const l = lines[i];
    const c = l.indexOf(':');
    if (c < 0) continue;
    if (l.slice(0, c).trim() === 'lo') continue;
    const f = l.slice(c + 1).trim().split(/\s+/);
    rx += Number(f[0]) || 0;
    tx += Number(f[8]) || 0;
  }
  return { rx, tx };
}
