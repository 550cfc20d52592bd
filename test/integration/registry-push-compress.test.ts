// An imported plain tar travels gzip'd: `hutch push` to Debian's docker-registry sends
// a gzip blob whose gunzip is the layer, and a manifest naming it (same config, same
// image id); a second push uploads nothing; another root gets the same compressed
// digest; a pull of what was pushed runs in a fresh root and downloads nothing in the
// pushing one; gc keeps the copy while the image lives and removes it after.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { busyboxRootfsTar, sandbox, type Sandbox } from './helpers.js';
import { sha256, startRegistry, type Registry } from '../support/registry.js';

let reg: Registry;
let reg2: Registry;
let a: Sandbox;
let b: Sandbox;
let c: Sandbox;
let work: string;
/** busybox, a 12 MiB text file and 9 MiB of random bytes: more than one 8 MiB upload chunk, compressed or not. */
let tarball: string;

before(async () => {
  reg = await startRegistry();
  reg2 = await startRegistry();
  a = await sandbox();
  b = await sandbox();
  c = await sandbox();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-push-gz-'));
  tarball = path.join(work, 'rootfs.tar');
  fs.copyFileSync(busyboxRootfsTar(), tarball);
  fs.mkdirSync(path.join(work, 'data'));
  const lines: string[] = [];
  for (let i = 0, x = 1, n = 0; n <= 12 * 2 ** 20; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    lines.push(`line ${i} value ${x % 100_003} ${x % 7 === 0 ? 'seven' : 'other'}`);
    n += lines[lines.length - 1].length + 1;
  }
  fs.writeFileSync(path.join(work, 'data', 'big.txt'), lines.join('\n').slice(0, 12 * 2 ** 20));
  fs.writeFileSync(path.join(work, 'data', 'random.bin'), randomBytes(9 * 2 ** 20));
  const r = spawnSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', work, '-rf', tarball, './data']);
  assert.equal(r.status, 0, String(r.stderr));
});

