// The breakout table: hostile layers, each extracted into T/root next to a
// sentinel tree (test/support/extract-sandbox.ts). For every case nothing
// outside T/root may be created or changed, and the error, when the layer is
// refused, must name the entry and the reason. Cases that are legitimately
// contained (a `..` or an absolute path in a symlink target resolves inside the
// root) check where the file ended up. Several cases are ported from
// containerd's TestBreakouts and moby's testBreakout.
//
// The table runs extraction on the test's thread (run.ts, what the worker
// runs); extract-layer.test.ts covers the worker itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { extractFile } from '../../src/engine/images/extract/run.js';
import { ExtractError, type ExtractOptions } from '../../src/engine/images/extract/index.js';
import { extractSandbox } from '../support/extract-sandbox.js';
import { dir, file, hardlink, symlink, tar, type TarSpec } from '../support/tar-writer.js';

interface Case {
  name: string;
  /** Entries, given T (for absolute paths into the sentinel tree). */
  layer: (T: string) => TarSpec[] | Buffer;
  whiteouts?: ExtractOptions['whiteouts'];
  opts?: Partial<ExtractOptions>;
  /** Lower-layer content put into the root first ('apply' mode). */
  lower?: (root: string) => void;
  /** Expected error message; absent: the layer must extract. */
  error?: RegExp;
  /** Where contained entries ended up. */
  check?: (root: string, T: string, skipped: string[]) => void;
}

const read = (p: string) => fs.readFileSync(p, 'utf8');
const isLink = (p: string) => fs.lstatSync(p).isSymbolicLink();
const exists = (p: string) => {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
};
const sameInode = (a: string, b: string) => {
  const x = fs.lstatSync(a);
  const y = fs.lstatSync(b);
  return x.ino === y.ino && x.dev === y.dev;
};
/** A path under the root that mirrors the host path `abs` (absolute targets resolve there). */
const inRoot = (root: string, abs: string) => path.join(root, abs);

