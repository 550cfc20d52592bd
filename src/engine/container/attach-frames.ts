// The frames of a monitor's attach socket (native/PROTOCOL.md, "Attach socket"):
// [type u8][len u16 BE][data], both ways.

export const FRAME = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  exit: 3,
  resize: 4,
  stdinEof: 5,
} as const;

export interface Frame {
  type: number;
  data: Buffer;
}

const MAX_DATA = 0xffff;

/** Frames carrying `data` (cut into frames of at most 64 KiB - 1). */
export function encodeFrames(type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [];
  let off = 0;
  do {
    const n = Math.min(MAX_DATA, data.length - off);
    const hdr = Buffer.from([type, n >> 8, n & 0xff]);
    parts.push(hdr, data.subarray(off, off + n));
    off += n;
  } while (off < data.length);
  return Buffer.concat(parts);
}

export function resizeFrame(rows: number, cols: number): Buffer {
  const d = Buffer.alloc(4);
  d.writeUInt16BE(Math.max(0, Math.min(0xffff, rows)), 0);
  d.writeUInt16BE(Math.max(0, Math.min(0xffff, cols)), 2);
  return encodeFrames(FRAME.resize, d);
}

/** Splits a byte stream, cut anywhere, into frames. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 3) {
      const len = this.buf.readUInt16BE(1);
      if (this.buf.length < 3 + len) break;
      out.push({ type: this.buf[0], data: this.buf.subarray(3, 3 + len) });
      this.buf = this.buf.subarray(3 + len);
    }
    return out;
  }

  /** Bytes of a frame not yet complete (a connection that ends here was cut). */
  get pending(): number {
    return this.buf.length;
  }
}
