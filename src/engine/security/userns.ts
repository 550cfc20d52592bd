// `--userns=auto[:size=N]`: each container gets its own range of host ids, root
// inside being the range's first id outside. Ranges come from hutch's own pool,
// host ids POOL_START… (far above any login or system uid, and above where
// useradd puts /etc/subuid ranges, 100000 + 65536·n), minus every range listed in
// /etc/subuid and /etc/subgid (another user's rootless containers must never share
// ids with ours). They are allocated under a lock in <root>/userns.json, recorded in
// the container's record, and freed by `rm`; gc frees those of containers that are gone.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors.js';
import { readJson, writeJsonAtomic } from '../state/atomic.js';
import { withLock, type FlockApi } from '../state/lock.js';

export const POOL_START = 100_000_000;
/** The last id a range may use (uid_t's 2^32-1 is "no id", and 2^31 keeps clear of signed misreadings). */
export const POOL_END = 2 ** 31 - 1;
export const DEFAULT_SIZE = 65536;

export interface IdRange {
  base: number;
  size: number;
}

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

interface PoolFile {
  ranges: Array<IdRange & { id: string }>;
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

const poolFile = (root: string) => path.join(root, 'userns.json');

/** Under the pool's lock: drops ranges whose container is gone (alive(id) false), then runs fn on the rest. */
async function withPool<T>(native: FlockApi, root: string, alive: (id: string) => boolean, fn: (p: PoolFile) => T): Promise<T> {
  return withLock(native, path.join(root, 'userns.lock'), () => {
    const p = readJson<PoolFile>(poolFile(root)) ?? { ranges: [] };
    p.ranges = p.ranges.filter((r) => alive(r.id));
    return fn(p);
  });
}

/** A free range of size ids for container id. */
export async function allocateRange(native: FlockApi, root: string, id: string, size: number, alive: (id: string) => boolean): Promise<IdRange> {
  return withPool(native, root, (x) => x === id || alive(x), (p) => {
    const base = firstFit([...p.ranges, ...subidRanges()], size);
    if (base === null) throw new InvalidArgument(`--userns=auto: no free range of ${size} ids left in hutch's pool`);
    p.ranges.push({ id, base, size });
    writeJsonAtomic(poolFile(root), p);
    return { base, size };
  });
}

/** Frees id's range (and those of containers that are gone); returns how many ranges were freed. */
export async function releaseRanges(native: FlockApi, root: string, alive: (id: string) => boolean): Promise<number> {
  if (!fs.existsSync(poolFile(root))) return 0;
  return withPool(native, root, () => true, (p) => {
    const before = p.ranges.length;
    p.ranges = p.ranges.filter((r) => alive(r.id));
    if (p.ranges.length !== before) writeJsonAtomic(poolFile(root), p);
    return before - p.ranges.length;
  });
}

/** Gives the tree's entries (an upper dir just made) the range's ids: id u becomes base+u. */
export function shiftOwner(dir: string, r: IdRange): void {
  const shift = (p: string, st: fs.Stats) => {
    if (st.uid < r.size && st.gid < r.size) fs.lchownSync(p, r.base + st.uid, r.base + st.gid);
  };
  shift(dir, fs.lstatSync(dir));
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) shiftOwner(p, r);
    else shift(p, fs.lstatSync(p));
  }
}
