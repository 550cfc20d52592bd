// The pure parts of layer extraction: header numbers and checksums, PAX
// records, name canonicalisation, and the push parser fed in every chunking.
// The test tar writer is checked against GNU tar, and the parser against
// archives GNU tar writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeHeader, num, TarFormatError } from '../../src/engine/images/extract/header.js';
import { parsePax, paxTime, type PaxFields } from '../../src/engine/images/extract/pax.js';
import { BadPath, canonicalPath, depth } from '../../src/engine/images/extract/entry-path.js';
import { TarError, TarReader, type TarEntry } from '../../src/engine/images/extract/tar-reader.js';
import { detectCompression } from '../../src/engine/images/extract/run.js';
import { deviceAllowed } from '../../src/engine/images/extract/layer-writer.js';
import { dir, file, hardlink, paxRecord, symlink, tar, tarEntry } from '../support/tar-writer.js';

test('num: octal with spaces/NULs, base-256 positive and negative, junk refused', () => {
  assert.equal(num(Buffer.from('0000644\0'), 0, 8, 'mode'), 0o644);
  assert.equal(num(Buffer.from('  755 \0\0'), 0, 8, 'mode'), 0o755);
  assert.equal(num(Buffer.alloc(8), 0, 8, 'mode'), 0);
  const big = Buffer.alloc(12);
  big[0] = 0x80;
  big.writeUIntBE(2 ** 40 + 5, 6, 6);
  assert.equal(num(big, 0, 12, 'size'), 2 ** 40 + 5);
  const neg = Buffer.alloc(12, 0xff);
  neg[11] = 0xfe; // -2
  assert.equal(num(neg, 0, 12, 'mtime'), -2);
  assert.throws(() => num(Buffer.from('12x4\0'), 0, 5, 'size'), TarFormatError);
  assert.throws(() => num(Buffer.from('0009\0'), 0, 5, 'size'), /not an octal number/);
  assert.throws(() => num(Buffer.from('12 34\0'), 0, 6, 'size'), /not an octal number/);
  const huge = Buffer.alloc(12, 0x7f);
  huge[0] = 0x80;
  assert.throws(() => num(huge, 0, 12, 'size'), /out of range/);
});

test('decodeHeader: ustar prefix, GNU magic, types, checksums', () => {
  const long = `${'p/'.repeat(60)}name`;
  const h = decodeHeader(tarEntry(file(long, 'abc', { mode: 0o4755, uid: 7, gid: 8, mtime: 1234 })), 0);
  assert.deepEqual(h, { name: long, mode: 0o4755, uid: 7, gid: 8, size: 3, mtime: 1234, type: '0', linkname: '', devMajor: 0, devMinor: 0 });
  const d = decodeHeader(tarEntry({ name: 'dev/null', type: 'char', devMajor: 1, devMinor: 3 }), 0);
  assert.deepEqual([d.type, d.devMajor, d.devMinor], ['3', 1, 3]);
  assert.equal(decodeHeader(tarEntry(symlink('l', 'target')), 0).linkname, 'target');
  // GNU magic ("ustar  \0"): bytes 345.. are not a prefix.
  const gnu = Buffer.from(tarEntry(file('g', 'x')).subarray(0, 512));
  gnu.write('ustar  \0', 257, 'latin1');
  gnu.write('not-a-prefix', 345, 'latin1');
  gnu.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of gnu) sum += c;
  gnu.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  assert.equal(decodeHeader(gnu, 0).name, 'g');
  assert.throws(() => decodeHeader(tarEntry(file('a', 'x', { badChecksum: true })), 0), /bad checksum/);
  // Old tars summed the bytes as signed chars.
  const signed = Buffer.from(tarEntry({ name: Buffer.from([0xc3, 0xa9]) }).subarray(0, 512));
  signed.fill(0x20, 148, 156);
  let ssum = 0;
  for (const c of signed) ssum += c > 127 ? c - 256 : c;
  signed.write(ssum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  assert.equal(decodeHeader(signed, 0).name, '\xc3\xa9');
  // Names are bytes: latin1 strings, one char per byte.
  assert.equal(decodeHeader(tarEntry({ name: Buffer.from([0xe9, 0x41]) }), 0).name, '\xe9A');
});

