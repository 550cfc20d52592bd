// The images view against the fake engine: the rows, pulling with live progress
// (the fake sends events and holds the pull until the test lets it go), errors in
// the status line, removal with a confirmation and forcing past a conflict.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY, setup, waitFor } from './helpers.js';
import { UiFakeEngine } from './fakes.js';
import type { ImageInfo, RegistryOptions, TransferProgress } from '../../src/engine/types.js';

const MiB = 1024 * 1024;

function engineWithImages(): UiFakeEngine {
  const e = new UiFakeEngine();
  e.imageList = [
    { name: 'host', repository: 'host', tag: '-', id: 'sha256:' + 'ab'.repeat(32), created: new Date(0).toISOString(), size: 0, kind: 'builtin', layers: 0, sharedSize: 0 },
    {
      name: 'busybox:latest',
      repository: 'busybox',
      tag: 'latest',
      id: 'sha256:' + 'be'.repeat(32),
      created: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      size: 4.2 * MiB,
      kind: 'oci',
      layers: 1,
      sharedSize: 0,
    },
    {
      name: 'web:1.2',
      repository: 'web',
      tag: '1.2',
      id: 'sha256:' + 'c1'.repeat(32),
      created: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      size: 150 * MiB,
      kind: 'oci',
      layers: 7,
      sharedSize: 80 * MiB,
    },
  ];
  e.add({ name: 'front', image: 'web:1.2', imageId: 'sha256:' + 'c1'.repeat(32) });
  e.add({ name: 'front-old', image: 'web:1.2', imageId: 'sha256:' + 'c1'.repeat(32), status: 'exited', exitCode: 0 });
  e.add({ name: 'shell' });
  return e;
}

/** A pull the test drives: `send` emits a progress event, `finish`/`fail` end it. */
function heldPull(engine: UiFakeEngine) {
  let opts: RegistryOptions | undefined;
  let release!: (err?: Error) => void;
  engine.pullHook = async (_ref, o) => {
    opts = o;
    await new Promise<void>((resolve, reject) => {
      release = (err) => (err ? reject(err) : resolve());
      o.signal?.addEventListener('abort', () => reject(o.signal!.reason), { once: true });
    });
  };
  return {
    started: () => opts !== undefined,
    send(id: string, phase: TransferProgress['phase'], current: number, total: number) {
      opts!.onProgress!({ id: id.repeat(12), digest: `sha256:${id.repeat(64)}`, phase, current, total });
    },
    finish: () => release(),
    fail: (e: Error) => release(e),
  };
}

test('the images view shows repository, tag, id, size, shared part, age and the containers using each image', async (t) => {
  const h = await setup({ engine: engineWithImages(), size: { columns: 120, rows: 30 } });
  t.after(h.done);
  await h.press('i');
  await h.see('Images  3 images · 2 in use');
  assert.match(h.frame(), /REPOSITORY +TAG +IMAGE ID +SIZE SHARED UNIQUE CREATED +CONTAINERS LAYERS/);
  assert.match(h.frame(), /› host +- +abababababab +- +- +- +- +1 +-/);
  assert.match(h.frame(), / {2}busybox +latest +bebebebebebe +4\.2M +0B +4\.2M 2d ago +0 +1/);
  assert.match(h.frame(), / {2}web +1\.2 +c1c1c1c1c1c1 +150M +80M +70M 3h ago +2 +7/);
  // The selected image's line names its containers.
  await h.see('used by shell (running)');
  await h.press(KEY.down, KEY.down);
  await h.see('used by front (running), front-old (exited) · 7 layers · 150M: 80M shared, 70M unique');
  // The footer offers the image keys; ? lists them.
  assert.match(h.frame(), /Esc back {2}p pull {2}d delete {2}x cancel pull {2}\? help {2}q quit/);
  await h.press('?', 'G');
  await h.see(/p +Pull an image from a registry/);
  assert.match(h.frame(), /x +Cancel the latest pull in flight/);
});

test('at 80 columns the image columns collapse by priority (LAYERS and UNIQUE go first)', async (t) => {
  const h = await setup({ engine: engineWithImages(), size: { columns: 80, rows: 24 } });
  t.after(h.done);
  await h.press('i');
  await h.see(/REPOSITORY +TAG +IMAGE ID +SIZE SHARED CREATED +CONTAINERS$/m);
  assert.match(h.frame(), / {2}web +1\.2 +c1c1c1c1c1c1 +150M +80M 3h ago +2$/m);
  assert.doesNotMatch(h.frame(), /UNIQUE|LAYERS/);
});

