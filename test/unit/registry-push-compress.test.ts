// push sends layers hutch holds uncompressed as gzip, made once while uploading and
// kept in the content store with a record; the pushed manifest names the copies,
// the config (the image id) stays. Against an in-memory registry (a fetch stub that
// speaks the distribution upload protocol and checks it) and a real content store.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pushImage } from '../../src/engine/registry/push.js';
import { FsBlobStore } from '../../src/engine/images/content/blobs.js';
import { compressedDir, findCompressed, keepCompressed } from '../../src/engine/images/content/compressed.js';
import type { ImageService } from '../../src/engine/images/service-api.js';
import type { TransferProgress } from '../../src/engine/types.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A layer that compresses like real files do (text with some variety), `kib` KiB. */
function layerBytes(kib: number, seed = 1): Buffer {
  const words = ['include', 'static', 'const', 'struct', 'return', 'unsigned', 'define', 'void', 'int', 'char'];
  let x = seed;
  const parts: string[] = [];
  let n = 0;
  while (n < kib * 1024) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const w = `${words[x % words.length]}${x % 97} `;
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, kib * 1024);
}

interface Store {
  imagesDir: string;
  blobs: FsBlobStore;
  service: ImageService;
  manifestDigest: string;
  config: Buffer;
}

/** A content store holding a one-layer image whose layer blob is `layer`, typed `layerType`. */
async function storeWith(layer: Buffer, o: { layerType?: string; manifestType?: string } = {}): Promise<Store> {
  const imagesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-push-gz-'));
  dirs.push(imagesDir);
  const blobs = new FsBlobStore(imagesDir);
  const diffId = sha(layer[0] === 0x1f ? gunzipSync(layer) : layer);
  await blobs.putBytes(layer);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
  await blobs.putBytes(config);
  const manifestType = o.manifestType ?? OCI_MANIFEST;
  const manifest = {
    schemaVersion: 2,
    mediaType: manifestType,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: o.layerType ?? 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length, annotations: { keep: 'me' } }],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = await blobs.putBytes(manifestBytes);
  const service = {
    blobs,
    async resolve() {
      return { manifestDigest, manifest, mediaType: manifestType, config: {} };
    },
    lease: <T>(fn: () => Promise<T>) => fn(),
    async register() {
      throw new Error('not used');
    },
  } as unknown as ImageService;
  return { imagesDir, blobs, service, manifestDigest, config };
}

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  bytes: number;
}

/** An in-memory registry: blobs, upload sessions (ranges checked), manifests; every request logged. */
function fakeRegistry(o: { fail?: (r: Req, n: number) => Response | Error | undefined } = {}) {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>();
  const sessions = new Map<string, Buffer[]>();
  const log: Req[] = [];
  let next = 0;
  const readBody = async (body: unknown): Promise<Buffer> => {
    if (body === undefined || body === null) return Buffer.alloc(0);
    if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
      const parts: Buffer[] = [];
      for await (const c of body as AsyncIterable<Uint8Array>) parts.push(Buffer.from(c));
      return Buffer.concat(parts);
    }
    return Buffer.from(body as Uint8Array);
  };
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = await readBody(init.body);
    const req: Req = { method, path: url.pathname + url.search, headers, bytes: body.length };
    log.push(req);
    const failed = o.fail?.(req, log.length);
    if (failed instanceof Error) throw failed;
    if (failed) return failed;
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname)) && method === 'HEAD') {
      return new Response(null, { status: blobs.has(m[2]) ? 200 : 404 });
    }
    if (/^\/v2\/(.+)\/blobs\/uploads\/$/.test(url.pathname) && method === 'POST') {
      const id = `u${next++}`;
      sessions.set(id, []);
      return new Response(null, { status: 202, headers: { location: `/v2/x/blobs/uploads/${id}` } });
    }
    if ((m = /^\/v2\/x\/blobs\/uploads\/(u\d+)$/.exec(url.pathname))) {
      const s = sessions.get(m[1]);
      if (!s) return new Response('{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"no session"}]}', { status: 404 });
      const have = s.reduce((a, b) => a + b.length, 0);
      if (method === 'PATCH') {
        const r = /^(\d+)-(\d+)$/.exec(headers['content-range'] ?? '');
        if (!r || Number(r[1]) !== have || Number(r[2]) !== have + body.length - 1 || Number(headers['content-length']) !== body.length) {
          return new Response('{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"bad range"}]}', { status: 416 });
        }
        s.push(body);
        return new Response(null, { status: 202, headers: { location: `/v2/x/blobs/uploads/${m[1]}` } });
      }
      if (method === 'PUT') {
        s.push(body);
        const all = Buffer.concat(s);
        const want = url.searchParams.get('digest')!;
        if (sha(all) !== want) return new Response('{"errors":[{"code":"DIGEST_INVALID","message":"digest"}]}', { status: 400 });
        blobs.set(want, all);
        sessions.delete(m[1]);
        return new Response(null, { status: 201 });
      }
    }
    if ((m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(url.pathname)) && method === 'PUT') {
      manifests.set(m[2], body);
      return new Response(null, { status: 201, headers: { 'docker-content-digest': sha(body) } });
    }
    return new Response(null, { status: 404 });
  }) as typeof globalThis.fetch;
  const uploads = () => log.filter((r) => r.method === 'POST' || r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/'))).length;
  return { fetch, blobs, manifests, log, uploads };
}