test('PAX: records by length (binary xattr values), times, globals, errors', () => {
  const into: PaxFields = {};
  const body = Buffer.concat([
    paxRecord('path', 'a/very/long/path'),
    paxRecord('linkpath', 'x'),
    paxRecord('size', '123456789012'),
    paxRecord('mtime', '1700000000.5'),
    paxRecord('uid', '4294967295'),
    paxRecord('SCHILY.xattr.security.capability', Buffer.from([1, 0, 0, 2, 0x0a, 0, 0x3d])),
    paxRecord('LIBARCHIVE.xattr.user.a%3Db', Buffer.from('value').toString('base64')),
    paxRecord('atime', '1'),
    paxRecord('comment', 'with = sign\nand newline'),
    Buffer.alloc(20),
  ]);
  parsePax(body, into, false);
  assert.equal(into.path, 'a/very/long/path');
  assert.equal(into.linkpath, 'x');
  assert.equal(into.size, 123456789012);
  assert.deepEqual([into.mtimeSec, into.mtimeNsec], [1700000000, 500000000]);
  assert.equal(into.uid, 4294967295);
  assert.deepEqual(into.xattrs?.map(([k, v]) => [k, Buffer.from(v).toString('hex')]), [
    ['security.capability', '010000020a003d'],
    ['user.a=b', Buffer.from('value').toString('hex')],
  ]);
  const g: PaxFields = {};
  parsePax(Buffer.concat([paxRecord('path', 'global'), paxRecord('uid', '5')]), g, true);
  assert.deepEqual(g, { uid: 5 }, 'a global header never renames');
  assert.deepEqual(paxTime('-1.25'), [-2, 750000000]);
  assert.deepEqual(paxTime('12.1234567891'), [12, 123456789]);
  assert.throws(() => paxTime('1e5'), /not a time/);
  assert.throws(() => parsePax(Buffer.from('99 path=x\n'), {}, false), /malformed PAX/);
  assert.throws(() => parsePax(Buffer.from('10 pathx\n'), {}, false), /malformed PAX/);
  assert.throws(() => parsePax(paxRecord('size', '-1'), {}, false), /not a decimal number/);
  assert.throws(() => parsePax(paxRecord('uid', '99999999999'), {}, false), /out of range/);
  assert.throws(() => parsePax(paxRecord('path', 'a\0b'), {}, false), /NUL byte in PAX path/);
  assert.throws(() => parsePax(paxRecord('GNU.sparse.major', '1'), {}, false), /sparse files/);
  const cleared: PaxFields = { path: 'x' };
  parsePax(paxRecord('path', ''), cleared, false);
  assert.equal(cleared.path, undefined, 'an empty value removes the field');
});

test('canonicalPath: leading slashes and dots dropped, ".." and NUL refused', () => {
  const ok: Array<[string, string]> = [
    ['usr/bin/x', 'usr/bin/x'],
    ['./usr/bin/', 'usr/bin'],
    ['/etc//passwd', 'etc/passwd'],
    ['////etc/x', 'etc/x'],
    ['./', ''],
    ['.', ''],
    ['/', ''],
    ['a/./b/.', 'a/b'],
    ['..a/b..', '..a/b..'],
    ['.hidden', '.hidden'],
  ];
  for (const [i, o] of ok) assert.equal(canonicalPath(i), o, i);
  for (const bad of ['..', '../x', 'a/../b', 'a/..', './..', '/../etc']) assert.throws(() => canonicalPath(bad), (e: Error) => e instanceof BadPath && /path escapes the root/.test(e.message), bad);
  assert.throws(() => canonicalPath('a\0b'), /NUL byte/);
  assert.deepEqual([depth(''), depth('a'), depth('a/b/c')], [0, 1, 3]);
});