test('p asks for a reference, Enter pulls in the background with a live progress bar; the list refreshes when it ends', async (t) => {
  const engine = engineWithImages();
  const pull = heldPull(engine);
  const h = await setup({ engine, size: { columns: 100, rows: 30 } });
  t.after(h.done);
  await h.press('i');
  await h.see('Images  3 images');
  await h.press('p');
  await h.see('pull image: ▏');
  await h.press('alpine:3.1', KEY.backspace, '19');
  await h.see('pull image: alpine:3.19▏');
  await h.press(KEY.enter);
  await waitFor(pull.started, 'engine.pull to be called');
  assert.deepEqual(engine.callsOf('pull'), [['alpine:3.19', { insecure: undefined }]]);
  await h.see('pull alpine:3.19  fetching the manifest…');

  pull.send('a', 'waiting', 0, 4 * MiB);
  pull.send('b', 'exists', MiB, MiB);
  await h.see(/pull alpine:3\.19 +░+ +0% +0B\/4M +1\/2 layers/);
  assert.match(h.frame(), /aaaaaaaaaaaa +waiting +░+ +4M/);
  assert.match(h.frame(), /bbbbbbbbbbbb +exists +█+ +1M/);

  pull.send('a', 'downloading', 2 * MiB, 4 * MiB);
  await h.see(/pull alpine:3\.19 +█+░+ +25% +2M\/4M +1\/2 layers/);
  assert.match(h.frame(), /aaaaaaaaaaaa +downloading +█{15}░{15} +2M\/4M/);
  const bar = () => (h.frame().match(/pull alpine:3\.19 +(█*)/) ?? ['', ''])[1].length;
  const before = bar();

  pull.send('a', 'extracting', 3 * MiB, 4 * MiB);
  await h.see(/pull alpine:3\.19 +█+░+ +87% +4M\/4M/);
  assert.ok(bar() > before, `the bar advanced from ${before} cells to ${bar()}`);
  assert.match(h.frame(), /aaaaaaaaaaaa +extracting +█+░+ +3M\/4M/);

  // The pull goes on while the user is elsewhere: the status line says how far it is.
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
  await h.see(/pulling alpine:3\.19 87%$/m);

  pull.finish();
  await h.see('pulled docker.io/library/alpine:3.19 (1B downloaded)');
  await h.notSee('pulling alpine');
  await h.press('i');
  await h.see(/alpine +3\.19 +cdcdcdcdcdcd/);
  assert.doesNotMatch(h.frame(), /pull alpine:3\.19 /);
});

test('a pull that fails says why in the status line; the dashboard goes on', async (t) => {
  const engine = engineWithImages();
  engine.failures.set('pull', new Error('manifest unknown: registry-1.docker.io/library/nosuch:latest: manifest unknown'));
  const h = await setup({ engine });
  t.after(h.done);
  await h.press('i', 'p', 'nosuch', KEY.enter);
  await h.see('pull nosuch: manifest unknown: registry-1.docker.io/library/nosuch:latest: manifest unknown');
  assert.doesNotMatch(h.frame(), /pulling nosuch|pull nosuch +/);
  // Still answering keys.
  await h.press(KEY.down);
  await h.see(/› busybox/);
});

test('a pull failing mid-way drops its progress and shows the error; a bad prompt is an error before any pull', async (t) => {
  const engine = engineWithImages();
  const pull = heldPull(engine);
  const h = await setup({ engine });
  t.after(h.done);
  await h.press('i', 'p', 'alpine', KEY.enter);
  await waitFor(pull.started, 'engine.pull');
  pull.send('a', 'downloading', MiB, 4 * MiB);
  await h.see(/pull alpine +█*░+ +12%/);
  pull.fail(new Error('digest mismatch: layer sha256:aaaa from registry hashes to sha256:bbbb'));
  await h.see('pull alpine: digest mismatch: layer sha256:aaaa from registry hashes to sha256:bbbb');
  await h.notSee(/pull alpine +█*░/);

  await h.press('p', 'a b', KEY.enter);
  await h.see('pull: one image at a time, not 2 (a b)');
  await h.press('p', KEY.escape);
  await h.notSee('pull image:');
  assert.equal(engine.callsOf('pull').length, 1);
});

