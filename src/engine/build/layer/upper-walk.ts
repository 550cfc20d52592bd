// Walks an overlayfs upper directory and turns it into layer tar entries
// (image-spec layer.md "Whiteouts"): a char device 0:0 is a deleted name and
// becomes an empty `.wh.NAME` file; a directory with trusted.overlay.opaque=y
// hides what lower layers hold below it and gets `.wh..wh..opq` as its first
// entry; a regular file seen again under another name (same inode) is a tar
// hardlink to the first name. Entries come directory first, then its contents
// sorted by their tar name (bytes), so the same tree always gives the same tar.
// overlayfs' own xattrs (trusted.overlay.origin, impure…) stay out; a file's
// security.capability goes in.
//
// Every look at the tree is fd-relative through the addon's in-root calls: a
// running container (commit --pause=false) that swaps a name for a symlink
// meanwhile gets that entry skipped or refused, never a host file read.
import fs from 'node:fs';
import type { InRootStat, Native } from '../../native/native.js';
import type { TarEntry, TarSink } from '../../images/extract/tar-reader.js';
import { deviceAllowed } from '../../images/extract/layer-writer.js';
import { MAX_PATH_BYTES } from '../../images/extract/limits.js';
import { isRacy, listInRoot } from '../../fs/walk.js';
import { layerError } from './errors.js';

export type WalkNative = Pick<Native, 'inRootList' | 'inRootStat' | 'inRootOpen' | 'inRootReadlink' | 'inRootGetXattr' | 'closeFd'>;

export interface WalkSink extends TarSink {
  /** Awaited between entries (backpressure). */
  drain(): Promise<void>;
}

export interface UpperWalkOptions {
  /** Relative paths left out (mount points the step's engine made: exclude.ts). */
  exclude?: ReadonlySet<string>;
  /** Mtimes later than this (seconds since the epoch) are written as this. */
  sourceDateEpoch?: number;
  /** --userns: the upper holds host ids of this range; the layer gets the container's. */
  idRange?: { base: number; size: number };
}

