// COPY/ADD sources in a build context: docker's wildcards, directories listed,
// .dockerignore'd files invisible (an excluded source is "not found"), paths and
// symlinks leaving the context refused, each error one line naming file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSources, type SourceMatch } from '../../src/engine/build/context/sources.js';
import { IgnoreMatcher, readIgnoreFile } from '../../src/engine/build/context/ignore.js';
import { InvalidArgument } from '../../src/engine/errors.js';

/** A context next to an `outside` directory; removed after the test. */
function context(t: { after: (fn: () => void) => void }, ignore: string): { dir: string; ignore: IgnoreMatcher } {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-context-'));
  t.after(() => fs.rmSync(top, { recursive: true, force: true }));
  const dir = path.join(top, 'ctx');
  const files: Record<string, string> = {
    'a.txt': 'a',
    'b.txt': 'b',
    'sp ace.txt': 's',
    'c.md': 'c',
    'secret.txt': 'no',
    Dockerfile: 'FROM x\n',
    '.dockerignore': ignore,
    'dir/one': '1',
    'dir/sub/two': '2',
    'dir/skip.log': 'log',
    'docs/keep.md': 'k',
    'docs/drop.md': 'd',
    '../outside/x': 'outside',
  };
  for (const [f, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), content);
  }
  fs.symlinkSync('dir', path.join(dir, 'link-in'));
  fs.symlinkSync('../outside', path.join(dir, 'link-out'));
  fs.symlinkSync('/etc', path.join(dir, 'link-abs'));
  fs.symlinkSync(path.join(dir, 'dir', 'one'), path.join(dir, 'link-abs-in'));
  fs.symlinkSync('sub/../../..', path.join(dir, 'dir', 'up'));
  fs.symlinkSync('a.txt', path.join(dir, 'hidden-link'));
  fs.symlinkSync('/etc/passwd', path.join(dir, 'dir', 'sub', 'abs-inside'));
  assert.equal(spawnSync('mkfifo', [path.join(dir, 'fifo')]).status, 0, 'mkfifo');
  return { dir, ignore: new IgnoreMatcher(readIgnoreFile(ignore)) };
}

const IGNORE = 'secret.txt\n**/*.log\ndocs\n!docs/keep.md\nhidden-link\n';

const resolve = (c: { dir: string; ignore: IgnoreMatcher }, sources: string[]) => resolveSources(sources, { contextDir: c.dir, ignore: c.ignore, file: 'Dockerfile', line: 4, keyword: 'COPY' });

const summary = (ms: SourceMatch[]) => ms.map((m) => [m.source, m.path, m.type]);
const rels = (m: SourceMatch) => m.entries.map((e) => `${e.rel}:${e.type}`);

test('sources: globs are filepath.Match per component; excluded files never match', (t) => {
  const c = context(t, IGNORE);
  assert.deepEqual(summary(resolve(c, ['*.txt'])), [
    ['*.txt', 'a.txt', 'file'],
    ['*.txt', 'b.txt', 'file'],
    ['*.txt', 'sp ace.txt', 'file'],
  ]);
  assert.deepEqual(summary(resolve(c, ['?.txt', '[b-c].*'])).map((s) => s[1]), ['a.txt', 'b.txt', 'b.txt', 'c.md']);
  assert.deepEqual(summary(resolve(c, ['d*/s*'])).map((s) => s[1]), ['dir/sub'], 'dir/skip.log is excluded');
  assert.deepEqual(summary(resolve(c, ['*/one'])).map((s) => s[1]), ['dir/one'], 'dir/one and link-in/one are one file, taken once');
  assert.deepEqual(summary(resolve(c, ['**.md'])).map((s) => s[1]), ['c.md'], '** is only * twice');
});