test('--insecure in the prompt asks for plain HTTP; x cancels the pull in flight', async (t) => {
  const engine = engineWithImages();
  const pull = heldPull(engine);
  const h = await setup({ engine });
  t.after(h.done);
  await h.press('i', 'p', '--insecure 127.0.0.1:5000/team/app:1', KEY.enter);
  await waitFor(pull.started, 'engine.pull');
  assert.deepEqual(engine.callsOf('pull'), [['127.0.0.1:5000/team/app:1', { insecure: true }]]);
  // The same reference twice at once is refused.
  await h.press('p', '127.0.0.1:5000/team/app:1', KEY.enter);
  await h.see('already pulling 127.0.0.1:5000/team/app:1');
  await h.press('x');
  await h.see('pull of 127.0.0.1:5000/team/app:1 cancelled (pulling it again resumes)');
  await h.notSee('fetching the manifest');
  await h.press('x');
  await h.see('no pull in flight');
});

test('d asks first: n keeps the image, y deletes it and says what the engine did', async (t) => {
  const engine = engineWithImages();
  const h = await setup({ engine });
  t.after(h.done);
  await h.press('i', KEY.down);
  await h.see(/› busybox/);
  await h.press('d');
  await h.see('Delete image busybox:latest? y/N');
  await h.press('n');
  await h.see('cancelled');
  assert.equal(engine.callsOf('removeImage').length, 0);
  await h.press('d');
  await h.see('Delete image busybox:latest? y/N');
  await h.press('y');
  await h.see(`Untagged: busybox:latest · Deleted: ${'be'.repeat(6)}`);
  assert.deepEqual(engine.callsOf('removeImage'), [['busybox:latest', undefined]]);
  await h.notSee(/busybox +latest/);
  await h.see('Images  2 images');
});

test('deleting an image a container uses shows the engine conflict and asks again to force it', async (t) => {
  const engine = engineWithImages();
  const h = await setup({ engine, size: { columns: 170, rows: 30 } });
  t.after(h.done);
  await h.press('i', KEY.down, KEY.down);
  await h.see(/› web +1\.2/);
  await h.press('d');
  await h.see('Delete image web:1.2 (used by 2 containers: front, front-old)? y/N');
  await h.press('y');
  // The engine refuses; its words, then the question to force.
  await h.see(/Force-delete web:1\.2\? y\/N · conflict: unable to remove repository reference "web:1\.2" \(must force\) - container [0-9a-f]{12} is using its referenced image c1c1c1c1c1c1$/m);
  await h.press('n');
  await h.see('cancelled');
  assert.deepEqual(engine.callsOf('removeImage'), [['web:1.2', undefined]]);
  assert.match(h.frame(), /web +1\.2/);

  await h.press('d', 'y');
  await h.see('Force-delete web:1.2? y/N');
  await h.press('y');
  await h.see(`Untagged: web:1.2 · Deleted: ${'c1'.repeat(6)}`);
  assert.deepEqual(engine.callsOf('removeImage')[2], ['web:1.2', { force: true }]);
  await h.notSee(/web +1\.2/);
});

test('an engine error other than a conflict goes to the status line without a second question', async (t) => {
  const engine = engineWithImages();
  const h = await setup({ engine });
  t.after(h.done);
  engine.failures.set('removeImage', new Error('the built-in host image cannot be removed'));
  await h.press('i', 'd');
  await h.see('Delete image host (used by container shell)? y/N');
  await h.press('y');
  await h.see('delete image host: the built-in host image cannot be removed');
  assert.doesNotMatch(h.frame(), /Force-delete/);
  // No images at all: d says so instead of asking.
  engine.imageList = [];
  await h.controller.imageActions.refresh();
  await h.see('no images: pull one');
  await h.press('d');
  await h.see('no image selected');
});

test('an image added by the pull becomes the selected row', async (t) => {
  const engine = engineWithImages();
  const h = await setup({ engine });
  t.after(h.done);
  await h.press('i', 'p', 'zeta', KEY.enter);
  await h.see('pulled docker.io/library/zeta:latest');
  await h.see(/› zeta +latest/);
  const img = engine.imageList.find((i: ImageInfo) => i.name === 'zeta:latest');
  assert.ok(img);
});