export interface UpperWalkResult {
  /** Tar entries given to the sink (whiteouts and opaque markers included). */
  entries: number;
  /** Paths whose mtime was clamped to sourceDateEpoch (a snapshot made by move sets them too). */
  clamped: string[];
  /** Device nodes the extractor would not create (outside its allow-list): kept in the
   * tar, but not in a snapshot, so that a snapshot made by move equals an extracted one. */
  devices: string[];
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';
/** An id outside the range is not mapped in the container: it shows as nobody. */
const OVERFLOW_ID = 65534;
const READ_CHUNK = 1 << 20;

const readBuf = Buffer.allocUnsafe(READ_CHUNK);

interface Child {
  name: string;
  rel: string;
  tarName: string;
  st: InRootStat;
}

/** Feeds the layer form of the upper directory open at `upperfd` to `sink`. */
export async function walkUpper(native: WalkNative, upperfd: number, sink: WalkSink, opts: UpperWalkOptions = {}): Promise<UpperWalkResult> {
  const exclude = opts.exclude ?? new Set<string>();
  const epoch = opts.sourceDateEpoch;
  const range = opts.idRange;
  const res: UpperWalkResult = { entries: 0, clamped: [], devices: [] };
  const links = new Map<string, string>();
  const id = (n: number) => (!range ? n : n >= range.base && n < range.base + range.size ? n - range.base : OVERFLOW_ID);

  const base = (name: string, type: string, st: InRootStat, rel: string | null): TarEntry => {
    let mtime = st.mtimeSec;
    if (epoch !== undefined && mtime > epoch) {
      mtime = epoch;
      if (rel !== null) res.clamped.push(rel);
    }
    return { type, name, linkname: '', mode: st.mode & 0o7777, uid: id(st.uid), gid: id(st.gid), size: 0, mtimeSec: mtime, mtimeNsec: 0, devMajor: 0, devMinor: 0, xattrs: null };
  };
  const emit = async (e: TarEntry, data: Buffer = readBuf, len = 0) => {
    sink.entry(e, data, 0, len);
    res.entries++;
    await sink.drain();
  };

  const walkDir = async (dirfd: number, at: string): Promise<void> => {
    const names = listInRoot(native, dirfd);
    if (!names) return;
    const children: Child[] = [];
    for (const name of names) {
      const rel = at ? `${at}/${name}` : name;
      if (exclude.has(rel)) continue;
      const st = native.inRootStat(dirfd, name, false);
      if (!st) continue; // gone meanwhile
      const whiteout = isWhiteout(st);
      if (!whiteout && name.startsWith(WH)) throw layerError(`"/${rel}": names starting with ${WH} are reserved for whiteouts in image layers`);
      if (Buffer.byteLength(rel, 'latin1') > MAX_PATH_BYTES) throw layerError(`"/${rel.slice(0, 60)}…": path longer than ${MAX_PATH_BYTES} bytes`);
      children.push({ name, rel, tarName: whiteout ? `${at ? `${at}/` : ''}${WH}${name}` : rel, st });
    }
    children.sort((a, b) => (a.tarName < b.tarName ? -1 : a.tarName > b.tarName ? 1 : 0));
    for (const c of children) {
      const type = c.st.mode & S_IFMT;
      if (isWhiteout(c.st)) {
        const e = base(c.tarName, '0', c.st, null);
        e.mode = 0o600;
        await emit(e);
      } else if (type === S_IFDIR) {
        await dir(dirfd, c);
      } else if (type === S_IFREG) {
        await file(dirfd, c);
      } else if (type === S_IFLNK) {
        const e = base(c.rel, '2', c.st, c.rel);
        try {
          e.linkname = native.inRootReadlink(dirfd, c.name);
        } catch (err) {
          if (isRacy(err) || (err as NodeJS.ErrnoException).code === 'EINVAL') continue;
          throw err;
        }
        await emit(e);
      } else if (type === S_IFCHR || type === S_IFBLK) {
        const e = base(c.rel, type === S_IFCHR ? '3' : '4', c.st, c.rel);
        e.devMajor = c.st.rdevMajor;
        e.devMinor = c.st.rdevMinor;
        if (!deviceAllowed(type === S_IFCHR ? 'char' : 'block', e.devMajor, e.devMinor)) res.devices.push(c.rel);
        await emit(e);
      } else if (type === S_IFIFO) {
        await emit(base(c.rel, '6', c.st, c.rel));
      }
      // Sockets: not archivable (tar and docker skip them too).
    }
  };

  const dir = async (parentfd: number, c: Child): Promise<void> => {
    let fd: number;
    try {
      fd = native.inRootOpen(parentfd, c.name, 4);
    } catch (e) {
      if (isRacy(e)) return;
      throw e;
    }
    try {
      const now = native.inRootStat(fd, '', false);
      if (!now || now.ino !== c.st.ino || now.dev !== c.st.dev) return; // replaced meanwhile
      if (native.inRootGetXattr(parentfd, c.name, 'trusted.overlay.redirect') !== null)
        throw layerError(`"/${c.rel}": a renamed directory recorded as an overlayfs redirect (redirect_dir=on); its contents are not in the upper directory`);
      const opaque = native.inRootGetXattr(parentfd, c.name, 'trusted.overlay.opaque') === 'y';
      await emit(base(c.rel, '5', now, c.rel));
      if (opaque) {
        const e = base(`${c.rel}/${OPAQUE}`, '0', now, null);
        e.mode &= 0o777;
        await emit(e);
      }
      await walkDir(fd, c.rel);
    } finally {
      native.closeFd(fd);
    }
  };

  const file = async (dirfd: number, c: Child): Promise<void> => {
    const e = base(c.rel, '0', c.st, c.rel);
    const key = c.st.nlink > 1 ? `${c.st.dev}:${c.st.ino}` : '';
    const first = key ? links.get(key) : undefined;
    if (first !== undefined) {
      e.type = '1';
      e.linkname = first;
      await emit(e);
      return;
    }
    let fd: number;
    try {
      fd = native.inRootOpen(dirfd, c.name, 2);
    } catch (err) {
      if (isRacy(err)) return;
      throw err;
    }
    try {
      const now = fs.fstatSync(fd);
      if (!now.isFile() || now.ino !== c.st.ino) return;
      const cap = native.inRootGetXattr(dirfd, c.name, 'security.capability');
      if (cap !== null) e.xattrs = [['security.capability', Buffer.from(cap, 'latin1')]];
      e.size = c.st.size;
      // Later names of this inode link to this one, which is in the tar from here on.
      if (key) links.set(key, c.rel);
      // The first chunk goes with the header, the rest after it; a file that shrank
      // meanwhile (a running container) is padded with zeros to the size announced.
      let pos = 0;
      let first = true;
      while (first || pos < e.size) {
        const want = Math.min(READ_CHUNK, e.size - pos);
        let n = want > 0 ? fs.readSync(fd, readBuf, 0, want, pos) : 0;
        if (n === 0 && want > 0) {
          readBuf.fill(0, 0, want);
          n = want;
        }
        if (first) {
          sink.entry(e, readBuf, 0, n);
          res.entries++;
        } else sink.data(readBuf, 0, n);
        first = false;
        pos += n;
        await sink.drain();
      }
    } finally {
      fs.closeSync(fd);
    }
  };

  await walkDir(upperfd, '');
  return res;
}

export function isWhiteout(st: InRootStat): boolean {
  return (st.mode & S_IFMT) === S_IFCHR && st.rdevMajor === 0 && st.rdevMinor === 0;
}
