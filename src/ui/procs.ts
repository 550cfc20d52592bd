// What the detail view shows beyond the stats: the processes of a container
// (its cgroup's cgroup.procs, then /proc/PID/stat and cmdline) and the mounts
// and limits of its OCI bundle (config.json). Plain file reads, no engine calls.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContainerInfo } from '../engine/types.js';

export interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
  /** Resident memory in bytes. */
  rss: number;
  /** User + system CPU time in seconds. */
  cpuSeconds: number;
  cmd: string;
}

export interface BundleInfo {
  hostname?: string;
  mounts: { destination: string; readonly: boolean; type?: string }[];
}

export type ProcReader = (c: ContainerInfo) => Promise<ProcInfo[]>;
export type BundleReader = (c: ContainerInfo) => Promise<BundleInfo>;

const PAGE = 4096;
const HZ = 100;

/** Parses /proc/PID/stat (the command may contain spaces and parentheses). */
export function parseStat(text: string): { state: string; ppid: number; utime: number; stime: number; rss: number; comm: string } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return {
    comm: text.slice(open + 1, close),
    state: rest[0],
    ppid: Number(rest[1]),
    utime: Number(rest[11]),
    stime: Number(rest[12]),
    rss: Number(rest[21]),
  };
}

async function cgroupPids(c: ContainerInfo): Promise<number[]> {
  const dirs = Object.entries(c.cgroupPaths ?? {});
  // Prefer controllers that every setup has (pids, memory), then whatever is there.
  dirs.sort(([a], [b]) => rank(a) - rank(b));
  for (const [, dir] of dirs) {
    try {
      const text = await fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8');
      return text.split('\n').filter(Boolean).map(Number);
    } catch {
      // try the next hierarchy
    }
  }
  return c.pid > 0 ? [c.pid] : [];
}

function rank(controller: string): number {
  const order = ['', 'unified', 'pids', 'memory', 'cpu', 'cpuacct'];
  const i = order.indexOf(controller);
  return i < 0 ? order.length : i;
}

export const readProcesses: ProcReader = async (c) => {
  if (c.status !== 'running') return [];
  const pids = await cgroupPids(c);
  const out: ProcInfo[] = [];
  await Promise.all(
    pids.slice(0, 200).map(async (pid) => {
      try {
        const [stat, cmdline] = await Promise.all([
          fs.readFile(`/proc/${pid}/stat`, 'utf8'),
          fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
        ]);
        const s = parseStat(stat);
        if (!s) return;
        const cmd = cmdline.split('\0').filter(Boolean).join(' ') || `[${s.comm}]`;
        out.push({ pid, ppid: s.ppid, state: s.state, rss: s.rss * PAGE, cpuSeconds: (s.utime + s.stime) / HZ, cmd });
      } catch {
        // the process exited meanwhile
      }
    }),
  );
  return out.sort((a, b) => a.pid - b.pid);
};

export const readBundle: BundleReader = async (c) => {
  const text = await fs.readFile(path.join(c.bundle, 'config.json'), 'utf8');
  const spec = JSON.parse(text) as {
    hostname?: string;
    mounts?: { destination?: string; type?: string; options?: string[] }[];
  };
  return {
    hostname: spec.hostname,
    mounts: (spec.mounts ?? [])
      .filter((m) => typeof m.destination === 'string')
      .map((m) => ({ destination: m.destination!, type: m.type, readonly: (m.options ?? []).includes('ro') })),
  };
};
