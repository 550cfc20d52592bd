// Bad image input: one line on stderr, exit 125, and the image store exactly as it
// was (no blob, snapshot, name or temp file left behind).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { sandbox, type Sandbox } from './helpers.js';
import { buildImage, busyboxLayer, ociArchive, sha, type BuiltImage } from './images-fixtures.js';
import { file, tar } from '../support/tar-writer.js';

let sb: Sandbox;
let img: BuiltImage;
let good: Buffer;
let baseId: string;

/** Every path in the store with its size (lock files are created once and stay). */
function store(): string[] {
  const root = path.join(sb.root, 'images');
  return fs
    .readdirSync(root, { recursive: true })
    .map(String)
    .sort()
    .map((p) => {
      const st = fs.lstatSync(path.join(root, p));
      return st.isFile() ? `${p} ${st.size}` : p;
    });
}

before(async () => {
  sb = await sandbox();
  img = buildImage({ layers: [busyboxLayer(), { tar: [file('hello', 'hi\n')], gzip: true }] });
  good = ociArchive([{ built: img, name: 'docker.io/library/good:1' }]);
  // One image in the store already, so that "unchanged" covers shared blobs too.
  const base = buildImage({ layers: [busyboxLayer()] });
  baseId = base.configDigest;
  const f = path.join(sb.root, 'base.tar');
  fs.writeFileSync(f, ociArchive([{ built: base, name: 'docker.io/library/base:1' }]));
  assert.equal(sb.cli(['load', '-i', f]).status, 0);
});

after(async () => {
  await sb.cleanup();
});

function expectRefused(args: string[], re: RegExp, input?: Buffer): void {
  const before = store();
  const r = sb.cli(args, input ? { input: input as unknown as string } : {});
  assert.equal(r.status, 125, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], re);
  assert.deepEqual(store(), before, 'the store is unchanged');
}

/** An OCI archive whose index.json is 200 KB (an incompressible annotation). */
function bigIndexArchive(): Buffer {
  const index = { schemaVersion: 2, manifests: [], annotations: { pad: randomBytes(100_000).toString('hex') } };
  return tar([file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'), file('index.json', JSON.stringify(index))]);
}

/** A gzip'd archive of five 15 MiB `*.json` files of zeros after a valid index.json. */
function metadataBomb(): Buffer {
  const zeros = Buffer.alloc(15 << 20);
  return gzipSync(
    tar([
      file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
      file('index.json', JSON.stringify({ schemaVersion: 2, manifests: [] })),
      ...Array.from({ length: 5 }, (_, i) => file(`config${i}.json`, zeros)),
    ]),
  );
}

function archiveFile(name: string, data: Buffer): string {
  const f = path.join(sb.root, name);
  fs.writeFileSync(f, data);
  return f;
}

const tables: Array<[string, () => Buffer, RegExp]> = [
  ['not an archive at all', () => Buffer.from('garbage '.repeat(300)), /^hutch: load: not a readable image archive/],
  ['a truncated archive', () => good.subarray(0, Math.floor(good.length * 0.6)), /^hutch: load: /],
  [
    'a blob whose content does not match its digest',
    () =>
      ociArchive([{ built: img, name: 'docker.io/library/good:1' }], {
        tamper: (blobs) => {
          const d = sha(img.layerBlobs[1]);
          blobs.set(d, gzipSync(tar([file('hello', 'HACKED\n')])));
        },
      }),
    /digest mismatch/,
  ],
  [
    'a layer whose content does not match the diff id in the config',
    () => ociArchive([{ built: buildImage({ layers: [busyboxLayer(), { tar: [file('x', 'x')] }], badDiffId: true }), name: 'docker.io/library/bad:1' }]),
    /diff id mismatch/,
  ],
  [
    'an index naming a manifest the archive lacks',
    () =>
      ociArchive([{ built: img, name: 'docker.io/library/good:1' }], {
        tamper: (blobs) => blobs.delete(img.manifestDigest),
      }),
    /does not hold/,
  ],
  [
    'a manifest naming a layer the archive lacks',
    () =>
      ociArchive([{ built: img, name: 'docker.io/library/good:1' }], {
        tamper: (blobs) => blobs.delete(sha(img.layerBlobs[1])),
      }),
    /missing/,
  ],
  // Cut inside a metadata file that is being buffered (an unhandled 'error' crashed hutch).
  ['an archive cut off inside its index.json', () => bigIndexArchive().subarray(0, 60000), /^hutch: load: not a readable image archive: .*[Tt]runcated/],
  ['a gzip archive cut off inside its index.json', () => gzipSync(bigIndexArchive()).subarray(0, 60000), /^hutch: load: not a readable image archive: /],
  // 75 MiB of metadata in 80 KB: buffered whole, it took as much memory.
  ['a gzip bomb of metadata files', metadataBomb, /^hutch: load: the archive's metadata files \(index\.json, manifest\.json, configs\) are more than 64 MiB in total$/],
  ['a root filesystem tarball (not an image archive)', () => tar([file('etc/passwd', 'root:x:0:0::/:/bin/sh\n')]), /not an image archive.*hutch import/],
  [
    'a manifest that is not one',
    () =>
      tar([
        file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
        file('index.json', JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('{}'), size: 2 }] })),
        file(`blobs/sha256/${sha('{}').slice(7)}`, '{}'),
      ]),
    /invalid image manifest/,
  ],
];

