// Other engines' containers from the cgroup tree alone (the fallback when their state
// directories are not readable, and the only trace of some): the directory names
// docker, podman, containerd and CRI-O give their containers' cgroups, on v1 (walked
// in one hierarchy, the others have the same relative paths) and v2. Paths are
// parameters so tests walk a fake tree. Read only.
import fs from 'node:fs';
import path from 'node:path';
import type { ForeignContainer, ForeignEngine } from './types.js';

const HEX = '([0-9a-f]{64})';
/** A directory name and what it says; `parent` must be the name of the directory above. */
const PATTERNS: { re: RegExp; engine: ForeignEngine; parent?: RegExp }[] = [
  { re: new RegExp(`^docker-${HEX}\\.scope$`), engine: 'docker' },
  { re: new RegExp(`^${HEX}$`), engine: 'docker', parent: /^docker$/ },
  { re: new RegExp(`^libpod-${HEX}\\.scope$`), engine: 'podman' },
  { re: new RegExp(`^libpod-${HEX}$`), engine: 'podman', parent: /^libpod_parent$/ },
  { re: new RegExp(`^cri-containerd-${HEX}\\.scope$`), engine: 'kubernetes' },
  { re: new RegExp(`^crio-${HEX}\\.scope$`), engine: 'cri-o' },
  // kubepods on cgroupfs: kubepods/<qos>/pod<uid>/<id>
  { re: new RegExp(`^${HEX}$`), engine: 'kubernetes', parent: /^pod[0-9a-f_-]+$/ },
];

const MAX_DEPTH = 6;

export interface CgroupTree {
  /** The hierarchy walked: v1's memory mount, or the cgroup2 mount. */
  dir: string;
  /** Maps a path relative to the tree's root to every controller's directory. */
  resolve(rel: string): Record<string, string>;
}

/** Found containers; never descends into a match, nor into hutch's own parents (`hutch`, `hutch-…`). */
export function scanCgroupTree(tree: CgroupTree): ForeignContainer[] {
  const out: ForeignContainer[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const parent = path.basename(rel);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const name = e.name;
      if (depth === 0 && (name === 'hutch' || name.startsWith('hutch-'))) continue;
      const childRel = rel ? `${rel}/${name}` : name;
      const hit = PATTERNS.map((p) => ({ p, m: p.re.exec(name) })).find(({ p, m }) => m && (!p.parent || p.parent.test(parent)));
      if (hit?.m) {
        const engine: ForeignEngine = hit.p.engine === 'docker' && childRel.includes('kubepods') ? 'kubernetes' : hit.p.engine;
        out.push({ id: hit.m[1], engine, pid: firstPid(path.join(dir, name)), pidStartTime: 0, created: '', bundle: '', rootfs: '', cgroupPaths: tree.resolve(`/${childRel}`), source: path.join(dir, name) });
        continue;
      }
      if (depth < MAX_DEPTH) walk(path.join(dir, name), childRel, depth + 1);
    }
  };
  walk(tree.dir, '', 0);
  return out;
}

function firstPid(dir: string): number {
  try {
    const text = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
    const n = parseInt(text, 10);
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}
