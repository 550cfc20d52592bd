// What hutch's tar writers put before an entry's data: the 512-byte ustar header
// and the PAX records for what ustar cannot hold. Three writers use it, each with
// its own buffering and backpressure: image layers (build/layer/layer-tar.ts),
// cp and export (fs/tar-out.ts), save (archive/tar-write.ts). The bytes are decided
// here once, and the same fields always give the same bytes: a layer's bytes are
// its diff id, so nothing here may change what an existing header looks like.
// Names and link targets are byte strings (latin1, one char a byte): they go out
// as the bytes they were.
import type { TarEntry } from '../extract/tar-reader.js';

export const BLOCK = 512;
/** The largest number an 8-byte octal field holds (7 digits and a NUL). */
export const MAX_OCTAL_8 = 0o7777777;
/** The largest number a 12-byte octal field holds (11 digits and a NUL). */
export const MAX_OCTAL_12 = 0o77777777777;

/** A header's fields, named as TarEntry names them (an entry can be passed as it is). */
export interface UstarFields {
  /** Only the first 100 bytes fit: a longer name needs a PAX `path` record. */
  name: string;
  /** The typeflag: '0' file, '1' hard link, '2' symlink, '3'/'4' devices, '5' dir, '6' fifo, 'x' PAX. */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds; before 1970 is written as 0. */
  mtimeSec: number;
  linkname?: string;
  devMajor?: number;
  devMinor?: number;
  uname?: string;
  gname?: string;
}

export interface UstarStyle {
  /**
   * GNU tar's forms, which save's archives have always had: the checksum as six
   * digits, NUL, space; a number past its octal field in base-256. Without it the
   * checksum is six digits and two spaces, and such a number is written as the
   * field's largest (the caller puts the real one in a PAX record).
   */
  gnu?: boolean;
}

/** Fills `h` (one block; zeroed first) with the ustar header of `f`, and returns it. */
export function ustarHeader(h: Buffer, f: UstarFields, style: UstarStyle = {}): Buffer {
  const gnu = !!style.gnu;
  h.fill(0, 0, BLOCK);
  h.write(f.name, 0, Math.min(f.name.length, 100), 'latin1');
  octal(h, 100, 8, f.mode & 0o7777);
  number(h, 108, 8, f.uid, gnu);
  number(h, 116, 8, f.gid, gnu);
  number(h, 124, 12, f.size, gnu);
  number(h, 136, 12, f.mtimeSec, gnu);
  h.write(f.type, 156, 1, 'latin1');
  if (f.linkname) h.write(f.linkname, 157, Math.min(f.linkname.length, 100), 'latin1');
  h.write('ustar\u000000', 257, 8, 'latin1');
  if (f.uname) h.write(f.uname, 265, Math.min(f.uname.length, 32), 'latin1');
  if (f.gname) h.write(f.gname, 297, Math.min(f.gname.length, 32), 'latin1');
  if (f.type === '3' || f.type === '4') {
    number(h, 329, 8, f.devMajor ?? 0, gnu);
    number(h, 337, 8, f.devMinor ?? 0, gnu);
  }
  // The checksum is summed with its own field as eight spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  octal(h, 148, 7, sum);
  if (gnu) h[154] = 0;
  return h;
}

/**
 * The PAX records an entry needs for what its header cannot hold: a name (`name`,
 * the one it is written under) or link target over 100 bytes, a size of 8 GiB or
 * more, ids over 2097151. Values are decimal, as PAX wants.
 */
export function overflowRecords(name: string, e: Pick<TarEntry, 'linkname' | 'uid' | 'gid'>, size: number): Buffer[] {
  const pax: Buffer[] = [];
  if (Buffer.byteLength(name, 'latin1') > 100) pax.push(paxRecord('path', Buffer.from(name, 'latin1')));
  if (Buffer.byteLength(e.linkname, 'latin1') > 100) pax.push(paxRecord('linkpath', Buffer.from(e.linkname, 'latin1')));
  if (size > MAX_OCTAL_12) pax.push(paxDecimal('size', size));
  if (e.uid > MAX_OCTAL_8) pax.push(paxDecimal('uid', e.uid));
  if (e.gid > MAX_OCTAL_8) pax.push(paxDecimal('gid', e.gid));
  return pax;
}

/** One PAX record, "LEN KEY=VALUE\n", LEN counting itself; the value is bytes (xattrs are binary). */
export function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(key, 'latin1') + value.length + 3; // ' ', '=', '\n'
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`, 'latin1'), value, Buffer.from('\n', 'latin1')]);
}

/** A PAX record of a number. */
export function paxDecimal(key: string, n: number): Buffer {
  return paxRecord(key, Buffer.from(String(n), 'latin1'));
}

/** The zero bytes that fill out the last block of `n` bytes of data. */
export function blockPadding(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

/** A number field: octal when it fits, else the field's largest, or base-256 (GNU). */
function number(h: Buffer, at: number, width: number, n: number, gnu: boolean): void {
  const max = 8 ** (width - 1) - 1;
  if (n <= max) octal(h, at, width, Math.max(0, n));
  else if (!gnu) octal(h, at, width, max);
  else {
    h[at] = 0x80;
    let v = BigInt(Math.trunc(n));
    for (let i = at + width - 1; i > at; i--, v >>= 8n) h[i] = Number(v & 0xffn);
  }
}

/** Zero-padded octal digits, width - 1 of them: the field's NUL is the zeroed block's. */
function octal(h: Buffer, at: number, width: number, n: number): void {
  h.write(Math.trunc(n).toString(8).padStart(width - 1, '0'), at, width - 1, 'latin1');
}
