// The image store is the owner's only: a private image's blobs, records and layer
// files cannot be read by another local user, even with the state root traversable
// (0711, as /var/lib/hutch is). Containers still get their layers: the overlay is
// mounted by root, and a container's processes see the files through it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sandbox, logText, type Sandbox } from './helpers.js';
import { buildImage, busyboxLayer, ociArchive } from './images-fixtures.js';
import { file, tar } from '../support/tar-writer.js';

let sb: Sandbox;

before(async () => {
  sb = await sandbox();
  fs.chmodSync(sb.root, 0o711);
});

after(async () => {
  await sb.cleanup();
});

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** `cat` as uid 65534: its status and what it printed. */
function catAsNobody(p: string): { status: number | null; out: string } {
  const r = spawnSync('setpriv', [...NOBODY, 'cat', p], { encoding: 'latin1' });
  return { status: r.status, out: r.stdout };
}

/** Store paths (not layer contents) whose mode lets group or others in. */
function openToOthers(imagesDir: string): string[] {
  const bad: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const p = path.join(dir, e.name);
      const st = fs.lstatSync(p);
      // A layer's files keep the image's own modes: the container sees them.
      const layerContent = /^snapshots\/[0-9a-f]{64}\/fs$/.test(r) || r === 'host/skel' || r === 'empty';
      if (!st.isSymbolicLink() && (st.mode & 0o077) !== 0 && !layerContent) bad.push(`${r} ${(st.mode & 0o7777).toString(8)}`);
      if (st.isDirectory() && !layerContent) walk(p, r);
    }
  };
  walk(imagesDir, '');
  return bad;
}

test('import and load: the store is 0700/0600 and another user reads nothing of it', async () => {
  const secret = 'TOP-SECRET-KEY-MATERIAL';
  const layer = tar([file('etc/key', secret, { mode: 0o600 }), file('app/code.js', 'PRIVATE-APP-CODE', { mode: 0o644 })]);
  const tarPath = path.join(sb.root, 'rootfs.tar');
  fs.writeFileSync(tarPath, layer);
  fs.chmodSync(tarPath, 0o600);
  await sb.engine.importImage(tarPath, 'private:1');
  const img = buildImage({ layers: [busyboxLayer(), { tar: [file('srv/data', 'PRIVATE-DATA')], gzip: true }] });
  const archive = path.join(sb.root, 'img.tar');
  fs.writeFileSync(archive, ociArchive([{ built: img, name: 'docker.io/library/private2:1' }]));
  assert.deepEqual(await sb.engine.loadImages(archive), ['Loaded image: private2:1']);

  const images = path.join(sb.root, 'images');
  assert.equal(fs.statSync(images).mode & 0o777, 0o700, 'images/ is 0700');
  assert.deepEqual(openToOthers(images), [], 'no store path open to group or others');

  // What the reviewer did: read a 0600 file of the image out of its layer blob.
  const blobs = fs.readdirSync(path.join(images, 'blobs', 'sha256')).map((n) => path.join(images, 'blobs', 'sha256', n));
  const snapshot = fs.readdirSync(path.join(images, 'snapshots')).find((n) => fs.existsSync(path.join(images, 'snapshots', n, 'fs', 'app', 'code.js')))!;
  const targets = [
    ...blobs,
    path.join(images, 'snapshots', snapshot, 'fs', 'app', 'code.js'),
    path.join(images, 'refs.json'),
    ...fs.readdirSync(path.join(images, 'meta')).map((n) => path.join(images, 'meta', n)),
  ];
  for (const p of targets) {
    const r = catAsNobody(p);
    assert.notEqual(r.status, 0, `uid 65534 read ${path.relative(sb.root, p)}`);
    assert.ok(!r.out.includes(secret) && !r.out.includes('PRIVATE-'), p);
  }
  // The experiment can succeed at all: nobody reads a file the root lets it reach.
  fs.writeFileSync(path.join(sb.root, 'world-readable'), 'ok');
  assert.deepEqual(catAsNobody(path.join(sb.root, 'world-readable')), { status: 0, out: 'ok' });
});

test('a container still sees its layers, also as a non-root user', async () => {
  const c = await sb.engine.create({ image: 'private2:1', cmd: ['/bin/sh', '-c', 'cat /srv/data; id -u'], user: '65534' });
  await sb.engine.start(c.id);
  assert.equal((await sb.engine.wait(c.id)).exitCode, 0);
  assert.equal(await logText(sb.engine, c.id), 'PRIVATE-DATA65534\n');
});
