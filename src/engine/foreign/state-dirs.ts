// Other engines' containers from their runtimes' state directories, as ctop's runc
// connector finds them: runc's `<root>/<id>/state.json` (runc itself, podman, docker's
// moby namespace, containerd's per-namespace roots, hutch-runc), crun's
// `<root>/<id>/status`. Read only: nothing here writes or signals.
import fs from 'node:fs';
import path from 'node:path';
import type { ForeignContainer, ForeignEngine } from './types.js';

/** A state directory and the engine its containers belong to. */
export interface StateRoot {
  dir: string;
  engine: ForeignEngine;
  /** runc's state.json per container, crun's status, or hutch-runc's state.json. */
  layout: 'runc' | 'crun' | 'hutch-runc';
  /** containerd's namespace (k8s.io for the kubelet's), shown beside the name. */
  namespace?: string;
}

/** Where Debian's packages keep them (as root); containerd's namespaces are found below its runc root. */
export function defaultStateRoots(run = '/run'): StateRoot[] {
  const roots: StateRoot[] = [
    { dir: path.join(run, 'runc'), engine: 'runc', layout: 'runc' },
    { dir: path.join(run, 'crun'), engine: 'crun', layout: 'crun' },
    { dir: path.join(run, 'docker/runtime-runc/moby'), engine: 'docker', layout: 'runc' },
    { dir: path.join(run, 'hutch-runc'), engine: 'hutch-runc', layout: 'hutch-runc' },
  ];
  const ctrd = path.join(run, 'containerd/runc');
  for (const ns of readdir(ctrd)) roots.push({ dir: path.join(ctrd, ns), engine: ns === 'k8s.io' ? 'kubernetes' : 'containerd', layout: 'runc', namespace: ns });
  return roots;
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** runc's cgroup_paths: controller → directory, '' for the cgroup2 one (our `unified`). */
function cgroupPathsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object') return out;
  for (const [k, p] of Object.entries(v as Record<string, unknown>)) if (typeof p === 'string' && p) out[k === '' ? 'unified' : k] = p;
  return out;
}

function fromRunc(root: StateRoot, id: string): ForeignContainer | null {
  const s = readJson(path.join(root.dir, id, 'state.json'));
  if (!s) return null;
  const config = (s.config ?? {}) as Record<string, unknown>;
  const labels = Array.isArray(config.labels) ? (config.labels as unknown[]).map(str) : [];
  const bundle = labels.find((l) => l.startsWith('bundle='))?.slice(7) ?? '';
  return {
    id: str(s.id) || id,
    engine: root.engine,
    ...(root.namespace ? { namespace: root.namespace } : {}),
    pid: num(s.init_process_pid),
    pidStartTime: num(s.init_process_start),
    created: str(s.created),
    bundle,
    rootfs: str(config.rootfs),
    cgroupPaths: cgroupPathsOf(s.cgroup_paths),
    source: path.join(root.dir, id),
  };
}

/** crun's status names one cgroup path, relative to the cgroup root; `resolve` maps it to directories. */
function fromCrun(root: StateRoot, id: string, resolve: (rel: string) => Record<string, string>): ForeignContainer | null {
  const s = readJson(path.join(root.dir, id, 'status'));
  if (!s) return null;
  const rel = str(s['cgroup-path']);
  return {
    id,
    engine: root.engine,
    pid: num(s.pid),
    pidStartTime: num(s['process-start-time']),
    created: str(s.created),
    bundle: str(s.bundle),
    rootfs: str(s.rootfs),
    cgroupPaths: rel ? resolve(rel) : {},
    source: path.join(root.dir, id),
  };
}

/** hutch-runc's state.json (native/runc/state.c): pid, start, bundle, rootfs, created and
 * its cgroup directories, which `place` maps to controllers. */
function fromHutchRunc(root: StateRoot, id: string, place: (dirs: string[]) => Record<string, string>): ForeignContainer | null {
  const s = readJson(path.join(root.dir, id, 'state.json'));
  if (!s) return null;
  const dirs = Array.isArray(s.cgroups) ? (s.cgroups as unknown[]).map(str).filter(Boolean) : [];
  return {
    id: str(s.id) || id,
    engine: root.engine,
    pid: num(s.pid),
    pidStartTime: num(s.start),
    created: str(s.created),
    bundle: str(s.bundle),
    rootfs: str(s.rootfs),
    cgroupPaths: place(dirs),
    source: path.join(root.dir, id),
  };
}

/** How cgroup paths are turned into ContainerInfo.cgroupPaths: a relative path (crun), directories (hutch-runc). */
export interface CgroupPlacer {
  resolve(rel: string): Record<string, string>;
  place(dirs: string[]): Record<string, string>;
}

/** Every container found under the roots (running or not: the caller checks its pid). */
export function scanStateRoots(roots: readonly StateRoot[], cg: CgroupPlacer): ForeignContainer[] {
  return new StateDirCache().scan(roots, cg);
}

/**
 * The same, for a scanner that sweeps every second: a new container's state file is
 * parsed at once; a known one's is looked at again (a stat: its mtime and size, runc
 * rewrites it whole by rename) every `recheckMs`, parsed again only if it moved — it
 * changes rarely (update, pause). So most sweeps over hundreds of containers are a
 * directory listing per root: a stat each costs ~4 ms at 500.
 */
export class StateDirCache {
  private files = new Map<string, { mtime: number; size: number; checked: number; c: ForeignContainer | null }>();

  constructor(private readonly recheckMs = 5000) {}

  scan(roots: readonly StateRoot[], cg: CgroupPlacer, now = Date.now()): ForeignContainer[] {
    const out: ForeignContainer[] = [];
    const seen = new Set<string>();
    for (const root of roots) {
      for (const id of readdir(root.dir)) {
        const file = path.join(root.dir, id, root.layout === 'crun' ? 'status' : 'state.json');
        let hit = this.files.get(file);
        if (!hit || now - hit.checked >= this.recheckMs) {
          const st = fs.statSync(file, { throwIfNoEntry: false });
          if (!st) continue;
          if (!hit || hit.mtime !== st.mtimeMs || hit.size !== st.size) {
            const c = root.layout === 'runc' ? fromRunc(root, id) : root.layout === 'crun' ? fromCrun(root, id, cg.resolve) : fromHutchRunc(root, id, cg.place);
            hit = { mtime: st.mtimeMs, size: st.size, checked: now, c };
            this.files.set(file, hit);
          } else hit.checked = now;
        }
        seen.add(file);
        if (hit.c) out.push(hit.c);
      }
    }
    for (const f of this.files.keys()) if (!seen.has(f)) this.files.delete(f);
    return out;
  }
}
