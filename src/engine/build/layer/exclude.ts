// Which mount points to leave out of a layer. Before a container runs, the monitor
// makes a target for each mount that the image lacks (an empty file for
// /etc/hosts, /etc/hostname, /etc/resolv.conf, an empty directory for /proc, /sys,
// /dev, a volume), and create.ts may make the working directory: those land in the
// upper directory although the step never wrote them. Docker keeps them out (its
// init layer); so do we, but only where that is what happened: a candidate is left
// out when, in the upper, it is an empty regular file or an empty directory (not
// opaque) and no lower layer has that path. Then so is each directory above it
// that holds nothing else: one the lower layers lack (made for the mount point),
// or one they have with the same mode and owner (copied up only because the
// mount point was made in it: /etc for /etc/hosts). An image whose step really
// wrote /etc/hosts, or that shipped it, keeps it.
import type { InRootStat, Native } from '../../native/native.js';
import { isWhiteout } from './upper-walk.js';

export type ExcludeNative = Pick<Native, 'openRoot' | 'inRootOpen' | 'inRootStat' | 'inRootList' | 'inRootGetXattr' | 'closeFd'>;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** The candidates' canonical relative form ('/etc/hosts' → 'etc/hosts'); '' and '..' are dropped. */
export function relPath(p: string): string | null {
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (!parts.length || parts.includes('..')) return null;
  return parts.join('/');
}

/**
 * The relative paths to leave out of the layer of the upper directory open at
 * `upperfd`; `lowerdirs` are the layers below it, top first.
 */
export function mountPointExclusions(native: ExcludeNative, upperfd: number, lowerdirs: readonly string[], candidates: readonly string[]): Set<string> {
  const out = new Set<string>();
  const wanted = [...new Set(candidates.map(relPath).filter((p): p is string => p !== null))];
  if (!wanted.length) return out;
  const lowers = lowerdirs.map((d) => native.openRoot(d));
  try {
    const inLower = (rel: string) => lowerStat(native, lowers, rel) !== null;
    // Deepest first: a directory is judged once the candidates below it are.
    wanted.sort((a, b) => depth(b) - depth(a));
    for (const rel of wanted) {
      if (!realDirsAbove(native, upperfd, rel)) continue;
      const st = native.inRootStat(upperfd, rel, false);
      if (!st || !emptyMade(native, upperfd, rel, st, out)) continue;
      if (inLower(rel)) continue;
      out.add(rel);
      for (let p = parent(rel); p; p = parent(p)) {
        const pst = native.inRootStat(upperfd, p, false);
        if (!pst || !emptyMade(native, upperfd, p, pst, out)) break;
        const below = lowerStat(native, lowers, p);
        if (below && (below.mode !== pst.mode || below.uid !== pst.uid || below.gid !== pst.gid)) break;
        out.add(p);
      }
    }
    return out;
  } finally {
    for (const fd of lowers) native.closeFd(fd);
  }
}

/** An empty file, or a directory (not opaque) holding nothing but what is already left out. */
function emptyMade(native: ExcludeNative, upperfd: number, rel: string, st: { mode: number; size: number; nlink: number }, out: Set<string>): boolean {
  const type = st.mode & S_IFMT;
  if (type === S_IFREG) return st.size === 0 && st.nlink === 1;
  if (type !== S_IFDIR) return false;
  if (native.inRootGetXattr(upperfd, rel, 'trusted.overlay.opaque') === 'y') return false;
  return native.inRootList(upperfd, rel).every((n) => out.has(`${rel}/${n}`));
}

/** Every ancestor of rel in the upper is a directory (not a symlink, which would put it elsewhere). */
function realDirsAbove(native: ExcludeNative, upperfd: number, rel: string): boolean {
  for (let p = parent(rel); p; p = parent(p)) {
    const st = native.inRootStat(upperfd, p, false);
    if (!st || (st.mode & S_IFMT) !== S_IFDIR) return false;
  }
  return true;
}

/** What one layer (open at fd) has at rel, or null; `MAYBE` for a symlink on the way. */
const MAYBE: InRootStat = { mode: S_IFLNK, uid: -1, gid: -1, size: 0, mtimeSec: 0, mtimeNsec: 0, ino: 0, nlink: 1, rdevMajor: 0, rdevMinor: 0, dev: '', mntId: 0 };

/**
 * rel in one layer, component by component without leaving the layer: a whiteout
 * or a file on the way means none; a symlink on the way means "maybe" (where it
 * leads depends on the other layers), answered MAYBE so that the candidate is kept.
 */
function layerStat(native: ExcludeNative, fd: number, rel: string): InRootStat | null {
  const parts = rel.split('/');
  let cur = fd;
  const opened: number[] = [];
  try {
    for (let i = 0; i < parts.length; i++) {
      const st = native.inRootStat(cur, parts[i], false);
      if (!st || isWhiteout(st)) return null;
      const type = st.mode & S_IFMT;
      if (i === parts.length - 1) return st;
      if (type === S_IFLNK) return MAYBE;
      if (type !== S_IFDIR) return null;
      cur = native.inRootOpen(cur, parts[i], 4);
      opened.push(cur);
    }
    return null;
  } finally {
    for (const o of opened) native.closeFd(o);
  }
}

/**
 * What the merged lower layers (top first) show at rel: the topmost layer that has
 * it, unless one above hides it (a whiteout of rel or of a parent, an opaque parent).
 */
function lowerStat(native: ExcludeNative, lowers: readonly number[], rel: string): InRootStat | null {
  for (const fd of lowers) {
    const st = layerStat(native, fd, rel);
    if (st) return st;
    for (let p = rel; p; p = parent(p)) {
      const h = native.inRootStat(fd, p, false);
      if (h && isWhiteout(h)) return null;
      if (p !== rel && h && (h.mode & S_IFMT) === S_IFDIR && native.inRootGetXattr(fd, p, 'trusted.overlay.opaque') === 'y') return null;
    }
  }
  return null;
}

function parent(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

function depth(rel: string): number {
  return rel.split('/').length;
}
