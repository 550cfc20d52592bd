// The containers other engines run here (runc, crun, docker, podman, containerd and
// Kubernetes pods, hutch-runc), for the dashboard's read-only group: state directories
// first (they name the init pid and the bundle), the cgroup tree for the rest. A
// scanner keeps what it parsed, keyed by the file's mtime and size, so a sweep over
// hundreds of containers costs directory listings and stat calls, not JSON parsing.
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInfo } from '../types.js';
import { detectLayout, parseMountinfo, type CgroupLayout } from '../cgroups/mountinfo.js';
import { procStartTime } from '../proc.js';
import { defaultStateRoots, StateDirCache, type StateRoot } from './state-dirs.js';
import { scanCgroupTree, type CgroupTree } from './cgroup-scan.js';
import { foreignName } from './names.js';
import type { ForeignContainer } from './types.js';

export type { ForeignContainer, ForeignEngine } from './types.js';

export interface ScanOptions {
  /** State directories (default: the packages' own, under /run). */
  roots?: StateRoot[];
  /** The cgroup tree to walk for containers no state directory names; null: none. */
  tree?: CgroupTree | null;
  /** docker's data root, for names (default /var/lib/docker). */
  dockerRoot?: string;
  /** The cgroup tree is walked at most this often (ms): it is the costly part. */
  treeEveryMs?: number;
  /** The host's cgroup mounts, to place hutch-runc's directories (default: read from mountinfo). */
  layout?: CgroupLayout | null;
}

/**
 * $HUTCH_FOREIGN_ROOTS (`ENGINE:DIR,…`, crun's layout for `crun`, hutch-runc's for
 * `hutch-runc`, runc's for the rest)
 * replaces the default state directories; $HUTCH_FOREIGN_CGROUP names the tree to walk
 * (`none`: no walk). Tests point both at their own directories.
 */
export function scanOptionsFromEnv(env: NodeJS.ProcessEnv): ScanOptions {
  const opts: ScanOptions = {};
  if (env.HUTCH_FOREIGN_ROOTS !== undefined) {
    opts.roots = env.HUTCH_FOREIGN_ROOTS.split(',').filter(Boolean).map((r) => {
      const i = r.indexOf(':');
      const engine = r.slice(0, i) as StateRoot['engine'];
      return { engine, dir: r.slice(i + 1), layout: engine === 'crun' ? 'crun' : engine === 'hutch-runc' ? 'hutch-runc' : 'runc' };
    });
  }
  const tree = env.HUTCH_FOREIGN_CGROUP;
  if (tree === 'none') opts.tree = null;
  else if (tree) {
    const host = hostTree();
    opts.tree = { dir: tree, resolve: host?.resolve ?? (() => ({})) };
  }
  return opts;
}

/** A path relative to the cgroup root, as every controller's directory on this host. */
export function resolverFor(layout: CgroupLayout): (rel: string) => Record<string, string> {
  return (rel) => {
    const out: Record<string, string> = {};
    for (const h of layout.v1) {
      const dir = path.join(h.mountPoint, rel);
      for (const c of h.controllers) out[c] = dir;
    }
    if (layout.unified) out.unified = path.join(layout.unified.mountPoint, rel);
    return out;
  };
}

/** Cgroup directories as controller → directory, by the mount each lies under. */
export function placerFor(layout: CgroupLayout): (dirs: string[]) => Record<string, string> {
  return (dirs) => {
    const out: Record<string, string> = {};
    for (const d of dirs) {
      const h = layout.v1.find((x) => d.startsWith(`${x.mountPoint}/`));
      if (h) for (const c of h.controllers) out[c] = d;
      else if (layout.unified && d.startsWith(`${layout.unified.mountPoint}/`)) out.unified = d;
    }
    return out;
  };
}

