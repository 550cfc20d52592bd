// .dockerignore with docker's semantics (not gitignore's): a table of patterns and
// paths, how the file is read, and which file a build uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IgnoreMatcher, loadIgnore, readIgnoreFile } from '../../src/engine/build/context/ignore.js';
import { InvalidArgument } from '../../src/engine/errors.js';

/** [.dockerignore text, path, excluded?] */
const TABLE: [string, string, boolean][] = [
  // `*.md` is the root's only (gitignore would match at any depth).
  ['*.md', 'a.md', true],
  ['*.md', 'sub/a.md', false],
  ['*.md', 'a.mdx', false],
  // `**` is any number of directories, none included.
  ['**/*.log', 'a.log', true],
  ['**/*.log', 'x/y/z/a.log', true],
  ['**/*.log', 'x/a.logs', false],
  ['**', 'anything/at/all', true],
  ['a/**', 'a/b', true],
  ['a/**', 'a/b/c', true],
  ['a/**', 'ab/c', false],
  ['**/foo', 'foo', true],
  ['**/foo', 'x/foo', true],
  ['**/foo', 'xfoo', false],
  ['**/foo', 'foo/inside', true],
  ['x/**/y', 'x/y', true],
  ['x/**/y', 'x/a/b/y', true],
  // A plain name matches at the root only, and what is under it.
  ['node_modules', 'node_modules', true],
  ['node_modules', 'node_modules/pkg/index.js', true],
  ['node_modules', 'sub/node_modules', false],
  // `*` and `?` do not cross `/`; a matched parent excludes its contents.
  ['*/temp*', 'a/tempfile', true],
  ['*/temp*', 'temp', false],
  ['*/temp*', 'a/b/temp', false],
  ['temp?', 'temp1', true],
  ['temp?', 'temp/1', false],
  ['[ab].txt', 'b.txt', true],
  ['[ab].txt', 'c.txt', false],
  ['[^ab].txt', 'c.txt', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'axb', false],
  ['*', 'x/y/z', true],
  // `!` re-includes; the last matching line decides.
  ['*.md\n!README.md', 'a.md', true],
  ['*.md\n!README.md', 'README.md', false],
  ['!README.md\n*.md', 'README.md', true],
  ['*\n!src\n', 'src/main.ts', false],
  ['*\n!src\n', 'docs/x', true],
  ['docs\n!docs/keep.md', 'docs/keep.md', false],
  ['docs\n!docs/keep.md', 'docs/other.md', true],
  ['docs\n!docs/keep.md', 'docs', true],
  ['**/*.go\n!**/main.go', 'cmd/tool/main.go', false],
  ['**/*.go\n!**/main.go', 'cmd/tool/util.go', true],
  // Leading `/` and `./` are dropped; paths are cleaned; comments and blanks skipped.
  ['/build', 'build', true],
  ['./dist/', 'dist/app.js', true],
  ['a/../b', 'b', true],
  ['# just a comment\n\n   \n', 'x', false],
  ['#*.md', '#x.md', false],
  [' spaced.txt \t', 'spaced.txt', true],
  ['.git\nDockerfile\n.dockerignore', 'Dockerfile', true],
  ['.git\nDockerfile\n.dockerignore', '.git/config', true],
];

test('.dockerignore: docker\'s matching, table of cases', () => {
  for (const [text, p, want] of TABLE) {
    const m = new IgnoreMatcher(readIgnoreFile(text));
    assert.equal(m.matches(p), want, `${JSON.stringify(text)} ${p}`);
  }
});

test('.dockerignore: the context root is never excluded; an empty file excludes nothing', () => {
  assert.equal(new IgnoreMatcher(['*']).matches('.'), false);
  assert.equal(new IgnoreMatcher([]).matches('a'), false);
  assert.equal(new IgnoreMatcher([]).empty, true);
});

test('.dockerignore: reading strips a BOM, CRLF, `/` and `./`, keeps `!`', () => {
  assert.deepEqual(readIgnoreFile('\uFEFF*.md\r\n# c\r\n/abs/x/\r\n! ./keep \r\n!/root\n'), ['*.md', 'abs/x', '!keep', '!root']);
});

test('.dockerignore: a walk enters an excluded directory only if a `!` pattern may re-include below it', () => {
  const m = new IgnoreMatcher(readIgnoreFile('docs\nbuild\nvendor\n!docs/keep.md\n!**/LICENSE\n'));
  assert.equal(m.hasExclusions, true);
  assert.equal(m.mayReincludeUnder('docs'), true);
  assert.equal(m.mayReincludeUnder('vendor'), true, '**/LICENSE may be anywhere');
  const n = new IgnoreMatcher(readIgnoreFile('docs\nbuild\n!docs/keep.md\n'));
  assert.equal(n.mayReincludeUnder('build'), false);
  assert.equal(n.mayReincludeUnder('docs'), true);
  assert.equal(new IgnoreMatcher(['docs']).hasExclusions, false);
});

test('.dockerignore: bad patterns are one line naming the file', () => {
  assert.throws(() => new IgnoreMatcher(readIgnoreFile('ok\n!\n')), (e: unknown) => e instanceof InvalidArgument && e.message === '.dockerignore: illegal exclusion pattern: "!"');
  assert.throws(() => new IgnoreMatcher(readIgnoreFile('a[')), (e: unknown) => e instanceof InvalidArgument && e.message === '.dockerignore: syntax error in pattern: a[');
});

test('loadIgnore: <Dockerfile>.dockerignore wins over the context\'s .dockerignore', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-ignore-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.equal(loadIgnore(dir).empty, true, 'no file: nothing excluded');
  fs.writeFileSync(path.join(dir, '.dockerignore'), 'from-context\n');
  fs.writeFileSync(path.join(dir, 'app.Dockerfile.dockerignore'), 'from-dockerfile\n');
  assert.equal(loadIgnore(dir).matches('from-context'), true);
  const specific = loadIgnore(dir, path.join(dir, 'app.Dockerfile'));
  assert.equal(specific.matches('from-dockerfile'), true);
  assert.equal(specific.matches('from-context'), false);
  assert.equal(loadIgnore(dir, path.join(dir, 'other.Dockerfile')).matches('from-context'), true);
});
