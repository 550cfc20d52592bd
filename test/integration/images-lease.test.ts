// create holds the image store's shared lock from finding the image's layers until
// the bundle links them: while rmi, prune or gc holds it exclusive, a create waits,
// so none of them can delete a snapshot a new container is about to use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers.js';
import { buildImage, busyboxLayer, ociArchive } from './images-fixtures.js';
import { loadNative } from '../../src/engine/native/real.js';

let sb: Sandbox;

before(async () => {
  sb = await sandbox();
  const img = buildImage({ layers: [busyboxLayer()] });
  const f = path.join(sb.root, 'bb.tar');
  fs.writeFileSync(f, ociArchive([{ built: img, name: 'docker.io/library/bb:1' }]));
  await sb.engine.loadImages(f);
});

after(async () => {
  await sb.cleanup();
});

test('create waits while the store is held exclusive (as rmi, prune and gc hold it), then links the layers', async () => {
  const native = loadNative();
  const fd = fs.openSync(path.join(sb.root, 'images', 'lock'), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  let created = false;
  let pending: ReturnType<typeof sb.engine.create> | undefined;
  try {
    assert.ok(native.flock(fd, 'ex', true));
    pending = sb.engine.create({ image: 'bb:1', cmd: ['true'] });
    pending.then(() => (created = true), () => {});
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(created, false, 'create went ahead under an exclusive holder');
  } finally {
    fs.closeSync(fd); // releases the lock
  }
  const c = await pending!;
  const layers = fs.readdirSync(path.join(c.bundle, 'layers'));
  assert.deepEqual(layers, ['0']);
  assert.ok(fs.existsSync(fs.readlinkSync(path.join(c.bundle, 'layers', '0'))));
  await sb.engine.remove(c.id, { force: true });
});