test('compression by magic bytes; the device allow-list', () => {
  assert.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8]), 3), 'gzip');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 4), 'zstd');
  assert.equal(detectCompression(Buffer.from('usr/'), 4), 'none');
  assert.throws(() => detectCompression(Buffer.from('BZh91AY'), 7), /bzip2/);
  assert.ok(deviceAllowed('char', 1, 3) && deviceAllowed('char', 1, 9) && deviceAllowed('char', 5, 2));
  assert.ok(!deviceAllowed('char', 1, 1) && !deviceAllowed('char', 1, 2) && !deviceAllowed('block', 1, 3) && !deviceAllowed('char', 0, 0) && !deviceAllowed('char', 5, 3));
  assert.ok(deviceAllowed('char', 5, 0) && !deviceAllowed('char', 5, 1), 'tty, not the console (the monitor makes it)');
});

/** Parses `buf` fed in chunks of `size` bytes; returns entries with their data. */
function parse(buf: Buffer, size: number): Array<{ e: TarEntry; data: string }> {
  const out: Array<{ e: TarEntry; data: string }> = [];
  const reader = new TarReader({
    entry(e, b, off, len) {
      out.push({ e, data: b.toString('latin1', off, off + len) });
    },
    data(b, off, len) {
      out[out.length - 1].data += b.toString('latin1', off, off + len);
    },
  });
  for (let i = 0; i < buf.length; i += size) reader.push(buf.subarray(i, i + size));
  reader.end();
  return out;
}

test('TarReader: the same entries and data in every chunking', () => {
  const archive = tar([
    dir('d'),
    file('d/small', 'hello'),
    file('d/blocks', 'x'.repeat(1024)),
    file('d/odd', 'y'.repeat(1500)),
    symlink('d/l', `/abs/${'t'.repeat(120)}`),
    hardlink('d/h', 'd/small'),
    file(`pax/${'n'.repeat(200)}`, 'long', { xattrs: { 'user.x': '1' }, pax: { mtime: '1600000000.25' } }),
    file(`gnu/${'g'.repeat(200)}`, 'gnu', { long: 'gnu' }),
    { name: 'dev/zero', type: 'char', devMajor: 1, devMinor: 5 },
    file('empty'),
    // Header-only types carry no data, whatever the size field says (as Go reads them).
    { name: 'liar', type: 'symlink', link: 'x', size: 700 },
    file('last', 'end'),
  ]);
  const want = parse(archive, archive.length);
  assert.deepEqual(
    want.map((x) => [x.e.type, x.e.name, x.data.length]),
    [
      ['5', 'd', 0],
      ['0', 'd/small', 5],
      ['0', 'd/blocks', 1024],
      ['0', 'd/odd', 1500],
      ['2', 'd/l', 0],
      ['1', 'd/h', 0],
      ['0', `pax/${'n'.repeat(200)}`, 4],
      ['0', `gnu/${'g'.repeat(200)}`, 3],
      ['3', 'dev/zero', 0],
      ['0', 'empty', 0],
      ['2', 'liar', 0],
      ['0', 'last', 3],
    ],
  );
  assert.equal(want[4].e.linkname, `/abs/${'t'.repeat(120)}`);
  assert.deepEqual([want[6].e.mtimeSec, want[6].e.mtimeNsec], [1600000000, 250000000]);
  assert.deepEqual(want[6].e.xattrs?.map(([k]) => k), ['user.x']);
  assert.equal(want[7].e.xattrs, null, 'PAX fields do not leak to the next entry');
  for (const size of [1, 7, 511, 512, 513, 1000, 4096]) assert.deepEqual(parse(archive, size), want, `chunks of ${size}`);
});

