// extractLayer itself: the worker thread, compression by magic bytes (tar,
// gzip, zstd through the zstd program), digest and diffId, progress, abort,
// and errors crossing back from the worker as one-line ExtractErrors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { extractLayer, ExtractError } from '../../src/engine/images/extract/index.js';
import { runInWorker } from '../../src/engine/images/extract/host.js';
import { extractSandbox } from '../support/extract-sandbox.js';
import { dir, file, symlink, tar } from '../support/tar-writer.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const sample = () =>
  tar([
    dir('etc'),
    file('etc/hostname', 'box\n'),
    symlink('etc/localtime', '/usr/share/zoneinfo/UTC'),
    file('data', Buffer.alloc(2 << 20, 0x61)),
    ...Array.from({ length: 50 }, (_, i) => file(`many/${i}`, String(i))),
  ]);

test('plain tar: digest = diffId = sha256 of the file; counts and contents', async () => {
  const sb = extractSandbox();
  try {
    const t = sample();
    const r = await extractLayer(sb.layer(t), sb.root, { whiteouts: 'overlay' });
    assert.deepEqual(r, { entries: 54, bytes: t.length, diffId: sha(t), digest: sha(t), compression: 'none', skipped: [] });
    assert.equal(fs.readFileSync(path.join(sb.root, 'etc/hostname'), 'utf8'), 'box\n');
    assert.equal(fs.readlinkSync(path.join(sb.root, 'etc/localtime')), '/usr/share/zoneinfo/UTC', 'absolute symlinks stay absolute');
  } finally {
    sb.cleanup();
  }
});

test('gzip: digest of the compressed bytes, diffId of the tar, progress up to the file size', async () => {
  const sb = extractSandbox();
  try {
    const t = sample();
    // Two gzip members, as pigz and concatenating tools write them.
    const gz = Buffer.concat([zlib.gzipSync(t.subarray(0, 70_000)), zlib.gzipSync(t.subarray(70_000))]);
    const seen: number[] = [];
    const r = await extractLayer(sb.layer(gz, 'l.tar.gz'), sb.root, { whiteouts: 'apply', onProgress: (n) => seen.push(n) });
    assert.equal(r.compression, 'gzip');
    assert.equal(r.digest, sha(gz));
    assert.equal(r.diffId, sha(t));
    assert.equal(r.bytes, t.length);
    assert.ok(seen.length >= 1);
    assert.equal(seen[seen.length - 1], gz.length);
    assert.ok(seen.every((n, i) => i === 0 || n >= seen[i - 1]), 'progress never goes back');
    assert.equal(fs.statSync(path.join(sb.root, 'data')).size, 2 << 20);
  } finally {
    sb.cleanup();
  }
});

test('gzip with trailing data (4 MiB of zeros after the member): the digest is of the whole file', async () => {
  const sb = extractSandbox();
  try {
    const t = sample();
    const file = Buffer.concat([zlib.gzipSync(t), Buffer.alloc(4 << 20)]);
    const seen: number[] = [];
    const r = await extractLayer(sb.layer(file, 'padded.tar.gz'), sb.root, { whiteouts: 'overlay', onProgress: (n) => seen.push(n) });
    assert.equal(r.digest, sha(file), 'what a registry and the content store hash');
    assert.equal(r.diffId, sha(t));
    assert.equal(seen[seen.length - 1], file.length);
    assert.equal(fs.readFileSync(path.join(sb.root, 'etc/hostname'), 'utf8'), 'box\n');
  } finally {
    sb.cleanup();
  }
});

test('zstd through the zstd program', async () => {
  const sb = extractSandbox();
  try {
    const t = sample();
    const plain = sb.layer(t, 'z.tar');
    const z = spawnSync('zstd', ['-q', '-c', plain]);
    assert.equal(z.status, 0, 'zstd is installed (CI installs it)');
    const r = await extractLayer(sb.layer(z.stdout, 'z.tar.zst'), sb.root, { whiteouts: 'overlay' });
    assert.equal(r.compression, 'zstd');
    assert.equal(r.digest, sha(z.stdout));
    assert.equal(r.diffId, sha(t));
    assert.equal(fs.readFileSync(path.join(sb.root, 'many/49'), 'utf8'), '49');
  } finally {
    sb.cleanup();
  }
});

test('a corrupt gzip stream and unsupported compressions are clear errors', async () => {
  const sb = extractSandbox();
  try {
    const gz = zlib.gzipSync(sample());
    gz[gz.length >> 1] ^= 0xff;
    await assert.rejects(extractLayer(sb.layer(gz, 'bad.gz'), sb.root, { whiteouts: 'apply' }), (e: Error) => e instanceof ExtractError && /^layer: gzip: /.test(e.message));
    const xz = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]);
    await assert.rejects(extractLayer(sb.layer(xz, 'l.xz'), sb.root, { whiteouts: 'apply' }), { message: 'xz-compressed layers are not supported' });
  } finally {
    sb.cleanup();
  }
});

