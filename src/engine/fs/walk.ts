// Walkers turning a file tree into tar entries for a TarSink (the safe
// extractor's LayerWriter, or TarWriter). Two sources:
//   - walkInRoot: a container's tree, every step fd-relative through Native's
//     in-root calls: a directory is opened from its parent's fd, a name is
//     looked at without following it, a file is opened O_NOFOLLOW and checked
//     to be the inode that was listed. A container racing to swap a name for a
//     symlink gets that entry skipped, never a host file read.
//   - walkHost: a host tree (the user's own files), with node:fs.
// Entries are named `prefix/relative` (latin1 byte strings); hardlinked files
// after the first become hardlink entries to the first one's name.
import fs from 'node:fs';
import type { InRootStat, Native } from '../native/native.js';
import type { TarEntry, TarSink } from '../images/extract/tar-reader.js';

export interface Sink extends TarSink {
  /** Awaited between entries (backpressure). */
  drain?(): Promise<void>;
}

export interface WalkOptions {
  /** Emit only the children of the top directory, not the top itself. */
  contents?: boolean;
  /** Do not descend into other mounts than the top's (export: no volumes). */
  oneMount?: boolean;
}

const S_IFMT = 0o170000;
const TYPE: Record<number, string> = { 0o100000: '0', 0o040000: '5', 0o120000: '2', 0o020000: '3', 0o060000: '4', 0o010000: '6' };
const READ_CHUNK = 1 << 20;
/** Errors a racing container can cause on a name it changed: skip that name. */
const RACY = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EXDEV', 'ESTALE']);

/** True for an error a racing container can cause on a name it changed: that name is skipped. */
export function isRacy(e: unknown): boolean {
  return RACY.has((e as NodeJS.ErrnoException).code ?? '');
}

/** The names in the directory open at `dirfd` (unsorted); null when a racing container removed it meanwhile. */
export function listInRoot(native: Pick<Native, 'inRootList'>, dirfd: number): string[] | null {
  try {
    return native.inRootList(dirfd, '');
  } catch (e) {
    if (isRacy(e)) return null;
    throw e;
  }
}

