// The content key of COPY sources: the same when only mtimes change; different on
// content, mode, owner (when kept), symlink target, names; --chown/--chmod applied;
// the stat cache spares reading unchanged files and is never fooled by a change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSources } from '../../src/engine/build/context/sources.js';
import { IgnoreMatcher } from '../../src/engine/build/context/ignore.js';
import { hashSources, parseChmod, type HashOptions } from '../../src/engine/build/context/hash.js';
import { StatCache } from '../../src/engine/build/context/stat-cache.js';

function tree(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-hash-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'src', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src', 'main.c'), 'int main(void) { return 0; }\n');
  fs.writeFileSync(path.join(dir, 'src', 'lib', 'util.c'), 'void util(void) {}\n');
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(5 << 20, 7));
  fs.symlinkSync('main.c', path.join(dir, 'src', 'link'));
  return dir;
}

const ROOT = { uid: 0, gid: 0 };

async function key(dir: string, sources: string[] = ['src', 'big.bin'], opts: HashOptions = { owner: ROOT }): Promise<string> {
  const matches = resolveSources(sources, { contextDir: dir, ignore: new IgnoreMatcher([]), file: 'Dockerfile', line: 1, keyword: 'COPY' });
  return (await hashSources(matches, opts)).digest;
}

test('hash: the same when only mtimes (and atimes) change', async (t) => {
  const dir = tree(t);
  const before = await key(dir);
  assert.match(before, /^sha256:[0-9a-f]{64}$/);
  const past = new Date('2001-01-01T00:00:00Z');
  for (const f of ['src/main.c', 'src/lib/util.c', 'big.bin', 'src', 'src/lib']) fs.utimesSync(path.join(dir, f), past, past);
  fs.lutimesSync(path.join(dir, 'src', 'link'), past, past);
  assert.equal(await key(dir), before);
});

test('hash: different on content (same size), mode, names, symlink target, a new file', async (t) => {
  const dir = tree(t);
  const seen = new Set([await key(dir)]);
  const change = async (what: string, fn: () => void) => {
    fn();
    const k = await key(dir);
    assert.ok(!seen.has(k), `${what} changes the key`);
    seen.add(k);
  };
  await change('content', () => fs.writeFileSync(path.join(dir, 'src', 'main.c'), 'int main(void) { return 1; }\n'));
  await change('content of the large file', () => {
    const fd = fs.openSync(path.join(dir, 'big.bin'), 'r+');
    fs.writeSync(fd, Buffer.from([8]), 0, 1, 3 << 20);
    fs.closeSync(fd);
  });
  await change('mode', () => fs.chmodSync(path.join(dir, 'src', 'main.c'), 0o755));
  await change('a directory\'s mode', () => fs.chmodSync(path.join(dir, 'src', 'lib'), 0o700));
  await change('symlink target', () => {
    fs.unlinkSync(path.join(dir, 'src', 'link'));
    fs.symlinkSync('lib/util.c', path.join(dir, 'src', 'link'));
  });
  await change('rename', () => fs.renameSync(path.join(dir, 'src', 'lib', 'util.c'), path.join(dir, 'src', 'lib', 'util2.c')));
  await change('new empty file', () => fs.writeFileSync(path.join(dir, 'src', 'empty'), ''));
  await change('file becomes directory', () => {
    fs.unlinkSync(path.join(dir, 'src', 'empty'));
    fs.mkdirSync(path.join(dir, 'src', 'empty'));
  });
});

test('hash: --chown and --chmod are what the copies get', async (t) => {
  const dir = tree(t);
  const plain = await key(dir);
  assert.notEqual(await key(dir, undefined, { owner: { uid: 1000, gid: 1000 } }), plain, '--chown');
  const chmod = await key(dir, undefined, { owner: ROOT, chmod: parseChmod('0755') });
  assert.notEqual(chmod, plain, '--chmod');
  // With --chmod the sources' own modes no longer matter.
  fs.chmodSync(path.join(dir, 'src', 'main.c'), 0o600);
  assert.equal(await key(dir, undefined, { owner: ROOT, chmod: 0o755 }), chmod);
  assert.throws(() => parseChmod('u+x'), /octal/);
  assert.equal(parseChmod('4755'), 0o4755);
});

test('hash: owners count only when the copy keeps them (COPY --from), not for context files', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to chown');
  const dir = tree(t);
  const ctx = await key(dir);
  const kept = await key(dir, undefined, { owner: 'keep' });
  fs.chownSync(path.join(dir, 'src', 'main.c'), 1234, 5678);
  assert.equal(await key(dir), ctx, 'context files are copied as root whoever owns them');
  assert.notEqual(await key(dir, undefined, { owner: 'keep' }), kept);
});

test('hash: which sources and in what order is part of the key', async (t) => {
  const dir = tree(t);
  assert.notEqual(await key(dir, ['src', 'big.bin']), await key(dir, ['big.bin', 'src']));
  assert.notEqual(await key(dir, ['src/main.c']), await key(dir, ['src/lib/util.c']));
});

test('stat cache: unchanged files are not read again, changed ones are, and it survives a reload', async (t) => {
  const dir = tree(t);
  const file = path.join(dir, 'state', 'build-cache', 'stat-cache');
  const matches = () => resolveSources(['.'], { contextDir: dir, ignore: new IgnoreMatcher(['state']), file: 'Dockerfile', line: 1, keyword: 'COPY' });
  const cache = StatCache.open(file, { racyWindowMs: 0 });
  // The files' ctimes must be in the past of Date.now() (ms) even with no racy window.
  await new Promise((r) => setTimeout(r, 20));
  const first = await hashSources(matches(), { owner: ROOT, statCache: cache });
  assert.deepEqual([first.read, first.cached], [3, 0]);
  cache.save();
  assert.ok(fs.readFileSync(file, 'latin1').startsWith('hutch-stat-cache 1\n'));
  const again = StatCache.open(file, { racyWindowMs: 0 });
  assert.equal(again.size, 3);
  const second = await hashSources(matches(), { owner: ROOT, statCache: again });
  assert.deepEqual([second.read, second.cached, second.digest], [0, 3, first.digest]);
  // A rewrite with the same size and the old mtime still changes ctime: read again.
  const main = path.join(dir, 'src', 'main.c');
  const st = fs.statSync(main);
  fs.writeFileSync(main, 'int main(void) { return 9; }\n');
  fs.utimesSync(main, st.atime, st.mtime);
  await new Promise((r) => setTimeout(r, 20));
  const third = await hashSources(matches(), { owner: ROOT, statCache: again });
  assert.deepEqual([third.read, third.cached], [1, 2]);
  assert.notEqual(third.digest, first.digest);
});

test('stat cache: a file changed in the last seconds is not remembered (racy), a corrupt file is ignored', async (t) => {
  const dir = tree(t);
  const file = path.join(dir, 'cache');
  const cache = StatCache.open(file);
  const m = resolveSources(['src'], { contextDir: dir, ignore: new IgnoreMatcher([]), file: 'Dockerfile', line: 1, keyword: 'COPY' });
  await hashSources(m, { owner: ROOT, statCache: cache });
  assert.equal(cache.size, 0, 'files just written are racy');
  const e = m[0].entries.find((x) => x.type === 'file');
  assert.ok(e);
  cache.set(e, 'a'.repeat(64), e.ctimeNs + 3_000_000_000n);
  assert.equal(cache.get(e), 'a'.repeat(64));
  fs.writeFileSync(file, 'garbage\n1:2:3:4:5 abc\n');
  assert.equal(StatCache.open(file).size, 0);
});