test('errors from the worker keep their one-line message; a missing layer or root is named', async () => {
  const sb = extractSandbox();
  try {
    await assert.rejects(extractLayer(sb.layer(tar([file('../x', 'x')])), sb.root, { whiteouts: 'apply' }), (e: Error) => {
      assert.ok(e instanceof ExtractError);
      assert.equal(e.message, 'layer entry "../x": path escapes the root ("..")');
      return true;
    });
    await assert.rejects(extractLayer(path.join(sb.T, 'nope.tar'), sb.root, { whiteouts: 'apply' }), /^ExtractError: cannot open layer .*nope\.tar: ENOENT/);
    await assert.rejects(extractLayer(sb.layer(tar([])), path.join(sb.T, 'no-root'), { whiteouts: 'apply' }), /cannot open the extraction root .*no-root: ENOENT/);
  } finally {
    sb.cleanup();
  }
});

test('an empty layer and an archive without end blocks are fine', async () => {
  const sb = extractSandbox();
  try {
    const empty = await extractLayer(sb.layer(Buffer.alloc(0), 'empty.tar'), sb.root, { whiteouts: 'apply' });
    assert.equal(empty.entries, 0);
    const r = await extractLayer(sb.layer(tar([file('a', 'a')], { end: false }), 'noend.tar'), sb.root, { whiteouts: 'apply' });
    assert.equal(r.entries, 1);
    await assert.rejects(extractLayer(sb.layer(Buffer.concat([tar([file('b', 'b')]), Buffer.alloc(2 << 20)]), 'trailer.tar'), sb.root, { whiteouts: 'apply' }), /bytes after the end of the archive/);
  } finally {
    sb.cleanup();
  }
});

test('abort: the promise rejects with the signal reason and the worker stops', async () => {
  const sb = extractSandbox();
  try {
    const big = tar(Array.from({ length: 20_000 }, (_, i) => file(`d${i % 100}/f${i}`, 'x'.repeat(100))));
    const gz = zlib.gzipSync(big, { level: 1 });
    const ac = new AbortController();
    const p = extractLayer(sb.layer(gz, 'big.tar.gz'), sb.root, { whiteouts: 'apply', signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(p, { name: 'AbortError' });
    // Already aborted: rejects at once.
    await assert.rejects(extractLayer(sb.layer(gz, 'big2.tar.gz'), sb.root, { whiteouts: 'apply', signal: ac.signal }), { name: 'AbortError' });
    // The worker stopped: the tree stops growing.
    await new Promise((r) => setTimeout(r, 300));
    const count = () => fs.readdirSync(sb.root).length;
    const n = count();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(count(), n);
  } finally {
    sb.cleanup();
  }
});

/** This process's fds open on `file`. */
function fdsOn(file: string): string[] {
  const out: string[] = [];
  for (const n of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${n}`) === file) out.push(n);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

test('a worker terminated inside the addon after an abort: the process lives on, no fd stays open on the layer', async () => {
  const sb = extractSandbox();
  try {
    // A worker busy in one long step (an opaque directory over 20 000 lower files)
    // does not see the abort flag: it is terminated, and runs no clean-up of its own.
    // (An addon error that could no longer be thrown then aborted the whole process.)
    fs.mkdirSync(path.join(sb.root, 'big'));
    for (let i = 0; i < 20_000; i++) fs.writeFileSync(path.join(sb.root, 'big', `f${i}`), '');
    const layer = sb.layer(tar([file('big/.wh..wh..opq'), file('after', 'x')]), 'opaque.tar');
    const ac = new AbortController();
    const p = runInWorker(layer, sb.root, { whiteouts: 'apply', signal: ac.signal, onProgress: () => ac.abort() }, 0);
    await assert.rejects(p, { name: 'AbortError' });
    let left = fdsOn(layer);
    for (let waited = 0; left.length > 0 && waited < 3000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      left = fdsOn(layer);
    }
    assert.deepEqual(left, [], 'the layer fd is closed once the worker is gone');
    assert.equal(fs.existsSync(path.join(sb.root, 'after')), false, 'the worker was stopped before the end');
    // And a finished extraction closes it too.
    const small = sb.layer(tar([file('a', 'a')]), 'small.tar');
    await extractLayer(small, sb.root, { whiteouts: 'apply' });
    assert.deepEqual(fdsOn(small), []);
  } finally {
    sb.cleanup();
  }
});

test('a layer that is not a regular file is refused, not waited on', { timeout: 20_000 }, async () => {
  const sb = extractSandbox();
  try {
    const fifo = path.join(path.dirname(sb.layer(Buffer.alloc(0), 'x.tar')), 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    await assert.rejects(extractLayer(fifo, sb.root, { whiteouts: 'apply' }), (e: Error) => e instanceof ExtractError && /not a regular file/.test(e.message));
    assert.deepEqual(fdsOn(fifo), []);
  } finally {
    sb.cleanup();
  }
});
