// /proc/self/mountinfo → which cgroup layout the host has and where each hierarchy is.
// Pure functions: the manager never assumes /sys/fs/cgroup paths.
import type { CgroupMode } from './types.js';

export interface MountInfoEntry {
  id: number;
  parentId: number;
  majorMinor: string;
  /** Root of the mount within its filesystem ('/' unless a sub-tree is mounted). */
  root: string;
  mountPoint: string;
  mountOptions: string[];
  optionalFields: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}

/** Every cgroup v1 controller the kernel knows (superblock options name them). */
export const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'blkio',
  'perf_event', 'net_prio', 'hugetlb', 'pids', 'rdma', 'misc',
]);

/** Octal escapes mountinfo uses for space, tab, newline and backslash. */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 10 || sep < 0 || f.length < sep + 3) continue; // malformed: skip
    out.push({
      id: Number(f[0]),
      parentId: Number(f[1]),
      majorMinor: f[2],
      root: unescapeMountField(f[3]),
      mountPoint: unescapeMountField(f[4]),
      mountOptions: f[5].split(','),
      optionalFields: f.slice(6, sep),
      fsType: f[sep + 1],
      source: unescapeMountField(f[sep + 2]),
      superOptions: (f[sep + 3] ?? '').split(',').filter(Boolean),
    });
  }
  return out;
}

export interface V1Hierarchy {
  mountPoint: string;
  root: string;
  /** Controllers this hierarchy carries, sorted (e.g. ['cpu', 'cpuacct']). */
  controllers: string[];
  /** The name= option of a named hierarchy (e.g. 'systemd'). */
  name?: string;
}

export interface CgroupLayout {
  mode: CgroupMode;
  /** The cgroup2 mount (the whole tree on v2, /sys/fs/cgroup/unified on hybrid). */
  unified: { mountPoint: string; root: string } | null;
  /** v1 hierarchies, one per distinct controller set (named ones included). */
  v1: V1Hierarchy[];
}

/** Controllers the v1 manager uses; a host is v1/hybrid when one of them is on a v1 mount. */
export const USED_V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];

function better(a: { root: string; mountPoint: string }, b: { root: string; mountPoint: string }): boolean {
  // Prefer the whole hierarchy (root '/'), then the shorter mount point.
  if ((a.root === '/') !== (b.root === '/')) return a.root === '/';
  return a.mountPoint.length < b.mountPoint.length;
}

export function detectLayout(mounts: MountInfoEntry[]): CgroupLayout {
  const byKey = new Map<string, V1Hierarchy>();
  let unified: CgroupLayout['unified'] = null;
  const rank = (m: string) => (m === '/sys/fs/cgroup' ? 0 : m === '/sys/fs/cgroup/unified' ? 1 : 2);
  // A mount hidden by a later one on the same mount point is not reachable
  // (e.g. a tmpfs over /sys/fs/cgroup/unified, as used to run crun here).
  const last = new Map<string, MountInfoEntry>();
  for (const m of mounts) last.set(m.mountPoint, m);
  for (const m of mounts) {
    if (last.get(m.mountPoint) !== m) continue;
    if (m.fsType === 'cgroup2') {
      const cand = { mountPoint: m.mountPoint, root: m.root };
      if (
        !unified ||
        rank(cand.mountPoint) < rank(unified.mountPoint) ||
        (rank(cand.mountPoint) === rank(unified.mountPoint) && better(cand, unified))
      )
        unified = cand;
    } else if (m.fsType === 'cgroup') {
      const controllers = m.superOptions.filter((o) => V1_CONTROLLERS.has(o)).sort();
      const nameOpt = m.superOptions.find((o) => o.startsWith('name='));
      const name = nameOpt?.slice(5);
      if (!controllers.length && !name) continue;
      const key = controllers.join(',') + (name ? `;name=${name}` : '');
      const h: V1Hierarchy = { mountPoint: m.mountPoint, root: m.root, controllers, ...(name ? { name } : {}) };
      const prev = byKey.get(key);
      if (!prev || better(h, prev)) byKey.set(key, h);
    }
  }
  const v1 = [...byKey.values()];
  const usesV1 = v1.some((h) => h.controllers.some((c) => USED_V1_CONTROLLERS.includes(c)));
  if (usesV1) return { mode: unified ? 'hybrid' : 'v1', unified, v1 };
  if (unified) return { mode: 'v2', unified, v1 };
  throw new Error('no cgroup filesystem is mounted (none in /proc/self/mountinfo)');
}
