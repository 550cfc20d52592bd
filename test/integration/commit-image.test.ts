// images/commit.ts with the layers of build/layer, as the build executor uses them:
// the same parent, layer, config, history and `created` give the same image id and
// manifest digest in two state roots; FROM scratch; history appended to the
// parent's; several tags; a failure inside the adding() scope takes back the layer's
// blob and snapshot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { layerFromUpper, type UpperLayer } from '../../src/engine/build/layer/index.js';
import { commitImage, type CommitRequest } from '../../src/engine/images/commit.js';
import { adding } from '../../src/engine/images/additions.js';
import { findImage, readRefs } from '../../src/engine/images/catalog.js';
import { parseConfig } from '../../src/engine/images/oci/manifest.js';
import { InvalidArgument } from '../../src/engine/errors.js';
import { layerStore } from '../../src/engine/container/commit.js';
import type { Ctx } from '../../src/engine/container/context.js';
import { loadNative } from '../../src/engine/native/real.js';
import { resolvePaths } from '../../src/engine/paths.js';
import { busyboxRootfsTar, logText, sandbox, type Sandbox } from './helpers.js';
import { makeUpper, sh } from './build-layer-fixture.js';

const native = loadNative();
let T: string;
let upper: string;
let lower: string;
const EPOCH = 1_600_000_000;
const CREATED = new Date(EPOCH * 1000).toISOString();

before(() => {
  T = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-commitimg-'));
  ({ upper, lower } = makeUpper(path.join(T, 'fixture'), 'mkdir etc; echo x > etc/x', 'echo app > app; rm etc/x; mkdir -p srv && echo s > srv/s'));
});
const sandboxes: Sandbox[] = [];
after(async () => {
  for (const sb of sandboxes) await sb.cleanup();
  fs.rmSync(T, { recursive: true, force: true });
});

let saved = '';
/** A state root (a sandbox) with the same busybox image as bb:1 (imported once, then loaded); the store parts over it. */
async function root() {
  const sb = await sandbox();
  sandboxes.push(sb);
  if (!saved) {
    await sb.engine.importImage(busyboxRootfsTar(), 'bb:1');
    saved = path.join(T, 'bb.tar');
    await sb.engine.saveImages(['bb:1'], saved);
  } else await sb.engine.loadImages(saved);
  const s = layerStore({ paths: resolvePaths(sb.root), native } as Ctx);
  return { sb, dir: sb.root, s, parent: findImage(s.l, 'bb:1')!.meta };
}

function request(parent: string | null, layer: UpperLayer, tags: string[]): CommitRequest {
  assert.equal(layer.empty, false);
  const l = layer as Exclude<UpperLayer, { empty: true }>;
  return {
    parent,
    layers: [l],
    config: { Cmd: ['cat', '/app'], Env: ['PATH=/bin'], Labels: { b: '2', a: '1' } },
    history: [
      { created: CREATED, created_by: 'RUN make app', comment: 'built' },
      { created: CREATED, created_by: 'CMD ["cat", "/app"]', empty_layer: true },
    ],
    created: CREATED,
    tags,
  };
}

test('the same inputs give the same image id and manifest digest, in two roots', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { sb, dir, s, parent } = await root();
    const copy = path.join(dir, 'upper');
    sh(`cp -a ${upper} ${copy} && touch ${copy}/app`, T); // other mtimes each time
    const r = await adding(s, async (added) => {
      const layer = await layerFromUpper(s, added, { upper: copy, parentChainId: parent.layers.at(-1)!.chainId, lowerdirs: [lower], snapshot: 'move', sourceDateEpoch: EPOCH });
      return commitImage(s, request(parent.manifestDigest, layer, ['app:1', 'registry.example/team/app:latest']), added);
    });
    ids.push(`${r.id} ${r.manifestDigest}`);
    assert.equal(r.info.layers, 2);
    assert.deepEqual(Object.keys(readRefs(s.l)).sort(), ['docker.io/library/app:1', 'docker.io/library/bb:1', 'registry.example/team/app:latest']);
    const config = parseConfig(s.blobs.readBytes(r.id));
    assert.deepEqual(config.history?.map((h) => h.created_by), ['hutch import', 'RUN make app', 'CMD ["cat", "/app"]'], "the parent's history, then the new entries");
    assert.deepEqual(config.history?.[2], { created: CREATED, created_by: 'CMD ["cat", "/app"]', empty_layer: true });
    assert.equal(config.created, CREATED);
    assert.deepEqual(config.config, { Env: ['PATH=/bin'], Cmd: ['cat', '/app'], Labels: { a: '1', b: '2' } });
    // It runs: the layer's snapshot is the one made by the move.
    const c = await sb.engine.create({ image: 'app:1', network: 'none' });
    await sb.engine.start(c.id);
    assert.equal((await sb.engine.wait(c.id)).exitCode, 0);
    assert.equal(await logText(sb.engine, c.id), 'app\n');
    await sb.engine.remove(c.id);
  }
  assert.equal(ids[0], ids[1]);
});

test('FROM scratch: a one-layer image whose chain id is its diff id', async () => {
  const { dir, s } = await root();
  const copy = path.join(dir, 'upper');
  sh(`cp -a ${upper} ${copy}`, T);
  const r = await adding(s, async (added) => {
    const layer = await layerFromUpper(s, added, { upper: copy, parentChainId: null, lowerdirs: [], snapshot: 'copy' });
    return commitImage(s, { ...request(null, layer, ['scratchy:1']), history: [{ created: CREATED, created_by: 'COPY app /' }] }, added);
  });
  const meta = findImage(s.l, 'scratchy:1')!.meta;
  assert.equal(meta.configDigest, r.id);
  assert.equal(meta.layers.length, 1);
  assert.equal(meta.layers[0].chainId, meta.layers[0].diffId);
  assert.equal(meta.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar');
});

test('a commit that fails takes back the layer it was given (blob and snapshot)', async () => {
  const { dir, s, parent } = await root();
  const copy = path.join(dir, 'upper');
  sh(`cp -a ${upper} ${copy}`, T);
  const blobs = () => fs.readdirSync(path.join(s.l.blobs, 'sha256')).sort();
  const snaps = () => fs.readdirSync(s.l.snapshots).filter((n) => !n.startsWith('.')).sort();
  const before = [blobs(), snaps()];
  let chain = '';
  await assert.rejects(
    adding(s, async (added) => {
      const layer = await layerFromUpper(s, added, { upper: copy, parentChainId: parent.layers.at(-1)!.chainId, lowerdirs: [lower], snapshot: 'copy' });
      chain = (layer as { chainId: string }).chainId;
      assert.ok(snaps().includes(chain.slice(7)), 'made meanwhile');
      // Two history entries that made a layer, one layer: refused before anything is written.
      return commitImage(s, { ...request(parent.manifestDigest, layer, ['x:1']), history: [{ created_by: 'a' }, { created_by: 'b' }] }, added);
    }),
    (e: unknown) => e instanceof InvalidArgument && e.message === 'commit: 1 new layers but 2 history entries that made one',
  );
  assert.deepEqual([blobs(), snaps()], before);
  assert.equal(findImage(s.l, 'x:1'), null);
});