test('sources: a directory is copied with what .dockerignore leaves in it; `.` is the whole context', (t) => {
  const c = context(t, IGNORE);
  const [dir] = resolve(c, ['dir']);
  assert.deepEqual(rels(dir), [':dir', 'one:file', 'sub:dir', 'sub/abs-inside:symlink', 'sub/two:file', 'up:symlink']);
  // Symlinks inside a copied directory are copied as links, never followed.
  assert.equal(dir.entries.find((e) => e.rel === 'sub/abs-inside')?.linkTarget, '/etc/passwd');
  const [all] = resolve(c, ['.']);
  assert.equal(all.path, '.');
  const listed = rels(all);
  for (const gone of ['secret.txt:file', 'dir/skip.log:file', 'docs/drop.md:file', 'hidden-link:symlink']) assert.ok(!listed.includes(gone), gone);
  for (const kept of ['Dockerfile:file', '.dockerignore:file', 'docs:dir', 'docs/keep.md:file', 'link-out:symlink', 'fifo:fifo']) assert.ok(listed.includes(kept), kept);
  // The excluded directory with a re-included child is copied holding only that child.
  assert.deepEqual(rels(resolve(c, ['docs'])[0]), [':dir', 'keep.md:file']);
  // A leading / is the context root.
  assert.deepEqual(summary(resolve(c, ['/a.txt', './dir/../b.txt'])).map((s) => s[1]), ['a.txt', 'b.txt']);
});

test('sources: the Dockerfile and .dockerignore can be excluded from COPY .', (t) => {
  const c = context(t, 'Dockerfile\n.dockerignore\n');
  const listed = rels(resolve(c, ['.'])[0]);
  assert.ok(!listed.includes('Dockerfile:file') && !listed.includes('.dockerignore:file'));
  assert.ok(listed.includes('a.txt:file'));
});

test('sources: symlinks on the way are followed inside the context', (t) => {
  const c = context(t, IGNORE);
  assert.deepEqual(summary(resolve(c, ['link-in', 'link-in/sub/two', 'link-abs-in'])), [
    ['link-in', 'dir', 'dir'],
    ['link-in/sub/two', 'dir/sub/two', 'file'],
    ['link-abs-in', 'dir/one', 'file'],
  ]);
  const [f] = resolve(c, ['link-in/one']);
  assert.equal(f.abs, path.join(c.dir, 'dir', 'one'));
  assert.equal(f.entries[0].size, 1);
});

test('sources: bad ones are one line naming the file and line', (t) => {
  const c = context(t, IGNORE);
  const cases: [string, string][] = [
    ['../outside/x', 'forbidden path outside the build context: ../outside/x'],
    ['dir/../../outside', 'forbidden path outside the build context: dir/../../outside'],
    ['link-out', 'forbidden path outside the build context: link-out (symlink link-out -> ../outside)'],
    ['link-out/x', 'forbidden path outside the build context: link-out/x (symlink link-out -> ../outside)'],
    ['link-abs', 'forbidden path outside the build context: link-abs (symlink link-abs -> /etc)'],
    ['dir/up', 'forbidden path outside the build context: dir/up (symlink dir/up -> sub/../../..)'],
    ['missing', 'file not found in build context or excluded by .dockerignore: stat missing: file does not exist'],
    ['secret.txt', 'file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist'],
    ['docs/drop.md', 'file not found in build context or excluded by .dockerignore: stat docs/drop.md: file does not exist'],
    ['dir/skip.log', 'file not found in build context or excluded by .dockerignore: stat dir/skip.log: file does not exist'],
    ['hidden-link', 'file not found in build context or excluded by .dockerignore: stat hidden-link: file does not exist'],
    ['a.txt/x', 'file not found in build context or excluded by .dockerignore: stat a.txt/x: file does not exist'],
    ['nomatch*', 'no source files were specified'],
    ['secret*', 'no source files were specified'],
    ['[', 'syntax error in pattern: ['],
  ];
  for (const [src, message] of cases) {
    assert.throws(() => resolve(c, [src]), (e: unknown) => e instanceof InvalidArgument && e.message === `Dockerfile:4: COPY failed: ${message}`, src);
  }
  // A symlink loop stops.
  fs.symlinkSync('loop2', path.join(c.dir, 'loop1'));
  fs.symlinkSync('loop1', path.join(c.dir, 'loop2'));
  assert.throws(() => resolve(c, ['loop1']), { message: 'Dockerfile:4: COPY failed: too many levels of symbolic links: loop1' });
});

test('sources: entries carry what the copy and the cache key need', (t) => {
  const c = context(t, IGNORE);
  fs.chmodSync(path.join(c.dir, 'dir', 'one'), 0o4750);
  const [m] = resolve(c, ['dir/one']);
  const e = m.entries[0];
  const st = fs.lstatSync(path.join(c.dir, 'dir', 'one'), { bigint: true });
  assert.deepEqual([e.rel, e.type, e.mode, e.uid, e.gid, e.size, e.ino, e.mtimeNs], ['', 'file', 0o4750, Number(st.uid), Number(st.gid), 1, st.ino, st.mtimeNs]);
});
