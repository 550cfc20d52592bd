// The detail view's process list as htop shows it: children indented under their
// parent (by ppid), and each process's CPU % from the change in its CPU time
// between two reads of `top` over the wall time between them.
import type { ProcessInfo } from '../engine/types.js';

export interface TreeRow {
  proc: ProcessInfo;
  /** Tree glyphs before the command: '' for a root, '├─ ' / '└─ ' under '│  ' / '   ' of its ancestors. */
  prefix: string;
}

/**
 * Processes in tree order: a root is one whose parent is not in the list (the
 * container's init, whose parent is the monitor outside it), children after their
 * parent by pid. A ppid loop (impossible, but a read is not atomic) cannot hang it:
 * every process is placed once, the ones left over as roots.
 */
export function processTree(procs: readonly ProcessInfo[]): TreeRow[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const children = new Map<number, ProcessInfo[]>();
  for (const p of procs) {
    if (p.ppid === p.pid || !byPid.has(p.ppid)) continue;
    const l = children.get(p.ppid);
    if (l) l.push(p);
    else children.set(p.ppid, [p]);
  }
  for (const l of children.values()) l.sort((a, b) => a.pid - b.pid);
  const out: TreeRow[] = [];
  const placed = new Set<number>();
  const walk = (p: ProcessInfo, lead: string, glyph: string) => {
    if (placed.has(p.pid)) return;
    placed.add(p.pid);
    out.push({ proc: p, prefix: lead + glyph });
    const kids = children.get(p.pid) ?? [];
    const nextLead = lead + (glyph === '' ? '' : glyph === '└─ ' ? '   ' : '│  ');
    kids.forEach((k, i) => walk(k, nextLead, i === kids.length - 1 ? '└─ ' : '├─ '));
  };
  const sorted = [...procs].sort((a, b) => a.pid - b.pid);
  for (const p of sorted) if (p.ppid === p.pid || !byPid.has(p.ppid)) walk(p, '', '');
  for (const p of sorted) walk(p, '', '');
  return out;
}

/** One read of `top`: when, and each pid's CPU seconds then. */
export interface CpuReading {
  at: number;
  seconds: ReadonlyMap<number, number>;
}

export function cpuReading(procs: readonly ProcessInfo[], at: number): CpuReading {
  return { at, seconds: new Map(procs.map((p) => [p.pid, p.cpuSeconds])) };
}

/**
 * pid → CPU % (100 = one core busy) from the previous reading to this one. A pid
 * new since then, or whose CPU time went down (a reused pid: a new process), has
 * no figure yet; neither has any when the readings are not apart in time.
 */
export function cpuPercents(prev: CpuReading | undefined, cur: CpuReading): Map<number, number> {
  const out = new Map<number, number>();
  if (!prev) return out;
  const wall = (cur.at - prev.at) / 1000;
  if (!(wall > 0)) return out;
  for (const [pid, s] of cur.seconds) {
    const before = prev.seconds.get(pid);
    if (before === undefined || s < before) continue;
    out.set(pid, ((s - before) / wall) * 100);
  }
  return out;
}
