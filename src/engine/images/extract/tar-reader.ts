// A push parser for tar streams: feed it chunks as they come (from a file, from
// gunzip, from zstd) and it calls the sink once per entry, with the entry's
// first data bytes when they are in the same chunk, then with the rest.
//
// Framing follows Go's archive/tar, which writes and reads most image layers:
// links, symlinks, devices, directories and fifos carry no data whatever their
// size field says; a GNU long name (L/K) wins over a PAX path; PAX 'g' records
// apply to every later entry but never rename one.
import { BLOCK, decodeHeader, isZeroBlock, TarFormatError, type RawHeader } from './header.js';
import { parsePax, type PaxFields } from './pax.js';

export interface TarEntry {
  /** typeflag: '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, … */
  type: string;
  /** latin1 byte strings, after PAX and GNU long-name overrides */
  name: string;
  linkname: string;
  mode: number;
  uid: number;
  gid: number;
  /** bytes of data that follow (0 for header-only types) */
  size: number;
  mtimeSec: number;
  mtimeNsec: number;
  devMajor: number;
  devMinor: number;
  xattrs: Array<[string, Uint8Array]> | null;
}

export interface TarSink {
  /** An entry; buf[off, off+len) is the start of its data (len ≤ size). */
  entry(e: TarEntry, buf: Buffer, off: number, len: number): void;
  /** More of the current entry's data. */
  data(buf: Buffer, off: number, len: number): void;
}

/** A malformed archive, with the entry it was in when known. */
export class TarError extends Error {
  constructor(
    message: string,
    readonly entry?: string,
  ) {
    super(message);
  }
}

// Bounds on what is held in memory for one header.
const MAX_PAX = 1 << 20;
const MAX_LONGNAME = 64 << 10;
const MAX_META_RUN = 16;
/** Bytes tolerated after the end-of-archive blocks (GNU tar pads to 10 KiB records). */
export const MAX_TRAILER = 1 << 20;

const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

const enum State {
  Header,
  Data,
  Meta,
  Pad,
  End,
}

export class TarReader {
  private state = State.Header;
  private readonly scratch = Buffer.alloc(BLOCK);
  private scratchLen = 0;
  private left = 0; // data or meta bytes still to come
  private pad = 0;
  private zeroBlocks = 0;
  private current = ''; // name of the entry whose data is flowing
  private currentSize = 0;
  // Pending extension headers for the next entry.
  private meta: Buffer | null = null;
  private metaLen = 0;
  private metaType = '';
  private metaRun = 0;
  private pax: PaxFields = {};
  private readonly globals: PaxFields = {};
  private longName: string | undefined;
  private longLink: string | undefined;
  /** Bytes seen after the end-of-archive marker. */
  trailer = 0;

  constructor(private readonly sink: TarSink) {}

