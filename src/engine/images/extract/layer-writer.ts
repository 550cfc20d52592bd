// The policy half of extraction: turns parsed tar entries into addon calls.
// Checks names and limits, decides what a whiteout means in each mode, skips
// device nodes outside the allow-list, and keeps the set of paths this layer
// wrote (an 'apply' whiteout or opaque directory never hides those).
import type { Native } from '../../native/native.js';
import { entryError, ExtractError, showName, showText } from './error.js';
import { MAX_PATH_BYTES } from './limits.js';
import { BadPath, basename, canonicalPath, depth, dirname, join } from './entry-path.js';
import type { TarEntry, TarSink } from './tar-reader.js';
import type { WhiteoutMode } from './index.js';

export interface WriterOptions {
  whiteouts: WhiteoutMode;
  maxEntries: number;
  maxDepth: number;
  maxBytes: number;
  allowDevices: boolean;
  /** Apply owners from the archive (we are root). */
  chown: boolean;
  /** Paths may cross mount points (cp into a running container's volumes); symlinks stay in-root. */
  crossMounts?: boolean;
}

// Kinds as the addon numbers them.
const FILE = 0;
const HARDLINK = 1;
const SYMLINK = 2;
const CHAR = 3;
const BLOCK_DEV = 4;
const DIR = 5;
const FIFO = 6;

const KIND: Record<string, number> = { '0': FILE, '\0': FILE, '7': FILE, '1': HARDLINK, '2': SYMLINK, '3': CHAR, '4': BLOCK_DEV, '5': DIR, '6': FIFO, D: DIR };

const WH = '.wh.';
const MAX_ID = 0xffffffff;
const OPAQUE = '.wh..wh..opq';
/** A non-final component that starts with ".wh.". */
const WH_DIR = /(?:^|\/)\.wh\.[^/]*\//;

/** The device nodes an image may carry (same list as the addon's DeviceAllowed): not the console, which the monitor makes itself. */
export function deviceAllowed(kind: 'char' | 'block', major: number, minor: number): boolean {
  if (kind !== 'char') return false;
  if (major === 1) return minor === 3 || minor === 5 || minor === 7 || minor === 8 || minor === 9;
  return major === 5 && (minor === 0 || minor === 2);
}

function sizeText(n: number): string {
  return n >= 1024 ** 3 && n % 1024 ** 3 === 0 ? `${n / 1024 ** 3} GiB` : `${n} bytes`;
}

export class LayerWriter implements TarSink {
  entries = 0;
  private contentBytes = 0;
  private readonly h: number;
  private closed = false;
  /** An entry's file is open in the addon, waiting for more data. */
  private fileOpen = false;
  private current = '';
  private readonly meta = new Float64Array(7);
  private readonly skipped: string[] = [];
  /** 'apply' only: canonical paths written by this layer, and their ancestors. */
  private readonly written = new Set<string>();

