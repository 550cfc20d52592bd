// Is a process still the one we started? Records keep a pid with its start time
// (field 22 of /proc/PID/stat), so a reused pid is never mistaken for ours.
import fs from 'node:fs';

export interface ProcStat {
  comm: string;
  state: string;
  ppid: number;
  /** Clock ticks. */
  utime: number;
  stime: number;
  /** Clock ticks since boot: with the pid, names one process for good. */
  starttime: number;
  /** Pages. */
  rss: number;
}

/** Parses /proc/PID/stat; comm (field 2) may contain spaces and parentheses. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < 0) return undefined;
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const rest = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(open + 1, close),
    state: rest[0],
    ppid: Number(rest[1]),
    utime: Number(rest[11]),
    stime: Number(rest[12]),
    starttime: Number(rest[19]),
    rss: Number(rest[21]),
  };
}

/** Field 22 of /proc/PID/stat, or null if the process is gone (or a zombie). */
export function procStartTime(pid: number): number | null {
  if (!pid) return null;
  let s: ProcStat | undefined;
  try {
    s = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
  if (!s || s.state === 'Z' || s.state === 'X') return null;
  return s.starttime;
}

export function isAlive(pid: number, startTime: number): boolean {
  const st = procStartTime(pid);
  return st !== null && st === startTime;
}

/** The process exists (whoever owns it); for lock-like markers named by pid. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
