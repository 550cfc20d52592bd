// What a layer's entries keep: owners, modes with setuid/setgid, mtimes (ns,
// files, directories and symlinks), security.capability and other xattrs,
// hardlinks, fifos and allowed devices, byte-exact names, large files split
// across reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { extractFile } from '../../src/engine/images/extract/run.js';
import { loadNative } from '../../src/engine/native/real.js';
import { extractSandbox } from '../support/extract-sandbox.js';
import { dir, file, hardlink, symlink, tar, type TarSpec } from '../support/tar-writer.js';

function xattr(p: string, name: string): Buffer | null {
  const r = spawnSync('python3', ['-c', 'import os,sys\ntry: print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).hex())\nexcept OSError: print("none")', p, name], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim();
  return out === 'none' ? null : Buffer.from(out, 'hex');
}

async function extracted(entries: TarSpec[], fn: (root: string, skipped: string[]) => void | Promise<void>, whiteouts: 'apply' | 'overlay' = 'overlay') {
  const sb = extractSandbox();
  try {
    const r = await extractFile(sb.layer(tar(entries)), sb.root, { whiteouts });
    await fn(sb.root, r.skipped);
  } finally {
    sb.cleanup();
  }
}

// cap_net_raw=ep, VFS_CAP_REVISION_2: magic|effective, then permitted/inheritable pairs.
const CAP_NET_RAW = (() => {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(0x02000001, 0);
  b.writeUInt32LE(1 << 13, 4);
  return b;
})();

test('owners, setuid/setgid and modes are applied in the right order', async () => {
  await extracted(
    [
      dir('bin', { uid: 1234, gid: 5678, mode: 0o751 }),
      file('bin/su', 'x', { uid: 1234, gid: 5678, mode: 0o4755 }),
      file('bin/wall', 'x', { uid: 0, gid: 5, mode: 0o2755 }),
      dir('tmp', { mode: 0o1777 }),
      file('bin/ro', 'x', { mode: 0o400 }),
      symlink('bin/link', 'su', { uid: 1234, gid: 5678 }),
    ],
    (root) => {
      const st = (p: string) => fs.lstatSync(path.join(root, p));
      assert.deepEqual([st('bin/su').uid, st('bin/su').gid, st('bin/su').mode & 0o7777], [1234, 5678, 0o4755]);
      assert.deepEqual([st('bin/wall').gid, st('bin/wall').mode & 0o7777], [5, 0o2755]);
      assert.deepEqual([st('bin').uid, st('bin').gid, st('bin').mode & 0o7777], [1234, 5678, 0o751]);
      assert.equal(st('tmp').mode & 0o7777, 0o1777);
      assert.equal(st('bin/ro').mode & 0o7777, 0o400);
      assert.deepEqual([st('bin/link').uid, st('bin/link').gid], [1234, 5678]);
    },
  );
});

test('mtimes kept on files (ns), directories written into later, and symlinks', async () => {
  await extracted(
    [
      dir('d', { mtime: 1_500_000_000 }),
      file('d/f', 'x', { mtime: 1_600_000_000, pax: { mtime: '1600000000.123456789' } }),
      dir('d/e', { mtime: 1_400_000_000 }),
      file('d/e/g', 'y', { mtime: 1_300_000_000 }),
      symlink('d/l', 'f', { mtime: 1_200_000_000 }),
      dir('.', { mtime: 1_100_000_000, mode: 0o700 }),
    ],
    (root) => {
      const st = (p: string) => fs.lstatSync(path.join(root, p), { bigint: true });
      assert.equal(st('d/f').mtimeNs, 1_600_000_000_123_456_789n);
      assert.equal(st('d').mtimeNs, 1_500_000_000_000_000_000n);
      assert.equal(st('d/e').mtimeNs, 1_400_000_000_000_000_000n);
      assert.equal(st('d/e/g').mtimeNs, 1_300_000_000_000_000_000n);
      assert.equal(st('d/l').mtimeNs, 1_200_000_000_000_000_000n);
      assert.equal(st('').mtimeNs, 1_100_000_000_000_000_000n, 'the root from "./"');
      assert.equal(Number(st('').mode) & 0o7777, 0o700);
    },
  );
});

test('a read-only directory still gets its children; its mode comes at the end', async () => {
  await extracted([dir('ro', { mode: 0o555 }), file('ro/inside', 'x'), dir('ro/sub', { mode: 0o500 }), file('ro/sub/deeper', 'y')], (root) => {
    assert.equal(fs.readFileSync(path.join(root, 'ro/sub/deeper'), 'utf8'), 'y');
    assert.equal(fs.lstatSync(path.join(root, 'ro')).mode & 0o7777, 0o555);
    assert.equal(fs.lstatSync(path.join(root, 'ro/sub')).mode & 0o7777, 0o500);
  });
});

test('security.capability survives the chown; user.* xattrs kept; overlay xattrs refused', async () => {
  await extracted(
    [
      dir('bin'),
      file('bin/ping', 'elf', { uid: 0, gid: 0, mode: 0o755, xattrs: { 'security.capability': CAP_NET_RAW } }),
      file('bin/owned', 'elf', { uid: 1000, gid: 1000, mode: 0o755, xattrs: { 'security.capability': CAP_NET_RAW, 'user.note': 'has\nnewline\0and nul' } }),
      dir('d', { xattrs: { 'user.dir': 'yes', 'trusted.overlay.opaque': 'y', 'trusted.overlay.redirect': '/etc' } }),
      file('big', Buffer.alloc(3 << 20, 1), { xattrs: { 'security.capability': CAP_NET_RAW } }),
    ],
    (root, skipped) => {
      assert.deepEqual(xattr(path.join(root, 'bin/ping'), 'security.capability'), CAP_NET_RAW);
      assert.deepEqual(xattr(path.join(root, 'bin/owned'), 'security.capability'), CAP_NET_RAW);
      assert.equal(xattr(path.join(root, 'bin/owned'), 'user.note')?.toString('latin1'), 'has\nnewline\0and nul');
      assert.equal(xattr(path.join(root, 'd'), 'user.dir')?.toString(), 'yes');
      assert.equal(xattr(path.join(root, 'd'), 'trusted.overlay.opaque'), null);
      assert.equal(xattr(path.join(root, 'd'), 'trusted.overlay.redirect'), null);
      assert.match(skipped.join('\n'), /xattr trusted\.overlay\.redirect ignored/);
      assert.deepEqual(xattr(path.join(root, 'big'), 'security.capability'), CAP_NET_RAW, 'set after the last data chunk');
    },
  );
});

test('hardlinks share an inode; fifos and allow-listed devices are made', async () => {
  await extracted(
    [
      file('a', 'shared'),
      hardlink('b', 'a'),
      dir('x'),
      hardlink('x/c', '/a'),
      { name: 'p', type: 'fifo', mode: 0o620 },
      { name: 'dev/null', type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 },
      { name: 'dev/ptmx', type: 'char', devMajor: 5, devMinor: 2, mode: 0o666 },
    ],
    (root) => {
      const st = (p: string) => fs.lstatSync(path.join(root, p));
      assert.equal(st('a').ino, st('b').ino);
      assert.equal(st('a').ino, st('x/c').ino);
      assert.equal(st('a').nlink, 3);
      assert.ok(st('p').isFIFO());
      assert.equal(st('p').mode & 0o777, 0o620);
      assert.ok(st('dev/null').isCharacterDevice());
      assert.equal(st('dev/null').rdev, 0x103);
      assert.equal(st('dev/null').mode & 0o777, 0o666);
      assert.equal(st('dev/ptmx').rdev, 0x502);
    },
  );
});

test('the addon itself refuses a device outside its allow-list (the console, 5:1)', () => {
  const sb = extractSandbox();
  const native = loadNative();
  const h = native.layerOpen(sb.root, 2 | 4);
  try {
    const meta = new Float64Array([0o600, 0, 0, 0, 0, 5, 1]);
    assert.throws(() => native.layerEntry(h, 3, 'console', null, meta, null, 0, 0, 0, null), /device node not allowed/);
    meta[6] = 0;
    native.layerEntry(h, 3, 'tty', null, meta, null, 0, 0, 0, null);
    assert.equal(fs.lstatSync(path.join(sb.root, 'tty')).rdev, 0x500);
    assert.equal(fs.existsSync(path.join(sb.root, 'console')), false);
  } finally {
    native.layerClose(h, false);
    sb.cleanup();
  }
});

test('names are bytes: non-UTF-8 names come out byte for byte, long names in all three encodings', async () => {
  const raw = Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]); // "f\xff\xfe.t"
  const long = `${'long-directory-name/'.repeat(8)}file.txt`;
  await extracted(
    [
      { name: raw, data: 'latin' },
      file(long, 'ustar prefix'),
      file(`pax/${'p'.repeat(150)}`, 'pax path'),
      file(`gnu/${'g'.repeat(150)}`, 'gnu long name', { long: 'gnu' }),
      symlink('longlink', `target/${'t'.repeat(150)}`),
      file('utf8-é', 'é'),
    ],
    (root) => {
      const names = fs.readdirSync(root, { encoding: 'buffer' });
      assert.ok(names.some((n) => n.equals(raw)), 'raw name kept');
      assert.equal(fs.readFileSync(path.join(root, long), 'utf8'), 'ustar prefix');
      assert.equal(fs.readFileSync(path.join(root, 'pax', 'p'.repeat(150)), 'utf8'), 'pax path');
      assert.equal(fs.readFileSync(path.join(root, 'gnu', 'g'.repeat(150)), 'utf8'), 'gnu long name');
      assert.equal(fs.readlinkSync(path.join(root, 'longlink')), `target/${'t'.repeat(150)}`);
      assert.equal(fs.readFileSync(path.join(root, 'utf8-é'), 'utf8'), 'é');
    },
  );
});

