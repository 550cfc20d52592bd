// The content store and the archive writer without root: atomic ingest with digest
// and size checks, resumable partials, verification on read, in-root file reading,
// and the ustar writer read back by node-tar.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, PassThrough } from 'node:stream';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Parser, type ReadEntry } from 'tar';
import { FsBlobStore, DigestMismatch } from '../../src/engine/images/content/blobs.js';
import { readInRoot, resolveInRoot } from '../../src/engine/images/inroot.js';
import { TarWriter } from '../../src/engine/images/archive/tar-write.js';
import type { ImageMeta } from '../../src/engine/images/catalog.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-images-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('ingest: hashed while written, renamed into place; a mismatch rejects and leaves nothing', async () => {
  const store = new FsBlobStore(path.join(tmp, 'a'));
  const data = Buffer.from('hello blob '.repeat(1000));
  const r = await store.ingest(Readable.from([data.subarray(0, 100), data.subarray(100)]), { digest: sha(data), size: data.length });
  assert.deepEqual(r, { digest: sha(data), size: data.length, fresh: true });
  assert.ok(store.has(sha(data)));
  assert.deepEqual(store.readBytes(sha(data)), data);
  assert.equal((await store.ingest(Readable.from([data]))).fresh, false);
  await assert.rejects(store.ingest(Readable.from([data]), { digest: sha('other') }), DigestMismatch);
  await assert.rejects(store.ingest(Readable.from([data]), { size: data.length - 1 }), /larger than/);
  await assert.rejects(store.ingest(Readable.from([data]), { size: data.length + 1 }), /size mismatch/);
  const failing = new PassThrough();
  const p = store.ingest(failing);
  failing.write('partial');
  failing.destroy(new Error('connection reset'));
  await assert.rejects(p, /connection reset/);
  assert.deepEqual(fs.readdirSync(path.join(tmp, 'a', 'ingest')), [], 'no temp file left');
  assert.deepEqual(store.list(), [sha(data)]);
});

test('readBytes verifies: a blob corrupted on disk is refused', async () => {
  const store = new FsBlobStore(path.join(tmp, 'b'));
  const d = await store.putBytes(Buffer.from('{"a":1}'));
  fs.writeFileSync(store.path(d), '{"a":2}');
  assert.throws(() => store.readBytes(d), /corrupt/);
  assert.throws(() => store.readBytes(sha('absent')), /not in the store/);
  await assert.rejects(store.putBytes(Buffer.from('x'), sha('y')), DigestMismatch);
});

test('partial downloads survive and resume; commitPartial verifies the whole file', async () => {
  const store = new FsBlobStore(path.join(tmp, 'c'));
  const data = Buffer.from('0123456789'.repeat(500));
  const d = sha(data);
  const p = store.partial(d);
  assert.equal(p.size, 0);
  fs.writeFileSync(p.path, data.subarray(0, 1234));
  assert.equal(store.partial(d).size, 1234);
  fs.appendFileSync(p.path, data.subarray(1234));
  await store.commitPartial(d, data.length);
  assert.ok(store.has(d));
  assert.equal(fs.existsSync(p.path), false);
  const bad = sha('something else');
  fs.writeFileSync(store.partial(bad).path, 'not it');
  await assert.rejects(store.commitPartial(bad), DigestMismatch);
  assert.equal(fs.existsSync(store.partial(bad).path), false, 'a bad partial is deleted');
  await assert.rejects(store.commitPartial(sha('none')), /no partial download/);
});

