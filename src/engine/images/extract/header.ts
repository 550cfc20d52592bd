// Decoding of one 512-byte tar header block: ustar (POSIX, with its 155-byte
// name prefix), GNU and v7 layouts, octal and base-256 numbers, both checksum
// conventions.
//
// Our own decoder rather than node-tar's Header: node-tar decodes names as
// UTF-8, which mangles the non-UTF-8 names a layer can legitimately hold; here
// every string is a latin1 "byte string" (one char per byte) that the addon
// writes back byte for byte. It is also a plain function over the input buffer,
// with no per-entry objects beyond the result.

export const BLOCK = 512;

/** A malformed archive; the reader adds which entry, if any. */
export class TarFormatError extends Error {}

export interface RawHeader {
  /** ustar prefix + name, latin1 */
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** seconds since the epoch */
  mtime: number;
  /** typeflag character; '\0' for old regular files */
  type: string;
  linkname: string;
  devMajor: number;
  devMinor: number;
}

export function isZeroBlock(b: Uint8Array, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** A NUL-terminated (or full-width) field as a latin1 string. */
function str(b: Buffer, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && b[end] !== 0) end++;
  return end === off ? '' : b.toString('latin1', off, end);
}

/**
 * A numeric field: octal digits (leading spaces/NULs allowed, ended by a space or
 * NUL), or GNU base-256 when the first byte has its high bit set (0x80 positive,
 * 0xff negative). Refuses anything else: a header we cannot read exactly is not
 * guessed at.
 */
export function num(b: Uint8Array, off: number, len: number, field: string): number {
  const first = b[off];
  if (first & 0x80) {
    // Base-256, big-endian. 0xff: negative, two's complement over the field.
    const negative = first === 0xff;
    let v = negative ? 0 : first & 0x7f;
    for (let i = off + 1; i < off + len; i++) {
      v = v * 256 + (negative ? 255 - b[i] : b[i]);
      if (!Number.isSafeInteger(v)) throw new TarFormatError(`header field ${field} is out of range`);
    }
    return negative ? -(v + 1) : v;
  }
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw new TarFormatError(`header field ${field} is not an octal number`);
    v = v * 8 + (c - 0x30);
  }
  for (; i < end; i++) {
    if (b[i] !== 0x20 && b[i] !== 0) throw new TarFormatError(`header field ${field} is not an octal number`);
  }
  return v;
}

function checksumOk(b: Uint8Array, off: number): boolean {
  const want = num(b, off + 148, 8, 'chksum');
  // The checksum field itself counts as eight spaces.
  let sum = 8 * 0x20;
  for (let i = off; i < off + 148; i++) sum += b[i];
  for (let i = off + 156; i < off + BLOCK; i++) sum += b[i];
  if (sum === want) return true;
  // Some old tars summed signed bytes.
  let signed = 8 * 0x20;
  for (let i = off; i < off + BLOCK; i++) {
    if (i === off + 148) i += 8;
    const c = b[i];
    signed += c > 127 ? c - 256 : c;
  }
  return signed === want;
}

/** Decodes the header block at b[off, off+512). Throws TarFormatError on a bad checksum or field. */
export function decodeHeader(b: Buffer, off: number): RawHeader {
  if (!checksumOk(b, off)) throw new TarFormatError('invalid tar header (bad checksum): not a tar archive, or a corrupt one');
  const typeByte = b[off + 156];
  const type = typeByte === 0 ? '\0' : String.fromCharCode(typeByte);
  let name = str(b, off, 100);
  // "ustar\0" + "00": POSIX, with a name prefix. "ustar  \0": GNU, whose
  // bytes 345.. hold times instead.
  const ustar = b[off + 257] === 0x75 && b.toString('latin1', off + 257, off + 262) === 'ustar';
  if (ustar && b[off + 262] === 0) {
    const prefix = str(b, off + 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: num(b, off + 100, 8, 'mode'),
    uid: num(b, off + 108, 8, 'uid'),
    gid: num(b, off + 116, 8, 'gid'),
    size: num(b, off + 124, 12, 'size'),
    mtime: num(b, off + 136, 12, 'mtime'),
    type,
    linkname: str(b, off + 157, 100),
    devMajor: ustar ? num(b, off + 329, 8, 'devmajor') : 0,
    devMinor: ustar ? num(b, off + 337, 8, 'devminor') : 0,
  };
}
