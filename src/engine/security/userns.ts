// `--userns=auto[:size=N]`: each container gets its own range of host ids, root
// inside being the range's first id outside. Ranges come from hutch's own pool,
// host ids POOL_START… (far above any login or system uid, and above where
// useradd puts /etc/subuid ranges, 100000 + 65536·n), minus every range listed in
// /etc/subuid and /etc/subgid (another user's rootless containers must never share
// ids with ours). The pool is the machine's, not a state root's: two roots side by
// side must not hand out the same ids either. It is one file, /var/lib/hutch/userns.json
// ($HUTCH_USERNS_POOL moves it), each range recorded with its container's root and
// id under the pool's lock, recorded in the container's record too, and freed by
// `rm`; a range whose container is gone (even with its whole root) is freed by the
// next allocation or gc.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors.js';
import { DEFAULT_ROOT } from '../paths.js';
import { readJson, writeJsonAtomic } from '../state/atomic.js';
import { withLock, type FlockApi } from '../state/lock.js';

export const POOL_START = 100_000_000;
/** The last id a range may use (uid_t's 2^32-1 is "no id", and 2^31 keeps clear of signed misreadings). */
export const POOL_END = 2 ** 31 - 1;
export const DEFAULT_SIZE = 65536;

export interface IdRange {
  /** Host uid of root inside (and host gid, unless gidBase says otherwise). */
  base: number;
  size: number;
  /** userns-remap=USER:GROUP: the group's /etc/subgid range may start elsewhere. */
  gidBase?: number;
}

/** The host gid of gid 0 inside. */
export const gidBase = (r: IdRange): number => r.gidBase ?? r.base;

export type UsernsMode = { kind: 'host' } | { kind: 'auto'; size: number };

/** `host`, `auto`, `auto:size=N` (docker's and podman's spelling); one-line errors. */
export function parseUserns(v: string | undefined): UsernsMode {
  if (v === undefined || v === '' || v === 'host') return { kind: 'host' };
  const m = /^auto(?::(.*))?$/.exec(v);
  if (!m) throw new InvalidArgument(`invalid --userns ${JSON.stringify(v)}: host, auto or auto:size=N`);
  let size = DEFAULT_SIZE;
  for (const opt of m[1] ? m[1].split(',') : []) {
    const s = /^size=(\d+)$/.exec(opt);
    // At least 1 id (root); at most what a uid_map entry of the pool can hold.
    if (!s || Number(s[1]) < 1 || Number(s[1]) > POOL_END - POOL_START) throw new InvalidArgument(`invalid --userns option ${JSON.stringify(opt)}: size=N with N from 1 to ${POOL_END - POOL_START}`);
    size = Number(s[1]);
  }
  return { kind: 'auto', size };
}

interface PoolEntry extends IdRange {
  id: string;
  /** The container's state root (absent in a pool file of an older hutch: the default root). */
  root?: string;
}

interface PoolFile {
  ranges: PoolEntry[];
}

/** Ranges of /etc/subuid and /etc/subgid lines (`name:start:count`). */
export function subidRanges(files: readonly string[] = ['/etc/subuid', '/etc/subgid']): IdRange[] {
  const out: IdRange[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^[^:#\s][^:]*:(\d+):(\d+)\s*$/.exec(line);
      if (m) out.push({ base: Number(m[1]), size: Number(m[2]) });
    }
  }
  return out;
}

/** The lowest base in the pool where size ids overlap none of taken. */
export function firstFit(taken: readonly IdRange[], size: number, start = POOL_START, end = POOL_END): number | null {
  const sorted = [...taken].sort((a, b) => a.base - b.base);
  let base = start;
  for (const r of sorted) {
    if (r.base + r.size <= base) continue;
    if (r.base >= base + size) break;
    base = r.base + r.size;
  }
  return base + size - 1 <= end ? base : null;
}

/** The machine's pool file. */
export function poolPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HUTCH_USERNS_POOL || path.join(DEFAULT_ROOT, 'userns.json'));
}

/** The pool's entries that are not gone: `alive` judges this root's containers; another
 * root's container lives while its directory, or its creator's `.tmp-<pid>-<id>` with a
 * live pid, is there. Reserved ids (REMAP_ID) always live while their root does. */
function liveEntries(p: PoolFile, root: string, alive: (id: string) => boolean): PoolEntry[] {
  return p.ranges.filter((r) => {
    const rr = path.resolve(r.root ?? DEFAULT_ROOT);
    if (rr === root) return r.id === REMAP_ID || alive(r.id);
    return otherRootHas(rr, r.id);
  });
}

function otherRootHas(root: string, id: string): boolean {
  if (!fs.existsSync(root)) return false;
  if (id === REMAP_ID) return true;
  const dir = path.join(root, 'containers');
  if (fs.existsSync(path.join(dir, id))) return true;
  try {
    return fs.readdirSync(dir).some((n) => {
      const m = /^\.tmp-(\d+)-(.*)$/.exec(n);
      return !!m && m[2] === id && fs.existsSync(`/proc/${m[1]}`);
    });
  } catch {
    return false;
  }
}

