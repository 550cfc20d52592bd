// The cgroup manager's contract. One interface, three implementations (v1, hybrid,
// v2) chosen by detectCgroups() from /proc/self/mountinfo.

export interface Limits {
  /** Memory limit in bytes. */
  memory?: number;
  /** Memory + swap in bytes; default = memory (no swap); -1 = unlimited swap. Needs `memory`. */
  memorySwap?: number;
  /** CPU quota in cores (0.5 = half a core). */
  cpus?: number;
  /** Maximum number of tasks; 0 or negative = unlimited. */
  pidsLimit?: number;
  /** Device rules allowed beyond docker's defaults ("c 1:3 rwm"); 'all' (--privileged):
   * every device (v1 `devices.allow a`, no BPF program on v2). */
  devices?: readonly string[] | 'all';
}

export interface CgroupStats {
  /** Total CPU time consumed, nanoseconds. */
  cpuUsageNs: number;
  /** Bytes, usage minus inactive_file (what docker shows). */
  memoryUsage: number;
  /** Bytes, null when unlimited. */
  memoryLimit: number | null;
  /** Page cache bytes (v1 total_cache, v2 file). */
  memoryCache: number;
  pids: number;
  pidsLimit: number | null;
  /** Bytes read / written on block devices. */
  blkioRead: number;
  blkioWrite: number;
}

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

export interface CgroupManager {
  readonly mode: CgroupMode;
  /** Parent cgroup (relative to each hierarchy's mount), e.g. 'hutch'. */
  readonly parent: string;
  /** Creates the container's cgroup(s) under `<parent>/<name>` in every hierarchy we use and
   * applies limits. Returns controller-or-'unified' → absolute dir (controllers co-mounted on
   * one v1 hierarchy map to the same dir). Fails with a clear error if a dir already
   * exists; removes what it created when it fails. */
  create(name: string, limits: Limits): Promise<Record<string, string>>;
  /** Directories a process must join (write its pid to cgroup.procs), deduplicated. */
  joinDirs(paths: Record<string, string>): string[];
  /** Whether the OOM killer killed a process of the cgroup. */
  oomKilled(paths: Record<string, string>): Promise<boolean>;
  /** Pids in the cgroup and its descendants (any hierarchy), ascending; [] once it is gone. */
  pids(paths: Record<string, string>): Promise<number[]>;
  stats(paths: Record<string, string>): Promise<CgroupStats>;
  /** SIGKILLs every process left (repeats until empty, bounded), then removes the dirs in
   * every hierarchy (descendants first). ENOENT is ignored; EBUSY is retried briefly.
   * Refuses dirs that are not direct children of this manager's parent. */
  remove(paths: Record<string, string>): Promise<void>;
  /** Removes the dirs (descendants first) only if no process is in them: a plain rmdir
   * of each, nothing killed, nothing retried. Resolves true when all are gone, false
   * when any holds a process (those are left as they are). Same refusal as remove(). */
  removeIfEmpty(paths: Record<string, string>): Promise<boolean>;
  /** Names of child cgroups under the parent, in any hierarchy, sorted. */
  listChildren(): Promise<string[]>;
  /** The paths create(name) would return, without touching anything. */
  pathsFor(name: string): Record<string, string>;
  /** Removes the parent dir in every hierarchy if it has no children left (for tests).
   * Resolves true when it is gone everywhere. */
  removeParentIfEmpty(): Promise<boolean>;
}

/** The tiny file-system surface the managers use; the real one is on node:fs, tests
 * can substitute a fake kernel. Calls are synchronous: cgroupfs answers at once. */
export interface CgroupFs {
  readFile(path: string): string;
  /** One write() call, no O_CREAT: cgroup files exist or the write fails. */
  writeFile(path: string, data: string): void;
  /** One write() per value on one open file (devices.allow takes one rule per
   * write); optional: without it each value is a writeFile. Throws with the
   * failing value as `value`. */
  writeEach?(path: string, values: readonly string[]): void;
  /** One level; EEXIST when present. */
  mkdir(path: string): void;
  rmdir(path: string): void;
  readdir(path: string): { name: string; dir: boolean }[];
  exists(path: string): boolean;
}
