// A small tar writer for tests: builds archives in memory, including the
// malformed and hostile ones no real tool would write (names with "..", size
// claims larger than the data, NULs in PAX paths). ustar headers, PAX extended
// headers (path, linkpath, size, mtime, SCHILY.xattr.*), GNU long names/links,
// every entry type. No binary fixtures: every test makes its archives here.

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarSpec {
  /** Entry name; encoded as UTF-8 unless a Buffer. */
  name: string | Buffer;
  /** An EntryType, or a raw typeflag character ('x', 'S', 'V'…). Default 'file'. */
  type?: EntryType | string;
  data?: string | Buffer;
  /** Size written in the header (default: the data's length). Larger than the data = a lying archive. */
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds; a fraction goes into a PAX mtime record. Default 1700000000. */
  mtime?: number;
  /** Link or symlink target. */
  link?: string | Buffer;
  devMajor?: number;
  devMinor?: number;
  /** SCHILY.xattr.NAME records. */
  xattrs?: Record<string, string | Buffer>;
  /** Extra raw PAX records, written as given (e.g. { path: '../evil' }). */
  pax?: Record<string, string | Buffer>;
  /** How a name or link longer than the ustar fields is written: PAX (default) or GNU L/K headers. */
  long?: 'pax' | 'gnu';
  /** Force a GNU long-name header with these exact bytes, whatever the name. */
  gnuLongName?: Buffer;
  /** Break the header checksum. */
  badChecksum?: boolean;
}

const TYPEFLAG: Record<EntryType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

const bytes = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

function octal(buf: Buffer, off: number, len: number, value: number): void {
  const s = value.toString(8).padStart(len - 1, '0');
  if (s.length > len - 1) {
    // Too big for octal: GNU base-256.
    buf[off] = 0x80;
    let v = value;
    for (let i = off + len - 1; i > off; i--) {
      buf[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return;
  }
  buf.write(s, off, len - 1, 'latin1');
  buf[off + len - 1] = 0;
}

function header(opts: { name: Buffer; type: string; size: number; mode: number; uid: number; gid: number; mtime: number; link: Buffer; devMajor: number; devMinor: number; prefix?: Buffer; badChecksum?: boolean }): Buffer {
  const h = Buffer.alloc(512);
  opts.name.copy(h, 0, 0, Math.min(100, opts.name.length));
  octal(h, 100, 8, opts.mode);
  octal(h, 108, 8, opts.uid);
  octal(h, 116, 8, opts.gid);
  octal(h, 124, 12, opts.size);
  octal(h, 136, 12, Math.max(0, Math.floor(opts.mtime)));
  h.write(opts.type, 156, 1, 'latin1');
  opts.link.copy(h, 157, 0, Math.min(100, opts.link.length));
  h.write('ustar\x0000', 257, 8, 'latin1');
  h.write('root', 265, 32, 'latin1');
  h.write('root', 297, 32, 'latin1');
  octal(h, 329, 8, opts.devMajor);
  octal(h, 337, 8, opts.devMinor);
  if (opts.prefix) opts.prefix.copy(h, 345, 0, Math.min(155, opts.prefix.length));
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of h) sum += c;
  if (opts.badChecksum) sum += 1;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}

function pad(data: Buffer): Buffer[] {
  const rest = (512 - (data.length % 512)) % 512;
  return rest ? [data, Buffer.alloc(rest)] : [data];
}

/** One PAX record: "LEN KEY=VALUE\n" where LEN counts itself. */
export function paxRecord(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), bytes(value), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function extension(type: 'x' | 'g' | 'L' | 'K', body: Buffer, name: string): Buffer[] {
  const h = header({ name: Buffer.from(name), type, size: body.length, mode: 0o644, uid: 0, gid: 0, mtime: 0, link: Buffer.alloc(0), devMajor: 0, devMinor: 0 });
  return [h, ...pad(body)];
}

/** Splits a long name into ustar prefix (≤155) + name (≤100) at a slash, if possible. */
function splitUstar(name: Buffer): { prefix: Buffer; name: Buffer } | null {
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    if (i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return { prefix: name.subarray(0, i), name: name.subarray(i + 1) };
  }
  return null;
}

/** The blocks of one entry (with its PAX/GNU extension headers). */
export function tarEntry(spec: TarSpec): Buffer {
  const out: Buffer[] = [];
  const data = spec.data === undefined ? Buffer.alloc(0) : bytes(spec.data);
  const type = spec.type === undefined ? '0' : (TYPEFLAG[spec.type as EntryType] ?? spec.type);
  let name = bytes(spec.name);
  let link = spec.link === undefined ? Buffer.alloc(0) : bytes(spec.link);
  const mtime = spec.mtime ?? 1_700_000_000;
  const records: Buffer[] = [];
  let prefix: Buffer | undefined;
  if (spec.gnuLongName) out.push(...extension('L', Buffer.concat([spec.gnuLongName, Buffer.alloc(1)]), '././@LongLink'));
  if (name.length > 100 && !spec.gnuLongName) {
    const split = splitUstar(name);
    if (split && spec.long !== 'gnu') {
      prefix = split.prefix;
      name = split.name;
    } else if (spec.long === 'gnu') {
      out.push(...extension('L', Buffer.concat([name, Buffer.alloc(1)]), '././@LongLink'));
      name = name.subarray(0, 100);
    } else {
      records.push(paxRecord('path', name));
      name = name.subarray(0, 100);
    }
  }
  if (link.length > 100) {
    if (spec.long === 'gnu') out.push(...extension('K', Buffer.concat([link, Buffer.alloc(1)]), '././@LongLink'));
    else records.push(paxRecord('linkpath', link));
    link = link.subarray(0, 100);
  }
  if (!Number.isInteger(mtime)) records.push(paxRecord('mtime', mtime.toFixed(9)));
  for (const [k, v] of Object.entries(spec.xattrs ?? {})) records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  for (const [k, v] of Object.entries(spec.pax ?? {})) records.push(paxRecord(k, v));
  if (records.length) out.push(...extension('x', Buffer.concat(records), 'PaxHeaders/x'));
  const size = spec.size ?? data.length;
  out.push(
    header({
      name,
      type,
      size,
      mode: spec.mode ?? (type === '5' ? 0o755 : type === '2' ? 0o777 : 0o644),
      uid: spec.uid ?? 0,
      gid: spec.gid ?? 0,
      mtime,
      link,
      devMajor: spec.devMajor ?? 0,
      devMinor: spec.devMinor ?? 0,
      prefix,
      badChecksum: spec.badChecksum,
    }),
  );
  out.push(...pad(data));
  return Buffer.concat(out);
}

/** A whole archive: the entries, then (unless end: false) two zero blocks. */
export function tar(entries: TarSpec[], opts: { end?: boolean } = {}): Buffer {
  const parts = entries.map(tarEntry);
  if (opts.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

// Shorthands for tables.
export const file = (name: string, data: string | Buffer = '', extra: Partial<TarSpec> = {}): TarSpec => ({ name, type: 'file', data, ...extra });
export const dir = (name: string, extra: Partial<TarSpec> = {}): TarSpec => ({ name, type: 'dir', ...extra });
export const symlink = (name: string, link: string, extra: Partial<TarSpec> = {}): TarSpec => ({ name, type: 'symlink', link, ...extra });
export const hardlink = (name: string, link: string, extra: Partial<TarSpec> = {}): TarSpec => ({ name, type: 'hardlink', link, ...extra });
