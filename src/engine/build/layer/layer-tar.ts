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
// `emit`; when emit returns false, drain() waits (backpressure). Which PAX
// records an entry gets is decided here; the header and record bytes are
// images/archive/tar-header.ts's, shared with cp's and save's writers.
import type { TarEntry, TarSink } from '../../images/extract/tar-reader.js';
import { BLOCK, MAX_OCTAL_12, MAX_OCTAL_8, blockPadding, overflowRecords, paxDecimal, paxRecord, ustarHeader, type UstarFields } from '../../images/archive/tar-header.js';

/** The PAX record encoding, under the name this module has always exported it by. */
export { paxRecord as record };

const CHUNK = 1 << 20;

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
    const pax = overflowRecords(name, e, size);
    if (e.mtimeSec < 0 || e.mtimeSec > MAX_OCTAL_12) pax.push(paxDecimal('mtime', e.mtimeSec));
    if (e.devMajor > MAX_OCTAL_8) pax.push(paxDecimal('SCHILY.devmajor', e.devMajor));
    if (e.devMinor > MAX_OCTAL_8) pax.push(paxDecimal('SCHILY.devminor', e.devMinor));
    if (e.xattrs) {
      // Sorted by name: the order the walker read them in must not change the bytes.
      const xs = [...e.xattrs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, v] of xs) pax.push(paxRecord(`SCHILY.xattr.${k}`, Buffer.from(v.buffer, v.byteOffset, v.byteLength)));
    }
    if (pax.length) {
      const body = Buffer.concat(pax);
      this.writeHeader({ name: paxName(name), type: 'x', mode: 0o644, uid: 0, gid: 0, size: body.length, mtimeSec: e.mtimeSec });
      this.bytesIn(body, 0, body.length);
      this.zeros(blockPadding(body.length));
    }
    this.writeHeader({ ...e, name, size });
    this.entries++;
    this.left = size;
    this.pad = blockPadding(size);
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

  private writeHeader(f: UstarFields): void {
    this.bytesIn(ustarHeader(this.header, f), 0, BLOCK);
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