  push(chunk: Buffer): void {
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      switch (this.state) {
        case State.Data: {
          const take = Math.min(this.left, n - off);
          this.sink.data(chunk, off, take);
          off += take;
          this.left -= take;
          if (this.left === 0) this.state = this.pad ? State.Pad : State.Header;
          break;
        }
        case State.Pad: {
          const take = Math.min(this.pad, n - off);
          off += take;
          this.pad -= take;
          if (this.pad === 0) this.state = State.Header;
          break;
        }
        case State.Meta: {
          const take = Math.min(this.left, n - off);
          chunk.copy(this.meta!, this.metaLen, off, off + take);
          this.metaLen += take;
          off += take;
          this.left -= take;
          if (this.left === 0) {
            this.endMeta();
            this.state = this.pad ? State.Pad : State.Header;
          }
          break;
        }
        case State.Header: {
          let h: Buffer;
          let at: number;
          if (this.scratchLen === 0 && n - off >= BLOCK) {
            h = chunk;
            at = off;
            off += BLOCK;
          } else {
            const take = Math.min(BLOCK - this.scratchLen, n - off);
            chunk.copy(this.scratch, this.scratchLen, off, off + take);
            this.scratchLen += take;
            off += take;
            if (this.scratchLen < BLOCK) break;
            this.scratchLen = 0;
            h = this.scratch;
            at = 0;
          }
          const e = this.header(h, at);
          if (e) {
            const take = Math.min(e.size, n - off);
            this.sink.entry(e, chunk, off, take);
            off += take;
            this.left = e.size - take;
            this.state = this.left ? State.Data : this.pad ? State.Pad : State.Header;
          }
          break;
        }
        case State.End:
          this.trailer += n - off;
          if (this.trailer > MAX_TRAILER) throw new TarError(`more than ${MAX_TRAILER} bytes after the end of the archive`);
          off = n;
          break;
      }
    }
  }

  /** The input is over: throws if it stopped inside an entry. */
  end(): void {
    if (this.state === State.End || (this.state === State.Header && this.scratchLen === 0 && !this.metaRun)) return;
    if (this.state === State.Data)
      throw new TarError(`archive truncated: ${this.currentSize - this.left} of ${this.currentSize} bytes of data present`, this.current);
    if (this.state === State.Pad) throw new TarError('archive truncated in the padding after the data', this.current || undefined);
    if (this.state === State.Meta || this.metaRun) throw new TarError('archive truncated after an extended header');
    throw new TarError('archive truncated in the middle of a header', this.current || undefined);
  }

  /** Handles one header block; returns the entry it starts, if any. */
  private header(b: Buffer, off: number): TarEntry | null {
    if (isZeroBlock(b, off)) {
      if (this.metaRun) throw new TarError('extended header not followed by an entry');
      if (++this.zeroBlocks === 2) this.state = State.End;
      return null;
    }
    if (this.zeroBlocks) throw new TarError('invalid tar: a zero block followed by more headers');
    let h: RawHeader;
    try {
      h = decodeHeader(b, off);
    } catch (e) {
      throw new TarError((e as Error).message, this.current || undefined);
    }
    switch (h.type) {
      case 'x':
      case 'g':
      case 'L':
      case 'K':
        this.beginMeta(h);
        return null;
    }
    return this.entry(h);
  }

  private beginMeta(h: RawHeader): void {
    if (++this.metaRun > MAX_META_RUN) throw new TarError(`more than ${MAX_META_RUN} extended headers in a row`);
    const max = h.type === 'x' || h.type === 'g' ? MAX_PAX : MAX_LONGNAME;
    if (h.size > max) throw new TarError(`extended header of ${h.size} bytes (at most ${max})`, h.name);
    this.metaType = h.type;
    this.meta = Buffer.allocUnsafe(h.size);
    this.metaLen = 0;
    this.left = h.size;
    this.pad = (BLOCK - (h.size % BLOCK)) % BLOCK;
    this.current = '';
    this.currentSize = h.size;
    if (h.size === 0) this.endMeta();
    else this.state = State.Meta;
  }

  private endMeta(): void {
    const body = this.meta!;
    this.meta = null;
    try {
      switch (this.metaType) {
        case 'x':
          parsePax(body, this.pax, false);
          break;
        case 'g':
          parsePax(body, this.globals, true);
          break;
        default: {
          // GNU long name/link: NUL-terminated, NUL-padded. A NUL inside it
          // would make other tools read a different name: refused.
          let end = body.length;
          while (end > 0 && body[end - 1] === 0) end--;
          const s = body.toString('latin1', 0, end);
          if (s.includes('\0')) throw new TarFormatError('NUL byte in a GNU long name');
          if (this.metaType === 'L') this.longName = s;
          else this.longLink = s;
        }
      }
    } catch (e) {
      throw new TarError((e as Error).message);
    }
  }

  private entry(h: RawHeader): TarEntry {
    const x = this.pax;
    const g = this.globals;
    const size = HEADER_ONLY.has(h.type) ? 0 : (x.size ?? h.size);
    const e: TarEntry = {
      type: h.type,
      name: this.longName ?? x.path ?? h.name,
      linkname: this.longLink ?? x.linkpath ?? h.linkname,
      mode: h.mode,
      uid: x.uid ?? g.uid ?? h.uid,
      gid: x.gid ?? g.gid ?? h.gid,
      size,
      mtimeSec: x.mtimeSec ?? g.mtimeSec ?? h.mtime,
      mtimeNsec: x.mtimeSec !== undefined ? (x.mtimeNsec ?? 0) : g.mtimeSec !== undefined ? (g.mtimeNsec ?? 0) : 0,
      devMajor: x.devMajor ?? h.devMajor,
      devMinor: x.devMinor ?? h.devMinor,
      xattrs: x.xattrs ?? null,
    };
    if (e.size < 0) throw new TarError(`negative size ${e.size}`, e.name);
    this.pax = {};
    this.longName = this.longLink = undefined;
    this.metaRun = 0;
    this.current = e.name;
    this.currentSize = e.size;
    this.pad = (BLOCK - (e.size % BLOCK)) % BLOCK;
    return e;
  }
}