for (const [name, make, re] of tables) {
  test(`load refuses ${name}`, () => {
    expectRefused(['load', '-i', archiveFile('bad.tar', make())], re);
    // And from stdin.
    expectRefused(['load'], re, make());
  });
}

test('unknown images and names: one line, 125', () => {
  expectRefused(['run', '--pull', 'never', 'no-such-image', 'true'], /^hutch: Unable to find image 'no-such-image' locally$/);
  expectRefused(['rmi', 'no-such-image'], /^hutch: No such image: no-such-image$/);
  expectRefused(['save', '-o', path.join(sb.root, 'out.tar'), 'no-such-image'], /No such image/);
  assert.equal(fs.existsSync(path.join(sb.root, 'out.tar')), false);
  expectRefused(['tag', 'no-such-image', 'x'], /No such image/);
  expectRefused(['tag', 'base:1', 'Bad_Upper:x'], /invalid reference format/);
  expectRefused(['load', '-i', path.join(sb.root, 'missing.tar')], /cannot open/);
  expectRefused(['import', path.join(sb.root, 'missing.tar'), 'x'], /cannot open/);
  expectRefused(['rmi', 'host'], /cannot be removed/);
  // image inspect, like inspect, prints what it found and exits 1 when any is unknown (docker's).
  const one = sb.cli(['image', 'inspect', 'no-such-image']);
  assert.equal(one.status, 1);
  assert.equal(one.stdout, '[]\n');
  assert.equal(one.stderr, 'hutch: No such image: no-such-image\n');
  const r = sb.cli(['image', 'inspect', 'base:1', 'nope']);
  assert.equal(r.status, 1);
  assert.equal(JSON.parse(r.stdout).length, 1);
});

test('rmi of an image a container uses: refused (125), forced with -f', () => {
  const id = sb.cli(['create', 'base:1', 'true']).stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  expectRefused(['rmi', 'base:1'], /^hutch: conflict: unable to remove repository reference "base:1" \(must force\) - container [0-9a-f]{12} is using/);
  expectRefused(['rmi', baseId.slice(7, 19)], new RegExp(`^hutch: conflict: unable to delete ${baseId.slice(7, 19)} \\(must be forced\\) - image is being used by container ${id.slice(0, 12)}$`));
  assert.equal(sb.cli(['rm', id]).status, 0);
});