test('a file larger than one read buffer, and many small ones, come out intact', async () => {
  const big = randomBytes(5 * 1024 * 1024 + 123);
  const small = Array.from({ length: 300 }, (_, i) => file(`many/f${i}`, `content ${i}`));
  await extracted([file('big', big), ...small, file('after', 'after')], (root) => {
    assert.ok(fs.readFileSync(path.join(root, 'big')).equals(big));
    assert.equal(fs.readFileSync(path.join(root, 'many/f299'), 'utf8'), 'content 299');
    assert.equal(fs.readFileSync(path.join(root, 'after'), 'utf8'), 'after');
  });
});

test('GNU tar archives with xattrs, long names and hardlinks extract like GNU tar does', async () => {
  const sb = extractSandbox();
  try {
    const src = path.join(sb.T, 'src');
    fs.mkdirSync(path.join(src, 'dir', 'x'.repeat(120)), { recursive: true });
    fs.writeFileSync(path.join(src, 'dir', 'x'.repeat(120), 'y'.repeat(120)), 'deep');
    fs.writeFileSync(path.join(src, 'f'), 'f');
    fs.linkSync(path.join(src, 'f'), path.join(src, 'hard'));
    fs.symlinkSync('f', path.join(src, 's'));
    const set = spawnSync('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], "user.k", b"v\\n1")', path.join(src, 'f')], { encoding: 'utf8' });
    assert.equal(set.status, 0, set.stderr);
    for (const format of ['posix', 'gnu']) {
      const t = path.join(sb.T, `gnu-${format}.tar`);
      const r = spawnSync('tar', ['-C', src, `--format=${format}`, '--xattrs', '-cf', t, '.'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const out = path.join(sb.T, `out-${format}`);
      fs.mkdirSync(out);
      await extractFile(t, out, { whiteouts: 'apply' });
      assert.equal(fs.readFileSync(path.join(out, 'dir', 'x'.repeat(120), 'y'.repeat(120)), 'utf8'), 'deep');
      assert.equal(fs.lstatSync(path.join(out, 'hard')).ino, fs.lstatSync(path.join(out, 'f')).ino);
      assert.equal(fs.readlinkSync(path.join(out, 's')), 'f');
      // Only the posix (PAX) format carries xattrs (SCHILY.xattr.*).
      if (format === 'posix') assert.equal(xattr(path.join(out, 'f'), 'user.k')?.toString(), 'v\n1');
    }
  } finally {
    sb.cleanup();
  }
});
