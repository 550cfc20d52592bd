// The tar writer of image layers (image-spec layer.md): ustar headers with PAX
// records for what ustar cannot hold (names and link targets over 100 bytes,
// sizes of 8 GiB and more, large ids and device numbers, mtimes before 1970 or
// past 2242) and for extended attributes (SCHILY.xattr.NAME, as Go's archive/tar
// and GNU tar write them). Numeric ids only, no user or group names, whole-second
// mtimes (as moby truncates them), no record padding: the same tree always gives
// the same bytes, hence the same diff id.
//
// It is a TarSink, so the walker that feeds it could feed the extractor's
// LayerWriter as well. Output is batched into CHUNK-byte buffers handed to
// `emit`; when emit returns false, drain() waits (backpressure).
import type { TarEntry, TarSink } from '../../images/extract/tar-reader.js';

const BLOCK = 512;
const CHUNK = 1 << 20;
const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

export interface Emitter {
  /** A chunk of the archive (owned by the callee); false asks to wait for drain. */
  emit(chunk: Buffer): boolean;
  /** Resolves when emit may be called again (rejects when the consumer failed). */
  waitDrain(): Promise<void>;
}

export class LayerTar implements TarSink {
  /** Archive bytes produced so far. */
  bytes = 0;
  /** Entries written (PAX headers not counted). */
  entries = 0;
  private buf = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private left = 0; // data bytes still owed to the current entry
  private pad = 0;
  private blocked = false;
  private readonly header = Buffer.alloc(BLOCK);

  constructor(private readonly out: Emitter) {}

  entry(e: TarEntry, data: Buffer, off: number, len: number): void {
    if (this.left > 0) throw new Error(`layer tar: entry "${e.name}" started with ${this.left} bytes of the previous one missing`);
    this.zeros(this.pad);
    this.pad = 0;
    const name = e.type === '5' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
    const size = e.type === '0' ? e.size : 0;
    const pax: Buffer[] = [];
    if (Buffer.byteLength(name, 'latin1') > 100) pax.push(record('path', latin1(name)));
    if (Buffer.byteLength(e.linkname, 'latin1') > 100) pax.push(record('linkpath', latin1(e.linkname)));
    if (size > MAX_OCTAL_12) pax.push(record('size', ascii(size)));
    if (e.uid > MAX_OCTAL_8) pax.push(record('uid', ascii(e.uid)));
    if (e.gid > MAX_OCTAL_8) pax.push(record('gid', ascii(e.gid)));
    if (e.mtimeSec < 0 || e.mtimeSec > MAX_OCTAL_12) pax.push(record('mtime', ascii(e.mtimeSec)));
    if (e.devMajor > MAX_OCTAL_8) pax.push(record('SCHILY.devmajor', ascii(e.devMajor)));
    if (e.devMinor > MAX_OCTAL_8) pax.push(record('SCHILY.devminor', ascii(e.devMinor)));
    if (e.xattrs) {
      // Sorted by name: the order the walker read them in must not change the bytes.
      const xs = [...e.xattrs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, v] of xs) pax.push(record(`SCHILY.xattr.${k}`, Buffer.from(v.buffer, v.byteOffset, v.byteLength)));
    }
    const mtime = Math.max(0, Math.min(e.mtimeSec, MAX_OCTAL_12));
    if (pax.length) {
      const body = Buffer.concat(pax);
      this.writeHeader(paxName(name), 'x', 0o644, 0, 0, body.length, mtime, '', 0, 0);
      this.bytesIn(body, 0, body.length);
      this.zeros(padOf(body.length));
    }
    this.writeHeader(name, e.type, e.mode, e.uid, e.gid, size, mtime, e.linkname, e.devMajor, e.devMinor);
    this.entries++;
    this.left = size;
    this.pad = padOf(size);
    if (len > 0) this.data(data, off, len);
  }

  data(buf: Buffer, off: number, len: number): void {
    if (len > this.left) throw new Error(`layer tar: ${len - this.left} bytes more than the entry's size`);
    this.bytesIn(buf, off, len);
    this.left -= len;
  }

  /** Ends the archive (two zero blocks) and hands over the last chunk. */
  finish(): void {
    if (this.left > 0) throw new Error(`layer tar: the last entry is ${this.left} bytes short`);
    this.zeros(this.pad + 2 * BLOCK);
    this.pad = 0;
    this.flush();
  }

  /** Waits while the consumer is behind. */
  async drain(): Promise<void> {
    if (this.blocked) {
      this.blocked = false;
      await this.out.waitDrain();
    }
  }

  private writeHeader(name: string, type: string, mode: number, uid: number, gid: number, size: number, mtime: number, link: string, major: number, minor: number): void {
    const h = this.header;
    h.fill(0);
    h.write(name, 0, Math.min(name.length, 100), 'latin1');
    octal(h, 100, 8, mode & 0o7777);
    octal(h, 108, 8, Math.min(uid, MAX_OCTAL_8));
    octal(h, 116, 8, Math.min(gid, MAX_OCTAL_8));
    octal(h, 124, 12, Math.min(size, MAX_OCTAL_12));
    octal(h, 136, 12, mtime);
    h.write(type, 156, 1, 'latin1');
    if (link) h.write(link, 157, Math.min(link.length, 100), 'latin1');
    h.write('ustar\u000000', 257, 8, 'latin1');
    if (type === '3' || type === '4') {
      octal(h, 329, 8, Math.min(major, MAX_OCTAL_8));
      octal(h, 337, 8, Math.min(minor, MAX_OCTAL_8));
    }
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += h[i];
    octal(h, 148, 7, sum);
    this.bytesIn(h, 0, BLOCK);
  }

  private bytesIn(src: Buffer, off: number, len: number): void {
    this.bytes += len;
    while (len > 0) {
      const n = Math.min(len, CHUNK - this.used);
      src.copy(this.buf, this.used, off, off + n);
      this.used += n;
      off += n;
      len -= n;
      if (this.used === CHUNK) this.flush();
    }
  }

  private zeros(n: number): void {
    this.bytes += n;
    while (n > 0) {
      const k = Math.min(n, CHUNK - this.used);
      this.buf.fill(0, this.used, this.used + k);
      this.used += k;
      n -= k;
      if (this.used === CHUNK) this.flush();
    }
  }

  private flush(): void {
    if (this.used === 0) return;
    const chunk = this.used === CHUNK ? this.buf : Buffer.from(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
    if (!this.out.emit(chunk)) this.blocked = true;
  }
}

/** Go's name for an entry's PAX header: DIR/PaxHeaders.0/BASE, cut to 100 bytes. */
function paxName(name: string): string {
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  const i = trimmed.lastIndexOf('/');
  const p = i < 0 ? `PaxHeaders.0/${trimmed}` : `${trimmed.slice(0, i)}/PaxHeaders.0/${trimmed.slice(i + 1)}`;
  return p.slice(0, 100);
}

function padOf(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

/** A zero-padded octal number and its NUL in a field of `width` bytes. */
function octal(h: Buffer, at: number, width: number, n: number): void {
  h.write(Math.trunc(n).toString(8).padStart(width - 1, '0'), at, width - 1, 'latin1');
}

function latin1(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

function ascii(n: number): Buffer {
  return Buffer.from(String(n), 'latin1');
}

/** One PAX record, "LEN KEY=VALUE\n", LEN counting itself; the value is bytes (xattrs are binary). */
export function record(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(key, 'latin1') + value.length + 3; // ' ', '=', '\n'
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`, 'latin1'), value, Buffer.from('\n', 'latin1')]);
}
