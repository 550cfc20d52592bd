// A tar writer (ustar, with pax records for what ustar cannot hold: names and
// link targets over 100 bytes, sizes ≥ 8 GiB, ids over 2097151, sub-second
// mtimes are dropped as GNU tar does by default). It is a TarSink, so the same
// walkers that feed the safe extractor feed it. Names are byte strings
// (latin1): they go out as the bytes they were. Output is batched into chunks
// of CHUNK bytes handed to `emit`; when emit returns false, drain() waits.
// The header and record bytes are images/archive/tar-header.ts's, shared with
// the layer and save writers.
import type { TarEntry, TarSink } from '../images/extract/tar-reader.js';
import { BLOCK, blockPadding, overflowRecords, ustarHeader, type UstarFields } from '../images/archive/tar-header.js';

const CHUNK = 1 << 20;

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
    const size = e.type === '0' ? e.size : 0;
    const pax = overflowRecords(name, e, size);
    if (pax.length) {
      const body = Buffer.concat(pax);
      this.writeHeader({ name: 'PaxHeaders/' + name.slice(0, 80), type: 'x', mode: 0o644, uid: 0, gid: 0, size: body.length, mtimeSec: e.mtimeSec });
      this.bytes(body, 0, body.length);
      this.zeros(blockPadding(body.length));
    }
    this.writeHeader({ ...e, name, size });
    this.left = size;
    this.pad = blockPadding(size);
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

  private writeHeader(f: UstarFields): void {
    this.bytes(ustarHeader(this.header, f), 0, BLOCK);
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