const buffer = Buffer.alloc(READ_CHUNK);

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}/${name}` : name;
}

function baseEntry(name: string, type: string, st: { mode: number; uid: number; gid: number; mtimeSec: number; mtimeNsec: number }): TarEntry {
  return { type, name, linkname: '', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtimeSec: st.mtimeSec, mtimeNsec: st.mtimeNsec, devMajor: 0, devMinor: 0, xattrs: null };
}

/** Sends a file's `size` bytes from fd (padding with zeros should it shrink meanwhile). */
function sendFile(sink: TarSink, e: TarEntry, fd: number): void {
  let pos = 0;
  let first = true;
  while (pos < e.size || first) {
    const want = Math.min(READ_CHUNK, e.size - pos);
    let n = want > 0 ? fs.readSync(fd, buffer, 0, want, pos) : 0;
    if (n === 0 && want > 0) {
      buffer.fill(0, 0, want);
      n = want;
    }
    if (first) sink.entry(e, buffer, 0, n);
    else sink.data(buffer, 0, n);
    first = false;
    pos += n;
  }
}

class Links {
  private readonly seen = new Map<string, string>();
  /** The name an earlier entry gave this inode, or undefined (and remembers this one). */
  check(key: string, nlink: number, name: string): string | undefined {
    if (nlink < 2) return undefined;
    const first = this.seen.get(key);
    if (first === undefined) this.seen.set(key, name);
    return first;
  }
}

/**
 * The tree at `path` inside `rootfd` (its top followed when `follow`), as
 * entries named under `prefix`. Returns the number of entries.
 */
export async function walkInRoot(native: Native, rootfd: number, path: string, follow: boolean, prefix: string, sink: Sink, opts: WalkOptions = {}): Promise<number> {
  const top = native.inRootOpen(rootfd, path, follow ? 1 : 0);
  let count = 0;
  const links = new Links();
  try {
    const st = native.inRootStat(top, '', false);
    if (!st) return 0;
    const isDir = (st.mode & S_IFMT) === 0o040000;
    if (!isDir || !opts.contents) {
      if (!isDir) {
        // A top that is not a directory: emitted from its parent's view, by this fd.
        emitOne(native, top, '', st, prefix, sink, links, true);
        return 1;
      }
      sink.entry(baseEntry(prefix, '5', st), buffer, 0, 0);
      count++;
    }
    const walkDir = async (dirfd: number, at: string, mnt: number): Promise<void> => {
      const names = listInRoot(native, dirfd);
      if (!names) return;
      names.sort();
      for (const name of names) {
        let cst: InRootStat | null;
        try {
          cst = native.inRootStat(dirfd, name, false);
        } catch (e) {
          if (isRacy(e)) continue;
          throw e;
        }
        if (!cst) continue;
        const entryName = join(at, name);
        if ((cst.mode & S_IFMT) === 0o040000) {
          if (opts.oneMount && cst.mntId !== mnt) continue;
          let child: number;
          try {
            child = native.inRootOpen(dirfd, name, 4);
          } catch (e) {
            if (isRacy(e)) continue;
            throw e;
          }
          try {
            const now = native.inRootStat(child, '', false);
            if (!now || now.ino !== cst.ino || now.dev !== cst.dev) continue;
            sink.entry(baseEntry(entryName, '5', now), buffer, 0, 0);
            count++;
            await sink.drain?.();
            await walkDir(child, entryName, mnt);
          } finally {
            native.closeFd(child);
          }
        } else if (emitOne(native, dirfd, name, cst, entryName, sink, links, false)) {
          count++;
          await sink.drain?.();
        }
      }
    };
    if (isDir) await walkDir(top, prefix, st.mntId);
    return count;
  } finally {
    native.closeFd(top);
  }
}

/** One non-directory: `name` in dirfd, or dirfd itself when name is '' (an O_PATH fd). */
function emitOne(native: Native, dirfd: number, name: string, st: InRootStat, entryName: string, sink: TarSink, links: Links, self: boolean): boolean {
  const type = TYPE[st.mode & S_IFMT];
  if (type === undefined) return false; // a socket: tar skips them too
  const e = baseEntry(entryName, type, st);
  if (type === '0') {
    const first = links.check(`${st.dev}:${st.ino}`, st.nlink, entryName);
    if (first !== undefined) {
      e.type = '1';
      e.linkname = first;
      sink.entry(e, buffer, 0, 0);
      return true;
    }
    let fd: number;
    try {
      // An O_PATH fd is reopened through its own magic link: same inode, no name resolved.
      fd = self ? fs.openSync(`/proc/self/fd/${dirfd}`, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY) : native.inRootOpen(dirfd, name, 2);
    } catch (err) {
      if (isRacy(err)) return false;
      throw err;
    }
    try {
      const now = fs.fstatSync(fd);
      if (!now.isFile() || now.ino !== st.ino) return false;
      e.size = st.size;
      sendFile(sink, e, fd);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  }
  if (type === '2') {
    try {
      e.linkname = native.inRootReadlink(dirfd, name);
    } catch (err) {
      if (isRacy(err) || (err as NodeJS.ErrnoException).code === 'EINVAL') return false;
      throw err;
    }
  } else if (type === '3' || type === '4') {
    e.devMajor = st.rdevMajor;
    e.devMinor = st.rdevMinor;
  }
  sink.entry(e, buffer, 0, 0);
  return true;
}

/** The host tree at `path` (latin1), as entries under `prefix`; its top followed when `follow`. */
export async function walkHost(path: string, follow: boolean, prefix: string, sink: Sink, opts: WalkOptions = {}): Promise<number> {
  const links = new Links();
  let count = 0;
  const b = (p: string) => Buffer.from(p, 'latin1');
  const visit = async (p: string, name: string, st: fs.Stats, top: boolean): Promise<void> => {
    const s = { mode: st.mode, uid: st.uid, gid: st.gid, mtimeSec: Math.floor(st.mtimeMs / 1000), mtimeNsec: 0 };
    if (st.isDirectory()) {
      if (!(top && opts.contents)) {
        sink.entry(baseEntry(name, '5', s), buffer, 0, 0);
        count++;
        await sink.drain?.();
      }
      const names = (fs.readdirSync(b(p), { encoding: 'latin1' }) as string[]).sort();
      for (const n of names) {
        let cst: fs.Stats;
        try {
          cst = fs.lstatSync(b(`${p}/${n}`));
        } catch {
          continue;
        }
        await visit(`${p}/${n}`, join(name, n), cst, false);
      }
      return;
    }
    const type = TYPE[st.mode & S_IFMT];
    if (type === undefined) return;
    const e = baseEntry(name, type, s);
    if (type === '0') {
      const first = links.check(`${st.dev}:${st.ino}`, st.nlink, name);
      if (first !== undefined) {
        e.type = '1';
        e.linkname = first;
        sink.entry(e, buffer, 0, 0);
      } else {
        const fd = fs.openSync(b(p), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
        try {
          e.size = st.size;
          sendFile(sink, e, fd);
        } finally {
          fs.closeSync(fd);
        }
      }
    } else {
      if (type === '2') e.linkname = fs.readlinkSync(b(p), { encoding: 'latin1' });
      if (type === '3' || type === '4') {
        e.devMajor = Math.floor(st.rdev / 256) & 0xfff;
        e.devMinor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
      }
      sink.entry(e, buffer, 0, 0);
    }
    count++;
    await sink.drain?.();
  };
  const st = follow ? fs.statSync(b(path)) : fs.lstatSync(b(path));
  await visit(follow && st.isFile() ? fs.realpathSync(b(path), { encoding: 'latin1' }) : path, prefix, st, true);
  return count;
}
