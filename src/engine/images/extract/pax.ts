// PAX extended header records ("LEN KEY=VALUE\n"), read by length rather than by
// line: xattr values are binary and may hold newlines or NULs. node-tar's PAX
// parser keeps only the keys it knows (no SCHILY.xattr.*), drops values holding
// "\n" and cuts them at NUL, so layers go through this one.
import { TarFormatError } from './header.js';

export interface PaxFields {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtimeSec?: number;
  mtimeNsec?: number;
  devMajor?: number;
  devMinor?: number;
  /** [name, value] pairs: SCHILY.xattr.* (GNU tar, Go) and LIBARCHIVE.xattr.* (bsdtar) */
  xattrs?: Array<[string, Uint8Array]>;
}

const MAX_ID = 0xffffffff;

function decimal(v: string, key: string, max: number): number {
  if (!/^\d{1,16}$/.test(v)) throw new TarFormatError(`PAX ${key} "${v}" is not a decimal number`);
  const n = Number(v);
  if (n > max) throw new TarFormatError(`PAX ${key} ${v} is out of range`);
  return n;
}

/** "SEC[.FRACTION]" (SEC may be negative) as seconds and nanoseconds. */
export function paxTime(v: string): [number, number] {
  const m = /^(-?)(\d{1,15})(?:\.(\d+))?$/.exec(v);
  if (!m) throw new TarFormatError(`PAX mtime "${v}" is not a time`);
  const sec = Number(m[2]);
  const nsec = m[3] ? Number(m[3].slice(0, 9).padEnd(9, '0')) : 0;
  // -1.5 s is 2 s before the epoch plus 0.5 s.
  if (m[1]) return nsec ? [-sec - 1, 1e9 - nsec] : [-sec, 0];
  return [sec, nsec];
}

function noNul(v: string, key: string): string {
  if (v.includes('\0')) throw new TarFormatError(`NUL byte in PAX ${key}`);
  return v;
}

/** bsdtar writes LIBARCHIVE.xattr.NAME with NAME percent-encoded and the value in base64. */
function percentDecode(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * Reads the records of one extended header body into `into`. `global`: a 'g'
 * header, whose path, linkpath, size and xattrs are ignored (they would apply
 * to every later entry).
 */
export function parsePax(body: Buffer, into: PaxFields, global: boolean): void {
  let off = 0;
  while (off < body.length) {
    // Trailing NUL padding ends the records.
    if (body[off] === 0) break;
    let i = off;
    let len = 0;
    while (i < body.length && body[i] >= 0x30 && body[i] <= 0x39 && i - off < 12) len = len * 10 + (body[i++] - 0x30);
    if (i === off || body[i] !== 0x20 || len <= i - off + 1 || off + len > body.length || body[off + len - 1] !== 0x0a)
      throw new TarFormatError('malformed PAX extended header record');
    const eq = body.indexOf(0x3d, i + 1);
    if (eq < 0 || eq >= off + len - 1) throw new TarFormatError('malformed PAX extended header record');
    const key = body.toString('latin1', i + 1, eq);
    const raw = body.subarray(eq + 1, off + len - 1);
    off += len;
    apply(key, raw, into, global);
  }
}

function apply(key: string, raw: Buffer, into: PaxFields, global: boolean): void {
  const v = () => raw.toString('latin1');
  if (key.startsWith('SCHILY.xattr.') || key.startsWith('LIBARCHIVE.xattr.')) {
    if (global) return;
    const lib = key.startsWith('LIBARCHIVE.');
    const name = lib ? percentDecode(key.slice('LIBARCHIVE.xattr.'.length)) : key.slice('SCHILY.xattr.'.length);
    if (!name || name.includes('\0')) throw new TarFormatError('PAX xattr with an invalid name');
    const value = lib ? Buffer.from(raw.toString('latin1'), 'base64') : Buffer.from(raw);
    (into.xattrs ??= []).push([name, value]);
    return;
  }
  if (key.startsWith('GNU.sparse.')) throw new TarFormatError('sparse files (GNU.sparse PAX records) are not supported');
  switch (key) {
    case 'path':
      if (!global) into.path = raw.length ? noNul(v(), 'path') : undefined;
      return;
    case 'linkpath':
      if (!global) into.linkpath = raw.length ? noNul(v(), 'linkpath') : undefined;
      return;
    case 'size':
      if (!global) into.size = raw.length ? decimal(v(), 'size', Number.MAX_SAFE_INTEGER) : undefined;
      return;
    case 'uid':
      into.uid = raw.length ? decimal(v(), 'uid', MAX_ID) : undefined;
      return;
    case 'gid':
      into.gid = raw.length ? decimal(v(), 'gid', MAX_ID) : undefined;
      return;
    case 'mtime':
      if (!raw.length) {
        into.mtimeSec = into.mtimeNsec = undefined;
        return;
      }
      [into.mtimeSec, into.mtimeNsec] = paxTime(v());
      return;
    case 'SCHILY.devmajor':
      into.devMajor = decimal(v(), 'devmajor', MAX_ID);
      return;
    case 'SCHILY.devminor':
      into.devMinor = decimal(v(), 'devminor', MAX_ID);
      return;
    default:
      // atime, ctime, uname, gname, comment, hdrcharset, SCHILY.dev/ino/nlink/acl…: not needed.
      return;
  }
}
