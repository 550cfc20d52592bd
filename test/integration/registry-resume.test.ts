// A pull killed with SIGKILL half way through a big layer: the store stays
// consistent (no blob, no image, only the partial download), and the next pull
// asks only for the rest (Range) and completes; the image runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { busyboxRootfsTar, sandbox, type Sandbox } from './helpers.js';
import { layer, makeImage, pushImage, sha256, startRegistry, tarOf, type Registry } from '../support/registry.js';
import { startProxy, type Proxy, type ProxyOptions } from '../support/proxy.js';
import { cliAsync } from '../support/cli.js';

const BIG = 24 * 1024 * 1024;

let reg: Registry;
let sb: Sandbox;
let proxy: Proxy;
const proxyOptions: ProxyOptions = { blobRate: 6 * 1024 * 1024 };
let bigDigest: string;
let bigSha: string;

before(async () => {
  reg = await startRegistry();
  sb = await sandbox();
  // Random bytes do not compress: the layer is as big on the wire as on disk.
  const big = randomBytes(BIG);
  bigSha = createHash('sha256').update(big).digest('hex');
  const bigLayer = layer(tarOf({ 'big.bin': big }));
  bigDigest = sha256(bigLayer.blob);
  await pushImage(reg.url, 'big', '1', makeImage([layer(fs.readFileSync(busyboxRootfsTar()), true), bigLayer]));
  proxy = await startProxy(reg.url, proxyOptions);
});

after(async () => {
  await proxy?.close();
  await sb?.cleanup();
  await reg?.stop();
});

const ingest = () => path.join(sb.root, 'images', 'ingest');
const partialOf = (digest: string) => path.join(ingest(), `${digest.slice(7)}.partial`);
const sizeOf = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);

test('SIGKILL in the middle of a pull; the next pull resumes with a Range request and completes', async () => {
  const name = `${proxy.host}/big:1`;
  const partial = partialOf(bigDigest);
  let child: ChildProcess | undefined;
  const first = cliAsync(sb.env, ['pull', '--insecure', name], { onSpawn: (c) => (child = c) });
  // Kill once a quarter of the big layer has landed in the partial file.
  const deadline = Date.now() + 60_000;
  while (sizeOf(partial) < BIG / 4) {
    assert.ok(Date.now() < deadline, 'the download never got going');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(child?.pid);
  child.kill('SIGKILL');
  const killed = await first;
  assert.equal(killed.signal, 'SIGKILL');
  assert.match(killed.stdout, /: Downloading\n/, 'progress had started');

  // Consistent: the layer is not in the store, no image was recorded, the partial stays.
  const kept = sizeOf(partial);
  assert.ok(kept >= BIG / 4 && kept < BIG, `partial has ${kept} bytes`);
  assert.ok(!fs.existsSync(path.join(sb.root, 'images', 'blobs', 'sha256', bigDigest.slice(7))));
  assert.doesNotMatch(sb.cli(['images']).stdout, /big/);

  proxyOptions.blobRate = 0;
  const servedBefore = proxy.blobBytes();
  const requestsBefore = proxy.requests.length;
  const second = await cliAsync(sb.env, ['pull', '--insecure', name]);
  assert.equal(second.stderr, '');
  assert.equal(second.status, 0);
  const served = proxy.blobBytes() - servedBefore;
  const bigGets = proxy.requests.slice(requestsBefore).filter((r) => r.method === 'GET' && r.url.endsWith(`/blobs/${bigDigest}`));
  assert.deepEqual(bigGets.map((r) => [r.range, r.status]), [[`bytes=${kept}-`, 206]], 'one request, for the rest only');
  const bigBlobSize = fs.statSync(path.join(sb.root, 'images', 'blobs', 'sha256', bigDigest.slice(7))).size;
  assert.ok(served <= bigBlobSize - kept + 64 * 1024, `second pull fetched ${served} bytes; ${bigBlobSize - kept} were missing`);
  assert.ok(served < bigBlobSize, 'fewer bytes than the whole layer');

  // The store is whole: no partial left, the blob verifies, the image runs with the right bytes.
  assert.deepEqual(fs.readdirSync(ingest()).filter((f) => f.endsWith('.partial')), []);
  const blob = fs.readFileSync(path.join(sb.root, 'images', 'blobs', 'sha256', bigDigest.slice(7)));
  assert.equal(sha256(blob), bigDigest);
  const run = sb.cli(['run', '--rm', name, 'sha256sum', '/big.bin']);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, `${bigSha}  /big.bin\n`);
});