  constructor(
    private readonly native: Native,
    root: string,
    private readonly opts: WriterOptions,
  ) {
    const flags = (opts.whiteouts === 'overlay' ? 1 : 0) | (opts.chown ? 2 : 0) | (opts.allowDevices ? 4 : 0) | (opts.crossMounts ? 8 : 0);
    try {
      this.h = native.layerOpen(root, flags);
    } catch (e) {
      throw new ExtractError(`cannot open the extraction root ${root}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
    }
  }

  entry(e: TarEntry, buf: Buffer, off: number, len: number): void {
    this.current = e.name;
    this.fileOpen = false;
    if (++this.entries > this.opts.maxEntries) throw new ExtractError(`layer has more than ${this.opts.maxEntries} entries (maxEntries)`);
    const path = this.check(e.name, e.name);
    if (e.size > 0) {
      if (e.size > this.opts.maxBytes) throw entryError(e.name, `size ${e.size} exceeds the limit of ${sizeText(this.opts.maxBytes)} (maxBytes)`);
      this.contentBytes += e.size;
      if (this.contentBytes > this.opts.maxBytes) throw entryError(e.name, `layer content exceeds the limit of ${sizeText(this.opts.maxBytes)} (maxBytes)`);
    }
    const base = basename(path);
    if (base.startsWith(WH) && this.opts.whiteouts !== 'none') return this.whiteout(e, path, base);
    let kind = KIND[e.type];
    if (kind === undefined) throw entryError(e.name, `unsupported entry type '${showName(e.type)}'`);
    // Old tars mark directories as files whose name ends in '/'.
    if (kind === FILE && (e.type === '\0' || e.type === '0') && e.name.endsWith('/')) kind = DIR;
    let link: string | null = null;
    if (kind === HARDLINK) {
      link = this.check(e.linkname, e.name, 'hardlink target ');
    } else if (kind === SYMLINK) {
      if (!e.linkname) throw entryError(e.name, 'symlink with an empty target');
      if (e.linkname.includes('\0')) throw entryError(e.name, 'NUL byte in symlink target');
      link = e.linkname; // kept verbatim: resolved inside the root, later, by whoever follows it
    } else if (kind === CHAR || kind === BLOCK_DEV) {
      const what = kind === CHAR ? 'char' : 'block';
      if (!this.opts.allowDevices || !deviceAllowed(what, e.devMajor, e.devMinor)) {
        const why = this.opts.allowDevices ? 'not in the allow-list' : 'device nodes not allowed';
        this.skipped.push(`layer entry "${showName(e.name)}": ${what} device ${e.devMajor}:${e.devMinor} not created (${why})`);
        return;
      }
    }
    if (path === '' && kind !== DIR) throw entryError(e.name, 'entry would replace the root directory');
    for (const [v, what] of [[e.uid, 'uid'], [e.gid, 'gid'], [e.devMajor, 'device major'], [e.devMinor, 'device minor']] as const) {
      if (!(v >= 0 && v <= MAX_ID)) throw entryError(e.name, `${what} ${v} is out of range`);
    }
    const m = this.meta;
    m[0] = e.mode & 0o7777;
    m[1] = e.uid;
    m[2] = e.gid;
    m[3] = e.mtimeSec;
    m[4] = e.mtimeNsec;
    m[5] = e.devMajor;
    m[6] = e.devMinor;
    let xattrs: Array<string | Uint8Array> | null = null;
    if (e.xattrs) xattrs = this.xattrs(e, path);
    const isFile = kind === FILE;
    try {
      this.fileOpen = this.native.layerEntry(this.h, kind, path, link, m, isFile ? buf : null, isFile ? off : 0, isFile ? len : 0, isFile ? e.size : 0, xattrs);
    } catch (err) {
      throw this.fail(e.name, err);
    }
    if (this.opts.whiteouts === 'apply') this.wrote(path);
  }

  data(buf: Buffer, off: number, len: number): void {
    if (!this.fileOpen) return; // data of an entry that is not a file (whiteout, dumpdir)
    try {
      this.fileOpen = this.native.layerData(this.h, buf, off, len);
    } catch (err) {
      throw this.fail(this.current, err);
    }
  }

  /** Directory modes and times, then closes. Returns what was skipped. */
  finish(): string[] {
    this.closed = true;
    try {
      return [...this.skipped, ...this.native.layerClose(this.h, true)];
    } catch (err) {
      throw new ExtractError(`layer extraction: ${showText((err as Error).message)}`, (err as NodeJS.ErrnoException).code);
    }
  }

  /** Closes without finishing (after an error). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.native.layerClose(this.h, false);
    } catch {
      /* already failing */
    }
  }

  private check(name: string, entryName: string, what = ''): string {
    let path: string;
    try {
      path = canonicalPath(name);
    } catch (e) {
      if (e instanceof BadPath) throw entryError(entryName, what ? `${what}"${showName(name)}": ${e.message}` : e.message);
      throw e;
    }
    // Names are byte strings: length is bytes.
    if (path.length > MAX_PATH_BYTES) throw entryError(entryName, `${what}path is ${path.length} bytes long, more than ${MAX_PATH_BYTES} (PATH_MAX)`);
    const d = depth(path);
    if (d > this.opts.maxDepth) throw entryError(entryName, `${what}path has ${d} components, more than ${this.opts.maxDepth} (maxDepth)`);
    // A directory named like a whiteout would turn into one on the next export.
    if (this.opts.whiteouts !== 'none' && path.includes(WH) && WH_DIR.test(path)) throw entryError(entryName, `${what}"${WH}" prefix in a directory name`);
    return path;
  }

  private whiteout(e: TarEntry, path: string, base: string): void {
    const dir = dirname(path);
    try {
      if (base === OPAQUE) {
        if (this.opts.whiteouts === 'overlay') this.native.layerOpaque(this.h, dir);
        else this.opaqueApply(dir);
        return;
      }
      if (base.startsWith(WH + WH)) {
        this.skipped.push(`layer entry "${showName(e.name)}": AUFS metadata ignored`);
        return;
      }
      const name = base.slice(WH.length);
      if (name === '' || name === '.' || name === '..') throw entryError(e.name, `invalid whiteout "${showName(base)}"`);
      if (this.opts.whiteouts === 'apply' && this.written.has(join(dir, name))) return; // never hides this layer's own
      this.native.layerWhiteout(this.h, dir, name);
    } catch (err) {
      if (err instanceof ExtractError) throw err;
      throw this.fail(e.name, err, 'whiteout: ');
    }
  }

  /** Removes what `dir` holds from lower layers: everything this layer did not write. */
  private opaqueApply(dir: string): void {
    for (const n of this.native.layerList(this.h, dir)) {
      const isDir = n.endsWith('/');
      const child = join(dir, isDir ? n.slice(0, -1) : n);
      if (!this.written.has(child)) this.native.layerRemove(this.h, child);
      else if (isDir) this.opaqueApply(child);
    }
  }

  private wrote(path: string): void {
    for (let p = path; p && !this.written.has(p); p = dirname(p)) this.written.add(p);
  }

  private xattrs(e: TarEntry, path: string): Array<string | Uint8Array> {
    const out: Array<string | Uint8Array> = [];
    for (const [name, value] of e.xattrs!) {
      // The snapshotter's own: an image must not steer overlayfs (redirects, metacopy, opaque).
      if (/^(trusted|user)\.overlay\./.test(name)) {
        this.skipped.push(`layer entry "${showName(path)}": xattr ${showName(name)} ignored (reserved for overlayfs)`);
        continue;
      }
      out.push(name, value);
    }
    return out;
  }

  private fail(name: string, err: unknown, what = ''): ExtractError {
    const x = err as NodeJS.ErrnoException;
    return entryError(name, what + showText(x?.message ?? String(err)), x?.code);
  }
}
