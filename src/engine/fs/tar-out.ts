// A tar writer (ustar, with pax records for what ustar cannot hold: names and
// link targets over 100 bytes, sizes ≥ 8 GiB, ids over 2097151, sub-second
// mtimes are dropped as GNU tar does by default). It is a TarSink, so the same
// walkers that feed the safe extractor feed it. Names are byte strings
// (latin1): they go out as the bytes they were. Output is batched into chunks
// of CHUNK bytes handed to `emit`; when emit returns false, drain() waits.
import type { TarEntry, TarSink } from '../images/extract/tar-reader.js';

const BLOCK = 512;
const CHUNK = 1 << 20;
const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

export interface Emitter {
  /** A chunk of the archive (owned by the callee); false asks to wait for drain. */
  emit(chunk: Buffer): boolean;
  /** Resolves when emit may be called again. */
  waitDrain(): Promise<void>;
}

export class TarWriter implements TarSink {
  private buf = Buffer.alloc(CHUNK);
  private used = 0;
  private left = 0; // data bytes still owed to the current entry
  private pad = 0;
  private blocked = false;
  private readonly header = Buffer.alloc(BLOCK);

  constructor(private readonly out: Emitter) {}

  entry(e: TarEntry, data: Buffer, off: number, len: number): void {
    if (this.left > 0) this.zeros(this.left);
    this.zeros(this.pad);
    let name = e.type === '5' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
    if (name === '/') name = './';
    const pax: string[] = [];
    if (Buffer.byteLength(name, 'latin1') > 100) pax.push(record('path', name));
    if (Buffer.byteLength(e.linkname, 'latin1') > 100) pax.push(record('linkpath', e.linkname));
    const size = e.type === '0' ? e.size : 0;
    if (size > MAX_OCTAL_12) pax.push(record('size', String(size)));
    if (e.uid > MAX_OCTAL_8) pax.push(record('uid', String(e.uid)));
    if (e.gid > MAX_OCTAL_8) pax.push(record('gid', String(e.gid)));
    if (pax.length) {
      const body = Buffer.from(pax.join(''), 'latin1');
      this.writeHeader('PaxHeaders/' + name.slice(0, 80), 'x', 0o644, 0, 0, body.length, e.mtimeSec, '', 0, 0);
      this.bytes(body, 0, body.length);
      this.zeros(padOf(body.length));
    }
    this.writeHeader(name, e.type, e.mode, e.uid, e.gid, size, e.mtimeSec, e.linkname, e.devMajor, e.devMinor);
    this.left = size;
    this.pad = padOf(size);
    if (len > 0) this.data(data, off, len);
  }

  data(buf: Buffer, off: number, len: number): void {
    const n = Math.min(len, this.left);
    this.bytes(buf, off, n);
    this.left -= n;
  }

  /** Ends the archive: two zero blocks, then the last chunk. */
  finish(): void {
    if (this.left > 0) this.zeros(this.left);
    this.zeros(this.pad + 2 * BLOCK);
    this.left = this.pad = 0;
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
    h.write(name.slice(0, 100), 0, 100, 'latin1');
    octal(h, 100, 8, mode & 0o7777);
    octal(h, 108, 8, Math.min(uid, MAX_OCTAL_8));
    octal(h, 116, 8, Math.min(gid, MAX_OCTAL_8));
    octal(h, 124, 12, Math.min(size, MAX_OCTAL_12));
    octal(h, 136, 12, Math.max(0, Math.min(mtime, MAX_OCTAL_12)));
    h.write(type, 156, 1, 'latin1');
    h.write(link.slice(0, 100), 157, 100, 'latin1');
    h.write('ustar\u000000', 257, 8, 'latin1');
    if (type === '3' || type === '4') {
      octal(h, 329, 8, major);
      octal(h, 337, 8, minor);
    }
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += h[i];
    octal(h, 148, 7, sum);
    this.bytes(h, 0, BLOCK);
  }

  private bytes(src: Buffer, off: number, len: number): void {
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
    const chunk = this.buf.subarray(0, this.used);
    this.buf = Buffer.alloc(CHUNK);
    this.used = 0;
    if (!this.out.emit(chunk)) this.blocked = true;
  }
}

function padOf(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

/** A zero-padded octal number with its NUL in a field of `width` bytes. */
function octal(h: Buffer, at: number, width: number, n: number): void {
  h.write(Math.trunc(n).toString(8).padStart(width - 1, '0'), at, width - 1, 'latin1');
}

/** One pax record: "LEN key=value\n", LEN counting itself. */
function record(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const n = Buffer.byteLength(body, 'latin1');
  let len = n + String(n).length;
  if (String(len).length !== String(n).length) len = n + String(len).length;
  return `${len}${body}`;
}