test('two pulls of one image at once: both complete, one download per blob', async () => {
  const other = await sandbox();
  try {
    const twice = layer(tarOf({ 'twice.bin': randomBytes(4 * 1024 * 1024) }));
    await pushImage(reg.url, 'twice', '1', makeImage([layer(fs.readFileSync(busyboxRootfsTar()), true), twice]));
    proxyOptions.blobRate = 8 * 1024 * 1024;
    const name = `${proxy.host}/twice:1`;
    const from = proxy.requests.length;
    const [x, y] = await Promise.all([cliAsync(other.env, ['pull', '--insecure', name]), cliAsync(other.env, ['pull', '--insecure', name])]);
    assert.equal(x.status, 0, x.stderr);
    assert.equal(y.status, 0, y.stderr);
    // The second pull waited for the first one's download of the layer (a flock per blob).
    const layerGets = proxy.requests.slice(from).filter((r) => r.method === 'GET' && r.url.endsWith(`/blobs/${sha256(twice.blob)}`));
    assert.equal(layerGets.length, 1, JSON.stringify(layerGets));
    const run = other.cli(['run', '--rm', name, 'sh', '-c', 'wc -c < /twice.bin']);
    assert.equal(run.stdout.trim(), String(4 * 1024 * 1024), run.stderr);
  } finally {
    proxyOptions.blobRate = 0;
    await other.cleanup();
  }
});

test('a connection cut in the middle of a layer is resumed within the same pull', async () => {
  const other = await sandbox();
  try {
    const cut = layer(tarOf({ 'cut.bin': randomBytes(6 * 1024 * 1024) }));
    const digest = sha256(cut.blob);
    await pushImage(reg.url, 'cut', '1', makeImage([layer(fs.readFileSync(busyboxRootfsTar()), true), cut]));
    proxyOptions.blobRate = 0;
    proxyOptions.cut = { url: `/blobs/${digest}`, after: 2 * 1024 * 1024 };
    const from = proxy.requests.length;
    const r = await cliAsync(other.env, ['pull', '--insecure', `${proxy.host}/cut:1`]);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    const gets = proxy.requests.slice(from).filter((x) => x.method === 'GET' && x.url.endsWith(`/blobs/${digest}`));
    assert.equal(gets.length, 2, JSON.stringify(gets));
    assert.equal(gets[0].range, undefined);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= 2 * 1024 * 1024, `resumed at ${gets[1].range}`);
    assert.equal(gets[1].status, 206);
    assert.ok(fs.existsSync(path.join(other.root, 'images', 'blobs', 'sha256', digest.slice(7))));
  } finally {
    await other.cleanup();
  }
});

test('push of a layer bigger than a chunk: PATCH chunks, then the same digest in the registry', async () => {
  // The big image is in the store from the first test; send it to another repository.
  // Its big layer is a plain tar, so it goes as its gzip'd copy (registry-push-compress.test.ts).
  const target = `${reg.host}/big-copy:1`;
  assert.equal(sb.cli(['tag', `${proxy.host}/big:1`, target]).status, 0);
  const patchesBefore = reg.log().split('\n').filter((l) => /http.request.method=PATCH/.test(l)).length;
  const push = await cliAsync(sb.env, ['push', '--insecure', target]);
  assert.equal(push.stderr, '');
  assert.equal(push.status, 0);
  const pulled = await fetch(`${reg.url}/v2/big-copy/manifests/1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  const pushedDigest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
  assert.equal(pushedDigest, pulled.headers.get('docker-content-digest'), 'the manifest push printed');
  const sent = (JSON.parse(await pulled.text()) as { layers: { digest: string }[] }).layers[1].digest;
  const patches = reg.log().split('\n').filter((l) => /http.request.method=PATCH/.test(l)).length - patchesBefore;
  assert.equal(patches, Math.ceil(fs.statSync(path.join(sb.root, 'images', 'blobs', 'sha256', sent.slice(7))).size / (8 * 1024 * 1024)));
  const head = await fetch(`${reg.url}/v2/big-copy/blobs/${sent}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
});