const cases: Case[] = [
  // --- Symlinks, then writing through them
  {
    name: 'symlink to an absolute outside dir, then a file through it',
    layer: (T) => [symlink('evil', `${T}/outside`), file('evil/secret.txt', 'pwned')],
    error: /^layer entry "evil\/secret\.txt": parent "evil" does not exist/,
    check: (root) => assert.ok(isLink(path.join(root, 'evil'))),
  },
  {
    name: 'symlink to an absolute outside dir that also exists inside: lands inside',
    layer: (T) => [dir(`${T.slice(1)}/outside`), symlink('evil', `${T}/outside`), file('evil/secret.txt', 'pwned')],
    check: (root, T) => assert.equal(read(inRoot(root, `${T}/outside/secret.txt`)), 'pwned'),
  },
  {
    name: 'symlink up and out (../outside), then a file through it',
    layer: () => [symlink('up', '../outside'), file('up/secret.txt', 'pwned')],
    error: /^layer entry "up\/secret\.txt": parent "up" does not exist/,
  },
  {
    name: 'symlink up and out, the in-root twin exists: lands in root/outside',
    layer: () => [dir('outside'), symlink('up', '../outside'), file('up/secret.txt', 'pwned')],
    check: (root) => assert.equal(read(path.join(root, 'outside/secret.txt')), 'pwned'),
  },
  {
    name: 'deep symlink climbing far above the root',
    layer: () => [dir('a/b'), symlink('a/b/c', '../../../../../../../../outside'), dir('outside/dir'), file('a/b/c/dir/inner.txt', 'pwned')],
    check: (root) => assert.equal(read(path.join(root, 'outside/dir/inner.txt')), 'pwned'),
  },
  {
    name: 'containerd SymlinkAbsolute: /etc inside the root',
    layer: () => [dir('etc'), symlink('localetc', '/etc'), file('/localetc/unbroken', 'unbroken')],
    check: (root) => assert.equal(read(path.join(root, 'etc/unbroken')), 'unbroken'),
  },
  {
    name: 'containerd SymlinkUpAndOut: /dummy/../etc',
    layer: () => [dir('etc'), dir('dummy'), symlink('localetc', '/dummy/../etc'), file('/localetc/unbroken', 'unbroken')],
    check: (root) => assert.equal(read(path.join(root, 'etc/unbroken')), 'unbroken'),
  },
  {
    name: 'symlink chain ending outside (absolute)',
    layer: (T) => [symlink('l1', 'l2'), symlink('l2', `${T}/outside`), file('l1/secret.txt', 'pwned')],
    error: /^layer entry "l1\/secret\.txt": parent "l1" does not exist/,
  },
  {
    name: 'containerd SymlinkMultipleAbsolute: a chain that stays inside',
    layer: () => [dir('etc'), dir('dummy'), symlink('/dummy/etc', '/etc'), symlink('localetc', '/dummy/etc'), file('/dummy/etc/unbroken', 'unbroken')],
    check: (root) => assert.equal(read(path.join(root, 'etc/unbroken')), 'unbroken'),
  },
  {
    name: 'symlink loop',
    layer: () => [symlink('a', 'b'), symlink('b', 'a'), file('a/x', 'x')],
    error: /^layer entry "a\/x": too many levels of symbolic links in parent "a"/,
  },
  {
    name: 'symlink to an outside file, then a file of the same name replaces the link',
    layer: (T) => [symlink('f', `${T}/outside/secret.txt`), file('f', 'pwned', { mode: 0o777 })],
    check: (root) => {
      assert.ok(fs.lstatSync(path.join(root, 'f')).isFile());
      assert.equal(read(path.join(root, 'f')), 'pwned');
    },
  },
  {
    name: 'symlink to an outside dir, then a directory entry with a mode: no chmod through it',
    layer: (T) => [symlink('d', `${T}/outside/dir`), dir('d', { mode: 0o777 })],
    check: (root) => assert.equal(fs.lstatSync(path.join(root, 'd')).mode & 0o7777, 0o777),
  },
  {
    name: 'symlink over the parent of a later entry via a relative link to the sentinel symlink',
    layer: () => [symlink('x', '../outside/link'), file('x/keep', 'pwned')],
    error: /^layer entry "x\/keep": parent "x" does not exist/,
  },
  // --- Hardlinks
  {
    name: 'hardlink to an absolute outside file',
    layer: (T) => [hardlink('h', `${T}/outside/secret.txt`)],
    error: /^layer entry "h": hardlink target ".*\/outside\/secret\.txt" does not exist/,
  },
  {
    name: 'hardlink up and out (../outside/secret.txt)',
    layer: () => [hardlink('h', '../outside/secret.txt')],
    error: /^layer entry "h": hardlink target "\.\.\/outside\/secret\.txt": path escapes the root/,
  },
  {
    name: 'hardlink through a symlinked parent pointing outside (absolute)',
    layer: (T) => [symlink('o', `${T}/outside`), hardlink('h', 'o/secret.txt')],
    error: /^layer entry "h": hardlink target "o\/secret\.txt" does not exist/,
  },
  {
    name: 'hardlink through a symlinked parent pointing outside (relative)',
    layer: () => [symlink('o', '../outside'), hardlink('h', 'o/secret.txt')],
    error: /^layer entry "h": hardlink target "o\/secret\.txt" does not exist/,
  },
  {
    name: 'containerd HardlinkRelative: through ../../etc, stays inside',
    layer: () => [dir('etc'), file('etc/passwd', 'inside'), dir('breakouts'), symlink('breakouts/d1', '../../etc'), hardlink('breakouts/mypasswd', 'breakouts/d1/passwd')],
    check: (root) => assert.ok(sameInode(path.join(root, 'breakouts/mypasswd'), path.join(root, 'etc/passwd'))),
  },
  {
    name: 'containerd HardlinkSymlinkAbsolute: a hardlink to a symlink links the symlink',
    layer: (T) => [symlink('passwdlink', `${T}/outside/secret.txt`), hardlink('localpasswd', 'passwdlink', { mode: 0o777 })],
    check: (root) => {
      assert.ok(isLink(path.join(root, 'localpasswd')));
      assert.ok(sameInode(path.join(root, 'localpasswd'), path.join(root, 'passwdlink')));
    },
  },
  {
    name: 'CVE-2018-20834: hardlink, then a file of the same name does not write the target',
    layer: () => [dir('etc'), file('etc/passwd', 'inside'), hardlink('h', 'etc/passwd'), file('h', 'overwritten')],
    check: (root) => {
      assert.equal(read(path.join(root, 'etc/passwd')), 'inside');
      assert.equal(read(path.join(root, 'h')), 'overwritten');
    },
  },
  {
    name: 'hardlink created under a symlinked parent pointing outside',
    layer: (T) => [file('etc-passwd', 'inside'), symlink('o', `${T}/outside`), hardlink('o/secret.txt', 'etc-passwd')],
    error: /^layer entry "o\/secret\.txt": parent "o" does not exist/,
  },
  {
    name: 'symlink created under a symlinked parent that resolves inside',
    layer: (T) => [dir(`${T.slice(1)}/outside`), symlink('o', `${T}/outside`), symlink('o/secret.txt', '/etc/shadow')],
    check: (root, T) => assert.equal(fs.readlinkSync(inRoot(root, `${T}/outside/secret.txt`)), '/etc/shadow'),
  },
  {
    name: 'hardlink to a directory',
    layer: () => [dir('d'), hardlink('h', 'd')],
    error: /^layer entry "h": hardlink target "d" is a directory/,
  },
  {
    name: 'hardlink to the root',
    layer: () => [hardlink('h', '/')],
    error: /^layer entry "h": hardlink to the root directory/,
  },
  // --- Directories replaced by symlinks, duplicates
  {
    name: 'directory replaced by an absolute symlink, then written into',
    layer: (T) => [dir('d'), file('d/a', 'a'), symlink('d', `${T}/outside`), file('d/secret.txt', 'pwned')],
    error: /^layer entry "d\/secret\.txt": parent "d" does not exist/,
    check: (root) => assert.ok(isLink(path.join(root, 'd'))),
  },
  {
    name: 'CVE-2021-32803: directory, then a relative symlink of that name, then a file',
    layer: () => [dir('x'), file('x/before', 'b'), symlink('x', '../outside'), file('x/secret.txt', 'pwned')],
    error: /^layer entry "x\/secret\.txt": parent "x" does not exist/,
  },
  {
    name: 'directory replaced by a symlink into the root: later files follow it inside',
    layer: () => [dir('real'), dir('d'), file('d/a', 'a'), symlink('d', 'real'), file('d/b', 'b')],
    check: (root) => {
      assert.equal(read(path.join(root, 'real/b')), 'b');
      assert.ok(!exists(path.join(root, 'real/a')));
    },
  },
  {
    name: 'duplicate: file then directory',
    layer: () => [file('a', 'x'), dir('a'), file('a/b', 'b')],
    check: (root) => assert.equal(read(path.join(root, 'a/b')), 'b'),
  },
  {
    name: 'duplicate: directory then file, later wins',
    layer: () => [dir('a'), file('a/inner', 'i'), file('a', 'file now')],
    check: (root) => assert.equal(read(path.join(root, 'a')), 'file now'),
  },
  // --- Whiteouts
  {
    name: 'whiteout through a symlinked parent (apply)',
    layer: (T) => [symlink('o', `${T}/outside`), file('o/.wh.secret.txt')],
    whiteouts: 'apply',
    error: /^layer entry "o\/\.wh\.secret\.txt": whiteout: parent "o" goes through a symlink/,
  },
  {
    name: 'whiteout through a relative symlinked parent (overlay)',
    layer: () => [symlink('o', '../outside'), file('o/.wh.secret.txt')],
    whiteouts: 'overlay',
    error: /^layer entry "o\/\.wh\.secret\.txt": whiteout: parent "o" goes through a symlink/,
  },
  {
    name: 'whiteout under a dead symlink parent',
    layer: () => [symlink('d', 'nonexistent'), file('d/.wh.x')],
    whiteouts: 'apply',
    error: /^layer entry "d\/\.wh\.x": whiteout: parent "d" goes through a symlink/,
  },
  {
    name: 'opaque marker through a symlinked parent must not empty the outside dir',
    layer: (T) => [symlink('o', `${T}/outside/dir`), file('o/.wh..wh..opq')],
    whiteouts: 'apply',
    error: /^layer entry "o\/\.wh\.\.wh\.\.opq": whiteout: parent "o" goes through a symlink/,
  },
  {
    name: 'whiteout of ".."',
    layer: () => [file('.wh...')],
    error: /^layer entry "\.wh\.\.\.": invalid whiteout/,
  },
  {
    name: 'whiteout of "." (the root)',
    layer: () => [file('a/.wh..')],
    error: /^layer entry "a\/\.wh\.\.": invalid whiteout/,
  },
  {
    name: 'whiteout of the root itself (/.wh..)',
    layer: () => [file('/.wh..')],
    error: /^layer entry "\/\.wh\.\.": invalid whiteout/,
  },
  {
    name: 'bare whiteout ".wh."',
    layer: () => [file('.wh.')],
    error: /^layer entry "\.wh\.": invalid whiteout/,
  },
  {
    name: 'whiteout above the root (../.wh.outside)',
    layer: () => [file('../.wh.outside')],
    error: /^layer entry "\.\.\/\.wh\.outside": path escapes the root/,
  },
  {
    name: 'whiteout with slashes in its name (.wh.x/y)',
    layer: () => [file('.wh.x/y')],
    error: /^layer entry "\.wh\.x\/y": "\.wh\." prefix in a directory name/,
  },
  {
    name: 'whiteout-named directory deeper in the path (a.wh.x/.wh.y/z)',
    layer: () => [file('a.wh.x/.wh.y/z')],
    error: /^layer entry "a\.wh\.x\/\.wh\.y\/z": "\.wh\." prefix in a directory name/,
  },
  {
    name: 'whiteout name climbing out through PAX (.wh.../../outside)',
    layer: () => [file('safe', '', { pax: { path: '.wh.../../outside' } })],
    error: /^layer entry "\.wh\.\.\.\/\.\.\/outside": path escapes the root/,
  },
  // --- Names
  {
    name: '".." at the start of a name',
    layer: () => [file('../outside/secret.txt', 'pwned')],
    error: /^layer entry "\.\.\/outside\/secret\.txt": path escapes the root \(".."\)/,
  },
  {
    name: '".." in the middle of a name',
    layer: () => [dir('a'), file('a/../../outside/secret.txt', 'pwned')],
    error: /^layer entry "a\/\.\.\/\.\.\/outside\/secret\.txt": path escapes the root/,
  },
  {
    name: '".." at the end of a name',
    layer: () => [dir('a/..')],
    error: /^layer entry "a\/\.\.": path escapes the root/,
  },
  {
    name: 'absolute name: relative to the root',
    layer: (T) => [file(`${T}/outside/secret.txt`, 'pwned')],
    check: (root, T) => assert.equal(read(inRoot(root, `${T}/outside/secret.txt`)), 'pwned'),
  },
  {
    name: 'CVE-2021-32804: ////etc/x is etc/x in the root',
    layer: () => [file('////etc/x', 'x')],
    check: (root) => assert.equal(read(path.join(root, 'etc/x')), 'x'),
  },
  {
    name: 'PAX path overriding a safe name to escape',
    layer: () => [file('safe', 'pwned', { pax: { path: '../outside/secret.txt' } })],
    error: /^layer entry "\.\.\/outside\/secret\.txt": path escapes the root/,
  },
  {
    name: 'PAX linkpath escaping for a hardlink',
    layer: () => [hardlink('h', 'safe', { pax: { linkpath: '../outside/secret.txt' } })],
    error: /^layer entry "h": hardlink target "\.\.\/outside\/secret\.txt": path escapes the root/,
  },
  {
    name: 'GNU long name escaping',
    layer: () => [file(`${'../'.repeat(40)}outside/secret.txt`, 'pwned', { long: 'gnu' })],
    error: /^layer entry "(\.\.\/){40}outside\/secret\.txt": path escapes the root/,
  },
  {
    name: 'NUL in a PAX path',
    layer: () => [file('safe', 'pwned', { pax: { path: 'safe\0/../../outside/secret.txt' } })],
    error: /NUL byte in PAX path/,
  },
  {
    name: 'NUL in a GNU long name',
    layer: () => [file('safe', 'pwned', { gnuLongName: Buffer.from('a\0../../outside/secret.txt') })],
    error: /NUL byte in a GNU long name/,
  },
  // --- Device nodes
  {
    name: 'block device (not allowed, skipped)',
    layer: () => [{ name: 'dev/sda', type: 'block', devMajor: 8, devMinor: 0 }],
    check: (root, _T, skipped) => {
      assert.ok(!exists(path.join(root, 'dev/sda')));
      assert.match(skipped.join('\n'), /layer entry "dev\/sda": block device 8:0 not created \(not in the allow-list\)/);
    },
  },
  {
    name: 'char device outside the allow-list (/dev/mem 1:1, skipped)',
    layer: () => [{ name: 'dev/mem', type: 'char', devMajor: 1, devMinor: 1 }],
    check: (root, _T, skipped) => {
      assert.ok(!exists(path.join(root, 'dev/mem')));
      assert.match(skipped.join('\n'), /"dev\/mem": char device 1:1 not created/);
    },
  },
  {
    name: 'the console (5:1, skipped: the host console should anything open it; the monitor makes the container\'s)',
    layer: () => [{ name: 'dev/console', type: 'char', devMajor: 5, devMinor: 1 }, { name: 'etc/passwd', type: 'char', devMajor: 5, devMinor: 1 }],
    check: (root, _T, skipped) => {
      assert.ok(!exists(path.join(root, 'dev/console')) && !exists(path.join(root, 'etc/passwd')));
      assert.match(skipped.join('\n'), /"dev\/console": char device 5:1 not created \(not in the allow-list\)/);
    },
  },
  {
    name: 'allowed device with allowDevices false (skipped)',
    layer: () => [{ name: 'dev/null', type: 'char', devMajor: 1, devMinor: 3 }],
    opts: { allowDevices: false },
    check: (root, _T, skipped) => {
      assert.ok(!exists(path.join(root, 'dev/null')));
      assert.match(skipped.join('\n'), /"dev\/null": char device 1:3 not created \(device nodes not allowed\)/);
    },
  },
  {
    name: 'allowed device through a symlinked parent stays inside',
    layer: (T) => [dir(`${T.slice(1)}/outside`), symlink('dev', `${T}/outside`), { name: 'dev/null', type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 }],
    check: (root, T) => {
      const st = fs.lstatSync(inRoot(root, `${T}/outside/null`));
      assert.ok(st.isCharacterDevice());
      assert.equal(st.rdev, 0x103);
    },
  },
  // --- Sizes and limits
  {
    name: 'size claim above maxBytes',
    layer: () => [file('big', 'tiny', { size: 2 ** 31 })],
    opts: { maxBytes: 1 << 20 },
    error: /^layer entry "big": size 2147483648 exceeds the limit of 1048576 bytes \(maxBytes\)/,
  },
  {
    name: 'size claim larger than the data present: truncated archive',
    layer: () => tar([file('short', 'only this', { size: 4096 })], { end: false }).subarray(0, 1024),
    error: /^layer entry "short": archive truncated: 512 of 4096 bytes of data present/,
  },
  {
    name: 'total content above maxBytes',
    layer: () => [file('a', Buffer.alloc(600)), file('b', Buffer.alloc(600))],
    opts: { maxBytes: 1000 },
    error: /^layer entry "b": layer content exceeds the limit of 1000 bytes \(maxBytes\)/,
  },
  {
    name: 'path deeper than maxDepth',
    layer: () => [file(`${'d/'.repeat(20)}f`, 'x')],
    opts: { maxDepth: 10 },
    error: /path has 21 components, more than 10 \(maxDepth\)/,
  },
  {
    // The addon would write it one component at a time, but rm -r could not delete it.
    name: 'path longer than PATH_MAX within maxDepth: refused, the name shortened in the message',
    layer: () => [file(`${`${'x'.repeat(200)}/`.repeat(60)}f`, 'x')],
    error: /^layer entry "x{100}…x{48}\/f": path is 12061 bytes long, more than 4095 \(PATH_MAX\)$/,
  },
  {
    name: 'hardlink target longer than PATH_MAX',
    layer: () => [file('a', 'x'), hardlink('b', `${`${'y'.repeat(200)}/`.repeat(30)}a`)],
    error: /^layer entry "b": hardlink target path is 6031 bytes long, more than 4095 \(PATH_MAX\)$/,
  },
  {
    name: 'more entries than maxEntries',
    layer: () => Array.from({ length: 20 }, (_, i) => file(`f${i}`, 'x')),
    opts: { maxEntries: 10 },
    error: /^layer has more than 10 entries \(maxEntries\)/,
  },
  {
    name: 'owner id beyond 32 bits (base-256 header field)',
    layer: () => [file('a', 'x', { uid: 2 ** 40 })],
    error: /^layer entry "a": uid 1099511627776 is out of range/,
  },
  // --- setuid
  {
    name: 'setuid file kept, inside the root',
    layer: () => [dir('bin'), file('bin/su', '#!/bin/false\n', { mode: 0o4755 })],
    check: (root) => assert.equal(fs.lstatSync(path.join(root, 'bin/su')).mode & 0o7777, 0o4755),
  },
  {
    name: 'setuid file through a symlink to an outside file: the link is replaced',
    layer: (T) => [symlink('s', `${T}/outside/victim`), file('s', 'pwned', { mode: 0o6755 })],
    check: (root) => {
      const st = fs.lstatSync(path.join(root, 's'));
      assert.ok(st.isFile());
      assert.equal(st.mode & 0o7777, 0o6755);
    },
  },
  {
    name: 'setuid file through a symlinked parent pointing outside',
    layer: (T) => [symlink('bin', `${T}/outside`), file('bin/victim', 'pwned', { mode: 0o4777 })],
    error: /^layer entry "bin\/victim": parent "bin" does not exist/,
  },
  // --- Not a tar
  {
    name: 'bad header checksum',
    layer: () => tar([file('a', 'x', { badChecksum: true })]),
    error: /^layer: invalid tar header \(bad checksum\)/,
  },
  {
    name: 'unsupported entry type (GNU sparse)',
    layer: () => [file('sparse', 'x', { type: 'S' })],
    error: /^layer entry "sparse": unsupported entry type 'S'/,
  },
];

test('the breakout table has at least 35 hostile layers', () => {
  assert.ok(cases.length >= 35, `${cases.length} cases`);
});

for (const c of cases) {
  test(`breakout: ${c.name}`, async () => {
    const sb = extractSandbox();
    try {
      c.lower?.(sb.root);
      const l = c.layer(sb.T);
      const source = sb.layer(Buffer.isBuffer(l) ? l : tar(l));
      const before = sb.snapshot();
      let skipped: string[] = [];
      let error: unknown;
      try {
        skipped = (await extractFile(source, sb.root, { whiteouts: c.whiteouts ?? 'apply', ...c.opts })).skipped;
      } catch (e) {
        error = e;
      }
      assert.deepEqual(sb.snapshot(), before, 'nothing outside the root changed');
      if (c.error) {
        assert.ok(error instanceof ExtractError, `expected an ExtractError, got ${String(error)}`);
        assert.match(error.message, c.error);
        assert.ok(!error.message.includes('\n'), 'one line');
      } else if (error) {
        throw error;
      }
      c.check?.(sb.root, sb.T, skipped);
    } finally {
      sb.cleanup();
    }
  });
}