test('in-root reads: links resolve inside the root, never to the host; only regular files are read', () => {
  const root = path.join(tmp, 'root');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr', 'etc'), { recursive: true });
  const outside = path.join(tmp, 'outside-secret');
  fs.writeFileSync(outside, 'secret\n');
  fs.writeFileSync(path.join(root, 'usr', 'etc', 'passwd'), 'inside\n');
  fs.symlinkSync('/usr/etc/passwd', path.join(root, 'etc', 'passwd'));
  fs.symlinkSync(outside, path.join(root, 'etc', 'abs'));
  fs.symlinkSync('../../../../../../../..' + outside, path.join(root, 'etc', 'rel'));
  fs.symlinkSync('loop2', path.join(root, 'etc', 'loop1'));
  fs.symlinkSync('loop1', path.join(root, 'etc', 'loop2'));
  assert.equal(spawnSync('mkfifo', [path.join(root, 'etc', 'fifo')]).status, 0);
  assert.equal(readInRoot(root, '/etc/passwd'), 'inside\n');
  assert.equal(readInRoot(root, '/etc/abs'), null);
  assert.equal(readInRoot(root, '/etc/rel'), null);
  assert.equal(resolveInRoot(root, '/etc/rel'), null, 'resolved inside the root, where it does not exist');
  fs.mkdirSync(path.dirname(path.join(root, outside)), { recursive: true });
  fs.writeFileSync(path.join(root, outside), 'the image copy\n');
  assert.equal(readInRoot(root, '/etc/rel'), 'the image copy\n');
  assert.equal(readInRoot(root, '/etc/abs'), 'the image copy\n');
  assert.equal(readInRoot(root, '/etc/loop1'), null);
  assert.equal(readInRoot(root, '/etc'), null);
  assert.equal(readInRoot(root, '/etc/fifo'), null, 'a FIFO is neither waited on nor read');
  assert.equal(readInRoot(root, '/etc/passwd/x'), null);
});

test('the archive writer writes ustar that node-tar reads back, sizes and contents intact', async () => {
  const f = path.join(tmp, 'big-file');
  fs.writeFileSync(f, Buffer.alloc(70_001, 7));
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new TarWriter(out);
  await w.bytes('oci-layout', Buffer.from('{}'));
  await w.dir('blobs/sha256');
  await w.file(`blobs/sha256/${'a'.repeat(64)}`, f);
  await w.end();
  out.end();
  const buf = Buffer.concat(chunks);
  assert.equal(buf.length % 512, 0);
  const seen: Array<[string, string, number, string]> = [];
  await new Promise<void>((resolve, reject) => {
    const p = new Parser({ strict: true });
    p.on('entry', (e: ReadEntry) => {
      const parts: Buffer[] = [];
      e.on('data', (c: Buffer) => parts.push(c));
      e.on('end', () => seen.push([e.path, e.type, e.size ?? 0, sha(Buffer.concat(parts))]));
    });
    p.on('end', resolve);
    p.on('error', reject);
    p.end(buf);
  });
  assert.deepEqual(seen, [
    ['oci-layout', 'File', 2, sha('{}')],
    ['blobs/sha256/', 'Directory', 0, sha('')],
    [`blobs/sha256/${'a'.repeat(64)}`, 'File', 70_001, sha(fs.readFileSync(f))],
  ]);
});

test('images are listed by id: a nameless manifest of an image that has a name (a pushed copy pulled back) is not a second row', async () => {
  const { imageInfos } = await import('../../src/engine/images/catalog.js');
  const meta = (manifest: string, config: string): ImageMeta => ({
    manifestDigest: `sha256:${manifest.repeat(64)}`,
    configDigest: `sha256:${config.repeat(64)}`,
    mediaType: '',
    created: '',
    loaded: '',
    os: 'linux',
    architecture: 'amd64',
    config: {},
    layers: [],
    size: 0,
    kind: 'oci',
    passwd: null,
    group: null,
  });
  const local = meta('a', '1');
  const pushed = meta('b', '1');
  const other = meta('c', '2');
  const otherCopy = meta('d', '2');
  const rows = imageInfos({ 'docker.io/library/app:latest': pushed.manifestDigest }, [local, pushed, other, otherCopy]);
  assert.deepEqual(rows.map((r) => [r.name, r.id.slice(7, 8)]), [['app:latest', '1'], ['222222222222', '2']]);
});
