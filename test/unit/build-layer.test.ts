// The layer tar writer (build/layer/layer-tar.ts) byte by byte: what the project's
// tar reader gets back (long names and link targets, binary xattrs, big ids, times
// before 1970, devices), valid ustar headers without user or group names, PAX
// records whose length counts itself, the same entries giving the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LayerTar, record } from '../../src/engine/build/layer/layer-tar.js';
import { decodeHeader } from '../../src/engine/images/extract/header.js';
import { TarReader, type TarEntry } from '../../src/engine/images/extract/tar-reader.js';

function entry(name: string, over: Partial<TarEntry> = {}): TarEntry {
  return { type: '0', name, linkname: '', mode: 0o644, uid: 0, gid: 0, size: 0, mtimeSec: 1_700_000_000, mtimeNsec: 0, devMajor: 0, devMinor: 0, xattrs: null, ...over };
}

/** Writes the entries (data for files) and returns the archive. */
function write(entries: Array<[TarEntry, string?]>): Buffer {
  const chunks: Buffer[] = [];
  const tar = new LayerTar({ emit: (c) => (chunks.push(Buffer.from(c)), true), waitDrain: async () => {} });
  for (const [e, data = ''] of entries) {
    const b = Buffer.from(data);
    tar.entry({ ...e, size: e.type === '0' ? b.length : 0 }, b, 0, b.length);
  }
  tar.finish();
  return Buffer.concat(chunks);
}

function read(archive: Buffer): Array<TarEntry & { data: string }> {
  const out: Array<TarEntry & { data: string }> = [];
  const r = new TarReader({
    entry(e, buf, off, len) {
      out.push({ ...e, data: buf.toString('latin1', off, off + len) });
    },
    data(buf, off, len) {
      out[out.length - 1].data += buf.toString('latin1', off, off + len);
    },
  });
  r.push(archive);
  r.end();
  return out;
}