/** Under the pool's lock: drops ranges whose container is gone, then runs fn on the rest. */
async function withPool<T>(native: FlockApi, root: string, alive: (id: string) => boolean, fn: (p: PoolFile) => T): Promise<T> {
  const file = poolPath();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o711 });
  return withLock(native, `${file}.lock`, () => {
    const p = readJson<PoolFile>(file) ?? { ranges: [] };
    const before = JSON.stringify(p.ranges);
    p.ranges = liveEntries(p, path.resolve(root), alive);
    const out = fn(p);
    if (JSON.stringify(p.ranges) !== before) writeJsonAtomic(file, p);
    return out;
  });
}

/** A free range of size ids for container id of root. */
export async function allocateRange(native: FlockApi, root: string, id: string, size: number, alive: (id: string) => boolean): Promise<IdRange> {
  return withPool(native, root, (x) => x === id || alive(x), (p) => {
    const base = firstFit([...p.ranges, ...subidRanges()], size);
    if (base === null) throw new InvalidArgument(`--userns=auto: no free range of ${size} ids left in hutch's pool`);
    p.ranges.push({ id, root: path.resolve(root), base, size });
    return { base, size };
  });
}

/** Frees the ranges of root's containers that alive() says are gone (and those of
 * containers gone elsewhere); returns how many of root's were freed. */
export async function releaseRanges(native: FlockApi, root: string, alive: (id: string) => boolean): Promise<number> {
  if (!fs.existsSync(poolPath())) return 0;
  const mine = (p: PoolFile) => p.ranges.filter((r) => path.resolve(r.root ?? DEFAULT_ROOT) === path.resolve(root)).length;
  let before = 0;
  const file = poolPath();
  await withLock(native, `${file}.lock`, () => {
    before = mine(readJson<PoolFile>(file) ?? { ranges: [] });
  });
  return withPool(native, root, alive, (p) => before - mine(p));
}

// ---- userns-remap: the state root's default user namespace (settings.ts) ----

/** The pool id of a root's one shared range (userns-remap=default). */
export const REMAP_ID = 'userns-remap';

/** The root's shared range, allocated once and kept while the root exists. */
export async function remapRange(native: FlockApi, root: string): Promise<IdRange> {
  return withPool(native, root, () => false, (p) => {
    const have = p.ranges.find((r) => r.id === REMAP_ID && path.resolve(r.root ?? DEFAULT_ROOT) === path.resolve(root));
    if (have) return { base: have.base, size: have.size };
    const base = firstFit([...p.ranges, ...subidRanges()], DEFAULT_SIZE);
    if (base === null) throw new InvalidArgument(`userns-remap: no free range of ${DEFAULT_SIZE} ids left in hutch's pool`);
    p.ranges.push({ id: REMAP_ID, root: path.resolve(root), base, size: DEFAULT_SIZE });
    return { base, size: DEFAULT_SIZE };
  });
}

/** userns-remap=USER[:GROUP] (docker's): the first /etc/subuid range of USER and
 * /etc/subgid range of GROUP (USER's by default), as docker takes them. */
export function subidRangeOf(user: string, group = user, files = { uid: '/etc/subuid', gid: '/etc/subgid' }): IdRange {
  const first = (file: string, name: string): IdRange => {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      /* missing: no range */
    }
    for (const line of text.split('\n')) {
      const m = /^([^:#\s][^:]*):(\d+):(\d+)\s*$/.exec(line);
      if (m && m[1] === name) return { base: Number(m[2]), size: Number(m[3]) };
    }
    throw new InvalidArgument(`userns-remap: no range for "${name}" in ${file} (add a line "${name}:START:COUNT", e.g. with usermod --add-sub${file === files.gid ? 'gids' : 'uids'})`);
  };
  const u = first(files.uid, user);
  const g = first(files.gid, group);
  const size = Math.min(u.size, g.size);
  return g.base === u.base ? { base: u.base, size } : { base: u.base, size, gidBase: g.base };
}

/** Gives the tree's entries (an upper dir just made) the range's ids: id u becomes base+u. */
export function shiftOwner(dir: string, r: IdRange): void {
  const shift = (p: string, st: fs.Stats) => {
    if (st.uid < r.size && st.gid < r.size) fs.lchownSync(p, r.base + st.uid, gidBase(r) + st.gid);
  };
  shift(dir, fs.lstatSync(dir));
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) shiftOwner(p, r);
    else shift(p, fs.lstatSync(p));
  }
}

/** How a container's ids are found: its own --userns, else the root's userns-remap. */
export type UsernsPlan =
  | { kind: 'host' }
  | { kind: 'auto'; size: number }
  | { kind: 'remap'; user?: string; group?: string };

export function usernsPlan(flag: string | undefined, remap: string | undefined): UsernsPlan {
  if (flag !== undefined && flag !== '') return parseUserns(flag);
  if (!remap) return { kind: 'host' };
  if (remap.startsWith('auto')) return parseUserns(remap);
  if (remap === 'default') return { kind: 'remap' };
  const [user, group] = remap.split(':');
  return { kind: 'remap', user, group: group || user };
}