after(async () => {
  await a?.cleanup();
  await b?.cleanup();
  await c?.cleanup();
  await reg?.stop();
  await reg2?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const blobFile = (sb: Sandbox, digest: string) => path.join(sb.root, 'images', 'blobs', 'sha256', digest.slice(7));
const records = (sb: Sandbox) => {
  const dir = path.join(sb.root, 'images', 'compressed');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};
const count = (r: Registry, re: RegExp) => r.log().split('\n').filter((l) => re.test(l)).length;
const UPLOADS = /http\.request\.method=(POST|PATCH)/;
const BLOB_GETS = /http\.request\.method=GET .*http\.request\.uri="\/v2\/[^"]*\/blobs\//;

async function manifestOf(r: Registry, repo: string, tag: string): Promise<{ bytes: Buffer; doc: { mediaType: string; config: { digest: string }; layers: { mediaType: string; digest: string; size: number }[] } }> {
  const res = await fetch(`${r.url}/v2/${repo}/manifests/${tag}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { bytes, doc: JSON.parse(bytes.toString()) };
}

async function blobOf(r: Registry, repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`${r.url}/v2/${repo}/blobs/${digest}`);
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

test('push of an imported tar sends it gzip; again, nothing; pulled back it runs, and in the same root downloads nothing', async () => {
  const name = `${reg.host}/gz:1`;
  const layerDigest = sha256(fs.readFileSync(tarball));
  const imp = a.cli(['import', tarball, name]);
  assert.equal(imp.status, 0, imp.stderr);
  const imageId = imp.stdout.trim();

  const patches = count(reg, /http\.request\.method=PATCH/);
  const push = a.cli(['push', '--insecure', name]);
  assert.equal(push.stderr, '');
  assert.equal(push.status, 0);
  assert.ok(count(reg, /http\.request\.method=PATCH/) > patches, 'the copy went in PATCH chunks while it was made');
  const lines = push.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `The push refers to repository [${reg.host}/gz]`);
  assert.ok(lines.includes(`${layerDigest.slice(7, 19)}: Pushed`), push.stdout);
  const m = /^1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(lines[lines.length - 1]);
  assert.ok(m, push.stdout);

  // The registry holds a manifest naming a gzip blob whose gunzip is the layer.
  const { bytes, doc } = await manifestOf(reg, 'gz', '1');
  assert.equal(sha256(bytes), m[1], 'push printed the digest of the manifest sent');
  assert.equal(bytes.length, Number(m[2]));
  assert.equal(doc.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(doc.config.digest, imageId, 'same config: same image id');
  assert.equal(doc.layers.length, 1);
  const layer = doc.layers[0];
  assert.equal(layer.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const blob = await blobOf(reg, 'gz', layer.digest);
  assert.deepEqual([...blob.subarray(0, 2)], [0x1f, 0x8b]);
  assert.equal(sha256(blob), layer.digest);
  assert.equal(blob.length, layer.size);
  assert.equal(sha256(gunzipSync(blob)), layerDigest);
  assert.ok(blob.length < fs.statSync(tarball).size * 0.7, `sent ${blob.length} of ${fs.statSync(tarball).size} bytes`);
  // The local image keeps its manifest; the copy is kept beside it.
  const inspect = JSON.parse(a.cli(['image', 'inspect', name]).stdout)[0];
  assert.equal(inspect.Id, imageId);
  assert.ok(fs.existsSync(blobFile(a, layer.digest)), 'the copy is in the content store');
  assert.deepEqual(records(a), [`${layerDigest.slice(7)}.json`]);

  // Again: the copy is known, HEAD finds it, nothing is uploaded.
  const uploads = count(reg, UPLOADS);
  const again = a.cli(['push', '--insecure', name]);
  assert.equal(again.status, 0, again.stderr);
  assert.ok(again.stdout.includes(`${layerDigest.slice(7, 19)}: Layer already exists\n`), again.stdout);
  assert.ok(again.stdout.endsWith(`1: digest: ${m[1]} size: ${m[2]}\n`), again.stdout);
  assert.equal(count(reg, UPLOADS), uploads, 'no upload started');

  // Pulled into a fresh root: it runs.
  const pull = b.cli(['pull', '--insecure', name]);
  assert.equal(pull.stderr, '');
  assert.equal(pull.status, 0);
  assert.ok(pull.stdout.endsWith(`Digest: ${m[1]}\nStatus: Downloaded newer image for ${name}\n${name}\n`), pull.stdout);
  const run = b.cli(['run', '--rm', name, 'sh', '-c', 'wc -c < /data/big.txt; test -x /bin/busybox && echo ok']);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, `${12 * 2 ** 20}\nok\n`);
  assert.equal(JSON.parse(b.cli(['image', 'inspect', name]).stdout)[0].Id, imageId);

  // Pulled into the pushing root: every blob is here, nothing is downloaded.
  const gets = count(reg, BLOB_GETS);
  const same = a.cli(['pull', '--insecure', name]);
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /: Already exists\n/);
  assert.ok(same.stdout.includes(`Status: Image is up to date for ${name}\n`), same.stdout);
  assert.equal(count(reg, BLOB_GETS), gets, 'no blob fetched');
  const run2 = a.cli(['run', '--rm', name, 'sh', '-c', 'wc -c < /data/big.txt']);
  assert.equal(run2.stdout, `${12 * 2 ** 20}\n`, run2.stderr);
});

test('another root and another registry: the same compressed digest; gc keeps the copy while the image lives and removes it after', async () => {
  const name = `${reg2.host}/gz:2`;
  const layerDigest = sha256(fs.readFileSync(tarball));
  assert.equal(c.cli(['import', tarball, name]).status, 0);
  const push = c.cli(['push', '--insecure', name]);
  assert.equal(push.status, 0, push.stderr);
  const mine = (await manifestOf(reg2, 'gz', '2')).doc.layers[0];
  const theirs = (await manifestOf(reg, 'gz', '1')).doc.layers[0];
  assert.deepEqual(mine, theirs, 'same layer, same gzip bytes');

  // While the image lives, gc keeps the copy and its record.
  const kept = c.cli(['gc']);
  assert.equal(kept.status, 0, kept.stderr);
  assert.doesNotMatch(kept.stdout, /compressed|unreferenced blob/);
  assert.ok(fs.existsSync(blobFile(c, mine.digest)));
  assert.equal(records(c).length, 1);

  const rmi = c.cli(['rmi', name]);
  assert.equal(rmi.status, 0, rmi.stderr);
  const gc = c.cli(['gc']);
  assert.equal(gc.status, 0, gc.stderr);
  assert.ok(gc.stdout.includes(`compressed copy record ${layerDigest.slice(0, 19)}\n`), gc.stdout);
  assert.ok(gc.stdout.includes(`unreferenced blob ${mine.digest.slice(0, 19)}\n`), gc.stdout);
  assert.ok(!fs.existsSync(blobFile(c, mine.digest)), 'the copy is gone');
  assert.deepEqual(records(c), []);
  assert.deepEqual(fs.readdirSync(path.join(c.root, 'images', 'blobs', 'sha256')), [], 'nothing left');
});