function hostLayout(): CgroupLayout | null {
  try {
    return detectLayout(parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')));
  } catch {
    return null;
  }
}

/** The host's own tree: v1's memory hierarchy (each container has a directory there), or cgroup2. */
export function hostTree(layout = hostLayout()): CgroupTree | null {
  if (!layout) return null;
  const mem = layout.v1.find((h) => h.controllers.includes('memory'));
  const dir = mem?.mountPoint ?? (layout.mode === 'v2' ? layout.unified?.mountPoint : undefined);
  return dir ? { dir, resolve: resolverFor(layout) } : null;
}

export class ForeignScanner {
  private readonly roots: StateRoot[];
  private readonly tree: CgroupTree | null;
  private readonly dockerRoot: string;
  private readonly treeEveryMs: number;
  private readonly place: (dirs: string[]) => Record<string, string>;
  private readonly resolve: (rel: string) => Record<string, string>;
  private treeAt = 0;
  private treeFound: ForeignContainer[] = [];
  private readonly names = new Map<string, string>();
  private readonly states = new StateDirCache();
  private last = new Map<string, ForeignContainer>();
  private readonly starts = new Map<number, number | null>();

  constructor(opts: ScanOptions = {}) {
    this.roots = opts.roots ?? defaultStateRoots();
    this.tree = opts.tree === undefined ? hostTree() : opts.tree;
    this.dockerRoot = opts.dockerRoot ?? '/var/lib/docker';
    this.treeEveryMs = opts.treeEveryMs ?? 5000;
    const layout = opts.layout === undefined ? hostLayout() : opts.layout;
    this.place = layout ? placerFor(layout) : () => ({});
    // crun's relative cgroup paths are placed on this host's hierarchies, walked tree or not.
    this.resolve = layout ? resolverFor(layout) : (this.tree?.resolve ?? (() => ({})));
  }

  /** Every container found, as ContainerInfo with `engine` set: running when its init is alive. */
  scan(now = Date.now()): ContainerInfo[] {
    const found = this.states.scan(this.roots, { resolve: this.resolve, place: this.place }, now);
    if (this.tree && now - this.treeAt >= this.treeEveryMs) {
      this.treeFound = scanCgroupTree(this.tree);
      this.treeAt = now;
    }
    const ids = new Set(found.map((c) => c.id));
    for (const c of this.treeFound) if (!ids.has(c.id)) found.push(c);
    this.last = new Map(found.map((c) => [c.id, c]));
    return found.map((c) => this.info(c));
  }

  /** The container of the last scan with this id (what foreignCommand needs), if any. */
  found(id: string): ForeignContainer | undefined {
    return this.last.get(id);
  }

  private alive(c: ForeignContainer): boolean {
    if (!c.pid) return false;
    if (!fs.existsSync(`/proc/${c.pid}`)) return false;
    if (!c.pidStartTime) return true;
    // A reused pid is not the container's: its start time differs from the recorded one.
    let t = this.starts.get(c.pid);
    if (t === undefined || t !== c.pidStartTime) {
      t = procStartTime(c.pid);
      this.starts.set(c.pid, t);
    }
    return t === c.pidStartTime;
  }

  private info(c: ForeignContainer): ContainerInfo {
    let name = this.names.get(c.id);
    if (name === undefined) {
      name = foreignName(c, this.dockerRoot);
      this.names.set(c.id, name);
    }
    const running = this.alive(c);
    return {
      id: c.id,
      name: name || c.id.slice(0, 12),
      image: '',
      command: [],
      created: c.created,
      startedAt: c.created,
      finishedAt: '',
      status: running ? 'running' : 'exited',
      pid: running ? c.pid : 0,
      monitorPid: 0,
      exitCode: null,
      oomKilled: false,
      spec: { image: '' },
      bundle: c.bundle,
      logPath: '',
      cgroupPaths: c.cgroupPaths,
      engine: c.engine,
      ...(c.namespace ? { engineNamespace: c.namespace } : {}),
    };
  }
}