const LONG = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(30)}.txt`;
const BIN = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x0a, 0x3d, 0xff, 0x00]);

const ENTRIES: Array<[TarEntry, string?]> = [
  [entry('dir', { type: '5', mode: 0o755 })],
  [entry('dir/.wh..wh..opq', { mode: 0o755 })],
  [entry('dir/file', { mode: 0o4755 }), 'hello\n'],
  [entry('dir/.wh.gone', { mode: 0o600 })],
  [entry(LONG, { uid: 3_000_000, gid: 70_000 }), 'x'.repeat(1000)],
  [entry('link', { type: '2', linkname: `/${'t'.repeat(150)}` })],
  [entry('hard', { type: '1', linkname: LONG })],
  [entry('cap', { xattrs: [['user.z', Buffer.from('last')], ['security.capability', BIN]] }), 'bin'],
  [entry('old', { mtimeSec: -86400 })],
  [entry('null', { type: '3', devMajor: 1, devMinor: 3, mode: 0o666 })],
  [entry('fifo', { type: '6' })],
];

test('entries come back as written, through the project tar reader', () => {
  const got = read(write(ENTRIES));
  assert.deepEqual(
    got.map((e) => [e.type, e.name, e.linkname, e.mode, e.uid, e.gid, e.size, e.mtimeSec, e.devMajor, e.devMinor, e.data]),
    [
      ['5', 'dir/', '', 0o755, 0, 0, 0, 1_700_000_000, 0, 0, ''],
      ['0', 'dir/.wh..wh..opq', '', 0o755, 0, 0, 0, 1_700_000_000, 0, 0, ''],
      ['0', 'dir/file', '', 0o4755, 0, 0, 6, 1_700_000_000, 0, 0, 'hello\n'],
      ['0', 'dir/.wh.gone', '', 0o600, 0, 0, 0, 1_700_000_000, 0, 0, ''],
      ['0', LONG, '', 0o644, 3_000_000, 70_000, 1000, 1_700_000_000, 0, 0, 'x'.repeat(1000)],
      ['2', 'link', `/${'t'.repeat(150)}`, 0o644, 0, 0, 0, 1_700_000_000, 0, 0, ''],
      ['1', 'hard', LONG, 0o644, 0, 0, 0, 1_700_000_000, 0, 0, ''],
      ['0', 'cap', '', 0o644, 0, 0, 3, 1_700_000_000, 0, 0, 'bin'],
      ['0', 'old', '', 0o644, 0, 0, 0, -86400, 0, 0, ''],
      ['3', 'null', '', 0o666, 0, 0, 0, 1_700_000_000, 1, 3, ''],
      ['6', 'fifo', '', 0o644, 0, 0, 0, 1_700_000_000, 0, 0, ''],
    ],
  );
  // xattrs: binary values intact, sorted by name.
  const cap = got.find((e) => e.name === 'cap')!;
  assert.deepEqual(cap.xattrs?.map(([k, v]) => [k, Buffer.from(v).toString('hex')]), [
    ['security.capability', BIN.toString('hex')],
    ['user.z', Buffer.from('last').toString('hex')],
  ]);
});

test('headers: valid ustar, no user or group names, PAX headers named as Go names them', () => {
  const archive = write(ENTRIES);
  assert.equal(archive.length % 512, 0);
  assert.ok(archive.subarray(-1024).every((b) => b === 0), 'two zero blocks end it');
  const names: string[] = [];
  for (let off = 0; off + 512 <= archive.length - 1024; ) {
    const h = decodeHeader(archive, off); // throws on a bad checksum
    assert.equal(archive.toString('latin1', off + 257, off + 265), 'ustar\u000000');
    assert.ok(archive.subarray(off + 265, off + 329).every((b) => b === 0), 'uname and gname empty');
    names.push(`${h.type} ${h.name}`);
    off += 512 + Math.ceil((h.type === '0' || h.type === 'x' ? h.size : 0) / 512) * 512;
  }
  assert.ok(names.includes(`x ${`${'a'.repeat(60)}/${'b'.repeat(60)}/PaxHeaders.0/${'c'.repeat(30)}.txt`.slice(0, 100)}`), names.join('\n'));
  assert.ok(names.includes('x PaxHeaders.0/link'));
  assert.ok(names.includes('x PaxHeaders.0/cap'));
  assert.ok(!names.includes('x PaxHeaders.0/fifo'), 'no PAX header when ustar holds it all');
});

test('the same entries give the same bytes', () => {
  assert.deepEqual(write(ENTRIES), write(ENTRIES));
  const changed = ENTRIES.map(([e, d]) => [e.name === 'dir/file' ? { ...e, mtimeSec: e.mtimeSec + 1 } : e, d] as [TarEntry, string?]);
  assert.notDeepEqual(write(changed), write(ENTRIES));
});

test('PAX records: the length counts itself, across a change in its digits', () => {
  for (let n = 80; n < 1100; n++) {
    const r = record('path', Buffer.alloc(n, 0x61));
    const len = Number(r.toString('latin1').split(' ')[0]);
    assert.equal(len, r.length, `value of ${n} bytes`);
    assert.equal(r[r.length - 1], 0x0a);
  }
});

test('a file shorter than announced, or data past its size, is refused', () => {
  const tar = new LayerTar({ emit: () => true, waitDrain: async () => {} });
  tar.entry(entry('f', { size: 10 }), Buffer.from('abc'), 0, 3);
  assert.throws(() => tar.entry(entry('g'), Buffer.alloc(0), 0, 0), /7 bytes of the previous one missing/);
  const t2 = new LayerTar({ emit: () => true, waitDrain: async () => {} });
  t2.entry(entry('f', { size: 2 }), Buffer.from('ab'), 0, 2);
  assert.throws(() => t2.data(Buffer.from('c'), 0, 1), /1 bytes more than the entry's size/);
});