function push(s: Store, reg: ReturnType<typeof fakeRegistry>, name = 'reg.example/x:1', extra: { chunkBytes?: number; onProgress?: (e: TransferProgress) => void } = {}) {
  return pushImage(
    {
      service: async () => s.service,
      authFile: path.join(os.tmpdir(), 'hutch-test-no-auth.json'),
      client: { fetch: reg.fetch, sleep: async () => {} },
      chunkBytes: extra.chunkBytes,
    },
    name,
    { onProgress: extra.onProgress },
  );
}

test('an uncompressed layer goes gzip: the registry gets a gzip blob of the same tar, the manifest names it, the config is unchanged', async () => {
  const layer = layerBytes(256);
  const s = await storeWith(layer);
  const reg = fakeRegistry();
  const events: TransferProgress[] = [];
  const r = await push(s, reg, 'reg.example/x:1', { onProgress: (e) => events.push(e) });

  const sent = reg.manifests.get('1')!;
  assert.equal(r.digest, sha(sent), 'the result names the manifest sent');
  assert.notEqual(r.digest, s.manifestDigest, 'the local manifest names the plain layer');
  assert.equal(r.size, sent.length);
  const m = JSON.parse(sent.toString());
  assert.equal(m.mediaType, OCI_MANIFEST);
  assert.equal(m.config.digest, sha(s.config), 'same config: same image id');
  assert.equal(m.layers.length, 1);
  const l = m.layers[0];
  assert.equal(l.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  assert.deepEqual(l.annotations, { keep: 'me' }, 'other fields of the descriptor stay');
  const blob = reg.blobs.get(l.digest)!;
  assert.ok(blob, 'the registry holds the compressed blob');
  assert.deepEqual([...blob.subarray(0, 2)], [0x1f, 0x8b]);
  assert.equal(blob.length, l.size);
  assert.ok(blob.length < layer.length / 2, `compressed: ${blob.length} of ${layer.length}`);
  assert.equal(sha(gunzipSync(blob)), sha(layer), 'its gunzip is the layer');
  assert.equal(blob[3] & 0x08, 0, 'no file name in the gzip header');
  assert.equal(blob.readUInt32LE(4), 0, 'no mtime in the gzip header');
  assert.equal(r.uploaded, blob.length + s.config.length, 'the compressed bytes are what went');

  // Recorded, and kept in the store.
  assert.deepEqual(findCompressed(s.imagesDir, s.blobs, sha(layer)), { digest: l.digest, size: l.size });
  assert.ok(s.blobs.has(l.digest));
  // Progress goes under the local layer's id (docker shows the diff id).
  const id = sha(layer).slice(7, 19);
  assert.ok(events.some((e) => e.id === id && e.phase === 'uploading' && e.total === layer.length));
  assert.ok(events.some((e) => e.id === id && e.phase === 'done'));
  assert.ok(!events.some((e) => e.id === l.digest.slice(7, 19)), 'no row for the copy');
});

test('a second push compresses nothing and uploads nothing: the copy is found by HEAD', async () => {
  const layer = layerBytes(128);
  const s = await storeWith(layer);
  const reg = fakeRegistry();
  const first = await push(s, reg);
  const stored = s.blobs.list().sort();
  const before = reg.uploads();
  assert.ok(before >= 3, 'the first push uploaded the layer and the config');
  const events: TransferProgress[] = [];
  const second = await push(s, reg, 'reg.example/x:1', { onProgress: (e) => events.push(e) });
  assert.equal(reg.uploads(), before, 'no upload started');
  assert.equal(second.uploaded, 0);
  assert.equal(second.digest, first.digest);
  assert.deepEqual(s.blobs.list().sort(), stored, 'no new blob in the store');
  assert.ok(events.some((e) => e.id === sha(layer).slice(7, 19) && e.phase === 'exists'));

  // Another repository of the same registry: the copy is uploaded from the store, not made again.
  const mtime = fs.statSync(s.blobs.path(JSON.parse(reg.manifests.get('1')!.toString()).layers[0].digest)).mtimeMs;
  const third = await push(s, reg, 'reg.example/y:2');
  assert.equal(third.digest, first.digest);
  assert.equal(fs.statSync(s.blobs.path(JSON.parse(reg.manifests.get('2')!.toString()).layers[0].digest)).mtimeMs, mtime);
});

test('the compression is deterministic: another store and registry get the same compressed digest', async () => {
  const layer = layerBytes(300, 7);
  const a = await storeWith(layer);
  const b = await storeWith(layer);
  const ra = fakeRegistry();
  const rb = fakeRegistry();
  const pa = await push(a, ra);
  const pb = await push(b, rb, 'reg.example/x:1', { chunkBytes: 16 * 1024 });
  assert.equal(pa.digest, pb.digest);
  assert.deepEqual([...ra.blobs.keys()].sort(), [...rb.blobs.keys()].sort());
});

test('a layer larger than a chunk streams in PATCH chunks while it compresses; the last PUT names the digest', async () => {
  const layer = layerBytes(2048, 3);
  const s = await storeWith(layer);
  const reg = fakeRegistry();
  const chunk = 32 * 1024;
  await push(s, reg, 'reg.example/x:1', { chunkBytes: chunk });
  const l = JSON.parse(reg.manifests.get('1')!.toString()).layers[0];
  const patches = reg.log.filter((r) => r.method === 'PATCH');
  assert.ok(patches.length >= 3, `${patches.length} PATCH requests`);
  assert.ok(patches.every((p) => p.bytes <= chunk && p.bytes > 0));
  assert.equal(patches.reduce((a, p) => a + p.bytes, 0), l.size, 'all of the copy went in PATCHes');
  const put = reg.log.find((r) => r.method === 'PUT' && r.path.includes(`digest=${encodeURIComponent(l.digest)}`));
  assert.ok(put, 'the final PUT carries the digest');
  assert.equal(put.bytes, 0);
  assert.equal(sha(gunzipSync(reg.blobs.get(l.digest)!)), sha(layer));
});

test('the connection breaks mid-stream: the copy is finished and recorded, and sent again from the store', async () => {
  const layer = layerBytes(1024, 5);
  const s = await storeWith(layer);
  let broke = 0;
  const reg = fakeRegistry({
    fail: (r) => {
      if (r.method === 'PATCH' && broke++ === 1) {
        return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
      }
      return undefined;
    },
  });
  const r = await push(s, reg, 'reg.example/x:1', { chunkBytes: 32 * 1024 });
  const l = JSON.parse(reg.manifests.get('1')!.toString()).layers[0];
  assert.equal(r.digest, sha(reg.manifests.get('1')!));
  assert.equal(sha(gunzipSync(reg.blobs.get(l.digest)!)), sha(layer));
  assert.deepEqual(findCompressed(s.imagesDir, s.blobs, sha(layer)), { digest: l.digest, size: l.size });
  assert.equal(reg.log.filter((q) => q.method === 'POST').length, 3, 'one more session: the stored copy, then the config');
});

test('a refusal stops the compression: one line, nothing half-made left, no manifest', async () => {
  const layer = layerBytes(4096);
  const s = await storeWith(layer);
  const reg = fakeRegistry({
    fail: (r) => (r.method === 'POST' ? new Response('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}', { status: 403 }) : undefined),
  });
  await assert.rejects(push(s, reg), (e: Error) => {
    assert.equal(e.message, 'denied: requested access to reg.example/x is denied');
    return true;
  });
  const ingest = path.join(s.imagesDir, 'ingest');
  assert.deepEqual(fs.existsSync(ingest) ? fs.readdirSync(ingest) : [], [], 'no temp file');
  // Stopped (usually) before the end; a copy that did get finished is whole and recorded.
  const copy = findCompressed(s.imagesDir, s.blobs, sha(layer));
  if (copy) assert.equal(sha(gunzipSync(fs.readFileSync(s.blobs.path(copy.digest)))), sha(layer));
  assert.equal(reg.manifests.size, 0);
});

test('docker flavour: a rootfs.diff.tar layer goes as rootfs.diff.tar.gzip in a docker manifest', async () => {
  const layer = layerBytes(64);
  const s = await storeWith(layer, { layerType: 'application/vnd.docker.image.rootfs.diff.tar', manifestType: DOCKER_MANIFEST });
  const reg = fakeRegistry();
  await push(s, reg);
  const m = JSON.parse(reg.manifests.get('1')!.toString());
  assert.equal(m.mediaType, DOCKER_MANIFEST);
  assert.equal(m.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  assert.equal(sha(gunzipSync(reg.blobs.get(m.layers[0].digest)!)), sha(layer));
});

test('sent as stored: a layer already gzip (even if typed tar), and any push by digest', async () => {
  const gz = gzipSync(layerBytes(64));
  const s = await storeWith(gz, { layerType: 'application/vnd.oci.image.layer.v1.tar' });
  const reg = fakeRegistry();
  const r = await push(s, reg);
  assert.equal(r.digest, s.manifestDigest, 'the stored manifest, byte for byte');
  assert.ok(reg.blobs.has(sha(gz)));

  const plain = await storeWith(layerBytes(64, 9));
  const reg2 = fakeRegistry();
  const byDigest = await push(plain, reg2, `reg.example/x@${plain.manifestDigest}`);
  assert.equal(byDigest.digest, plain.manifestDigest, 'a push by digest sends the manifest it names');
  assert.equal(fs.existsSync(compressedDir(plain.imagesDir)), false, 'and compresses nothing');
});

test('gc: the copy stays while its layer is used; the record goes with the layer, and a broken record goes', async () => {
  const layer = layerBytes(64);
  const s = await storeWith(layer);
  await push(s, fakeRegistry());
  const copy = findCompressed(s.imagesDir, s.blobs, sha(layer))!;
  const used = new Set([sha(layer)]);
  assert.deepEqual(keepCompressed(s.imagesDir, s.blobs, used), []);
  assert.ok(used.has(copy.digest), 'kept while the layer is used');

  fs.writeFileSync(path.join(compressedDir(s.imagesDir), `${'ab'.repeat(32)}.json`), '{torn');
  const none = new Set<string>();
  const lines = keepCompressed(s.imagesDir, s.blobs, none);
  assert.deepEqual(lines.sort(), [`compressed copy record sha256:abababababab`, `compressed copy record ${sha(layer).slice(0, 19)}`].sort());
  assert.ok(!none.has(copy.digest), 'left to the unreferenced-blob sweep');
  assert.deepEqual(fs.readdirSync(compressedDir(s.imagesDir)), []);
  assert.equal(findCompressed(s.imagesDir, s.blobs, sha(layer)), null);
});
