// Whiteouts layer over layer, in both modes: 'apply' (flattened rootfs: a
// whiteout deletes, an opaque marker empties the directory of what lower
// layers put there) and 'overlay' (per-layer snapshots: whiteouts become
// overlayfs's char 0:0 devices and trusted.overlay.opaque, checked through a
// real overlay mount). Also rootfs symlinks written through (lib -> usr/lib).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { extractFile } from '../../src/engine/images/extract/run.js';
import { loadNative } from '../../src/engine/native/real.js';
import { extractSandbox } from '../support/extract-sandbox.js';
import { dir, file, symlink, tar, type TarSpec } from '../support/tar-writer.js';

const read = (p: string) => fs.readFileSync(p, 'utf8');
const exists = (p: string) => {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};
const ls = (p: string) => fs.readdirSync(p).sort();

function xattr(p: string, name: string): string | null {
  const r = spawnSync('python3', ['-c', 'import os,sys\ntry: print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).hex())\nexcept OSError: print("none")', p, name], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim();
  return out === 'none' ? null : Buffer.from(out, 'hex').toString('latin1');
}

function isWhiteoutDevice(p: string): boolean {
  const st = fs.lstatSync(p);
  return st.isCharacterDevice() && st.rdev === 0;
}

// Layer 1: a small rootfs. Layer 2 deletes, hides and adds, with the opaque
// marker of d/ *after* the siblings this same layer writes there.
const lower: TarSpec[] = [
  dir('etc'),
  file('etc/a', 'a1'),
  file('etc/b', 'b1'),
  dir('d'),
  file('d/x', 'x1'),
  dir('d/sub'),
  file('d/sub/y', 'y1'),
  dir('keep'),
  file('keep/k', 'k1'),
  dir('usr'),
  dir('usr/lib'),
  file('usr/lib/old.so', 'old'),
  symlink('lib', 'usr/lib'),
];
const upper: TarSpec[] = [
  file('etc/.wh.a'),
  file('etc/c', 'c2'),
  file('etc/.wh.c'), // a whiteout never hides this layer's own entry
  dir('d'),
  file('d/new', 'new2'),
  dir('d/sub'),
  file('d/sub/z', 'z2'),
  file('d/.wh..wh..opq'),
  file('.wh.keep'),
];

test("apply: whiteouts delete lower files, opaque keeps this layer's siblings even when it comes after them", async () => {
  const sb = extractSandbox();
  try {
    const l1 = sb.layer(tar(lower));
    const l2 = sb.layer(tar([...upper, file('lib/x.so', 'through the symlink')]));
    await extractFile(l1, sb.root, { whiteouts: 'apply' });
    const r = await extractFile(l2, sb.root, { whiteouts: 'apply' });
    assert.equal(r.entries, upper.length + 1);
    const R = (p: string) => path.join(sb.root, p);
    assert.ok(!exists(R('etc/a')), 'etc/a deleted');
    assert.equal(read(R('etc/b')), 'b1');
    assert.equal(read(R('etc/c')), 'c2', "this layer's own etc/c survives its whiteout");
    assert.deepEqual(ls(R('d')), ['new', 'sub']);
    assert.deepEqual(ls(R('d/sub')), ['z'], 'the lower d/sub/y is hidden too');
    assert.ok(!exists(R('keep')), 'a whole directory whited out');
    assert.ok(fs.lstatSync(R('lib')).isSymbolicLink());
    assert.equal(read(R('usr/lib/x.so')), 'through the symlink', 'lib/x.so lands in usr/lib');
    assert.equal(read(R('usr/lib/old.so')), 'old');
    for (const p of ['etc', 'd', 'd/sub']) assert.ok(!fs.readdirSync(R(p)).some((n) => n.startsWith('.wh.')), `no whiteout files left in ${p}`);
  } finally {
    sb.cleanup();
  }
});

test('apply: an opaque marker first in the layer, then the new children', async () => {
  const sb = extractSandbox();
  try {
    await extractFile(sb.layer(tar([dir('d'), file('d/old1'), dir('d/olddir'), file('d/olddir/o')])), sb.root, { whiteouts: 'apply' });
    await extractFile(sb.layer(tar([file('d/.wh..wh..opq'), file('d/new', 'n'), dir('d/olddir'), file('d/olddir/fresh')])), sb.root, { whiteouts: 'apply' });
    assert.deepEqual(ls(path.join(sb.root, 'd')), ['new', 'olddir']);
    assert.deepEqual(ls(path.join(sb.root, 'd/olddir')), ['fresh']);
  } finally {
    sb.cleanup();
  }
});

test('apply: an opaque root keeps only what this layer writes', async () => {
  const sb = extractSandbox();
  try {
    await extractFile(sb.layer(tar(lower)), sb.root, { whiteouts: 'apply' });
    await extractFile(sb.layer(tar([dir('etc'), file('etc/only', 'o'), file('.wh..wh..opq')])), sb.root, { whiteouts: 'apply' });
    assert.deepEqual(ls(sb.root), ['etc']);
    assert.deepEqual(ls(path.join(sb.root, 'etc')), ['only']);
  } finally {
    sb.cleanup();
  }
});

test('apply: whiting out a lower tree full of links to the outside removes the links, never their targets', async () => {
  const sb = extractSandbox();
  try {
    await extractFile(
      sb.layer(
        tar([
          dir('d'),
          symlink('d/abs', `${sb.T}/outside`),
          symlink('d/rel', '../../outside/dir'),
          dir('d/sub'),
          symlink('d/sub/file', `${sb.T}/outside/secret.txt`),
          dir('e'),
          symlink('e/x', `${sb.T}/outside/dir`),
        ]),
      ),
      sb.root,
      { whiteouts: 'apply' },
    );
    const l2 = sb.layer(tar([file('.wh.d'), file('e/.wh..wh..opq')]));
    const before = sb.snapshot();
    await extractFile(l2, sb.root, { whiteouts: 'apply' });
    assert.deepEqual(sb.snapshot(), before, 'nothing outside the root changed');
    assert.ok(!exists(path.join(sb.root, 'd')));
    assert.deepEqual(ls(path.join(sb.root, 'e')), []);
  } finally {
    sb.cleanup();
  }
});

test('apply: a lower directory replaced by a file, a lower file by a directory', async () => {
  const sb = extractSandbox();
  try {
    await extractFile(sb.layer(tar([dir('a'), file('a/inner'), file('b', 'file')])), sb.root, { whiteouts: 'apply' });
    await extractFile(sb.layer(tar([file('a', 'now a file'), dir('b'), file('b/c', 'c')])), sb.root, { whiteouts: 'apply' });
    assert.equal(read(path.join(sb.root, 'a')), 'now a file');
    assert.equal(read(path.join(sb.root, 'b/c')), 'c');
  } finally {
    sb.cleanup();
  }
});

test('overlay: whiteouts become char 0:0 devices and opaque dirs get trusted.overlay.opaque', async () => {
  const sb = extractSandbox();
  try {
    const s2 = sb.root;
    await extractFile(sb.layer(tar([...upper, file('gone/deeper/.wh.x')])), s2, { whiteouts: 'overlay' });
    assert.ok(isWhiteoutDevice(path.join(s2, 'etc/a')));
    assert.equal(read(path.join(s2, 'etc/c')), 'c2', "this layer's own file is kept");
    assert.ok(isWhiteoutDevice(path.join(s2, 'keep')));
    assert.ok(isWhiteoutDevice(path.join(s2, 'gone/deeper/x')), 'parents made for a whiteout');
    assert.equal(xattr(path.join(s2, 'd'), 'trusted.overlay.opaque'), 'y');
    assert.equal(xattr(path.join(s2, 'etc'), 'trusted.overlay.opaque'), null);
    assert.deepEqual(ls(path.join(s2, 'd')), ['new', 'sub']);
  } finally {
    sb.cleanup();
  }
});

test('overlay: two extracted layers mounted as overlayfs show the merged view', async () => {
  const sb = extractSandbox();
  const native = loadNative();
  const s1 = path.join(sb.T, 'hutch-test-s1');
  const s2 = path.join(sb.T, 'hutch-test-s2');
  const mnt = path.join(sb.T, 'hutch-test-mnt');
  for (const d of [s1, s2, mnt]) fs.mkdirSync(d);
  let mounted = false;
  try {
    await extractFile(sb.layer(tar(lower)), s1, { whiteouts: 'overlay' });
    // In its own layer the symlink is written through: lib2/y.so lands in usr/lib.
    await extractFile(sb.layer(tar([...upper, dir('usr/lib'), symlink('lib2', 'usr/lib'), file('lib2/y.so', 'y2')])), s2, { whiteouts: 'overlay' });
    assert.equal(read(path.join(s2, 'usr/lib/y.so')), 'y2');
    native.mount('overlay', mnt, 'overlay', native.constants.MS_RDONLY, `lowerdir=${s2}:${s1}`);
    mounted = true;
    const M = (p: string) => path.join(mnt, p);
    assert.deepEqual(ls(M('etc')), ['b', 'c']);
    assert.deepEqual(ls(M('d')), ['new', 'sub']);
    assert.deepEqual(ls(M('d/sub')), ['z']);
    assert.ok(!exists(M('keep')));
    assert.deepEqual(ls(M('usr/lib')), ['old.so', 'y.so']);
    assert.equal(read(M('lib/old.so')), 'old', 'the lower layer symlink still works');
    assert.equal(read(M('d/new')), 'new2');
  } finally {
    if (mounted) native.umount2(mnt, native.constants.MNT_DETACH);
    sb.cleanup();
  }
});