test('TarReader: truncation, a lone zero block, extended headers without an entry', () => {
  const a = tar([file('a', 'x'.repeat(2000))]);
  assert.throws(() => parse(a.subarray(0, 1200), 1200), (e: Error) => e instanceof TarError && e.entry === 'a' && /archive truncated: 688 of 2000 bytes/.test(e.message));
  assert.throws(() => parse(a.subarray(0, 300), 300), /truncated in the middle of a header/);
  assert.throws(() => parse(Buffer.concat([Buffer.alloc(512), tarEntry(file('b'))]), 512), /a zero block followed by more headers/);
  const pax = tarEntry(file('p', '', { pax: { path: 'q' } }));
  assert.throws(() => parse(pax.subarray(0, 1024), 512), /truncated/);
  assert.throws(() => parse(Buffer.concat([pax.subarray(0, 1024), Buffer.alloc(1024)]), 512), /extended header not followed by an entry/);
  // Only end blocks, or nothing at all: an empty layer.
  assert.deepEqual(parse(Buffer.alloc(1024), 512), []);
  assert.deepEqual(parse(Buffer.alloc(0), 512), []);
});

test('the test tar writer writes what GNU tar reads, and GNU tar archives parse', () => {
  const T = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-tar-'));
  try {
    const ours = path.join(T, 'ours.tar');
    fs.writeFileSync(ours, tar([dir('d'), file(`d/${'n'.repeat(150)}`, 'x'), file(`g/${'g'.repeat(150)}`, 'y', { long: 'gnu' }), symlink('s', `${'t'.repeat(150)}`), hardlink('h', 'd/x'), file(`u/${'p/'.repeat(60)}f`, 'z')]));
    const list = spawnSync('tar', ['-tvf', ours], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    const names = list.stdout.trim().split('\n').map((l) => l.replace(/^.*? \d\d:\d\d /, ''));
    assert.deepEqual(names, ['d', `d/${'n'.repeat(150)}`, `g/${'g'.repeat(150)}`, `s -> ${'t'.repeat(150)}`, 'h link to d/x', `u/${'p/'.repeat(60)}f`]);

    const src = path.join(T, 'src');
    fs.mkdirSync(path.join(src, 'x'.repeat(120)), { recursive: true });
    fs.writeFileSync(path.join(src, 'x'.repeat(120), 'y'.repeat(120)), 'deep');
    fs.symlinkSync('y'.repeat(120), path.join(src, 'l'));
    for (const format of ['gnu', 'posix']) {
      const t = path.join(T, `${format}.tar`);
      const r = spawnSync('tar', ['-C', src, `--format=${format}`, '-cf', t, '.'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const got = parse(fs.readFileSync(t), 10240).map((x) => [x.e.type, canonicalPath(x.e.name), x.e.linkname, x.data]);
      assert.deepEqual(got.filter((g) => g[1] !== '').sort(), [['0', `${'x'.repeat(120)}/${'y'.repeat(120)}`, '', 'deep'], ['2', 'l', 'y'.repeat(120), ''], ['5', 'x'.repeat(120), '', '']], format);
    }
    const short = path.join(T, 'short');
    fs.mkdirSync(short);
    fs.writeFileSync(path.join(short, 'a'), 'aaa');
    fs.symlinkSync('a', path.join(short, 'l'));
    for (const format of ['ustar', 'v7']) {
      const t = path.join(T, `${format}.tar`);
      const r = spawnSync('tar', ['-C', short, `--format=${format}`, '-cf', t, 'a', 'l'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const got = parse(fs.readFileSync(t), 10240).map((x) => [x.e.type, x.e.name, x.e.linkname, x.data]);
      assert.deepEqual(got, [[format === 'v7' ? '\0' : '0', 'a', '', 'aaa'], ['2', 'l', 'a', '']], format);
    }
  } finally {
    fs.rmSync(T, { recursive: true, force: true });
  }
});
