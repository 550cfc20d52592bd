// The images view's and the pull progress's lines: exact strings at 80 and 120
// columns (columns collapse by priority at 80), with colours off, and the
// escapes of a painted bar (one per run of cells).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerInfo, ImageInfo, TransferProgress } from '../../src/engine/types.js';
import { makePainter } from '../../src/ui/paint.js';
import { loadTheme } from '../../src/ui/theme.js';
import type { PullProgress, UiState } from '../../src/ui/state.js';
import { imageHeader, imageInfoLine, imageRow, imageUsers, imagesLines, layoutImageColumns, usersByImage } from '../../src/ui/views/images.js';
import { layerFraction, layerLine, overallLine, progressBar, pullLines, pullSummary, pullTotals } from '../../src/ui/views/pull.js';
import { statusLine } from '../../src/ui/views/chrome.js';
import { ImageActions } from '../../src/ui/image-actions.js';

const plain = makePainter(loadTheme('dark'), false);
const NOW = Date.parse('2024-03-10T12:00:00Z');
const MiB = 1024 * 1024;

const host: ImageInfo = { name: 'host', repository: 'host', tag: '-', id: 'sha256:' + '0a'.repeat(32), created: new Date(0).toISOString(), size: 0, kind: 'builtin', layers: 0, sharedSize: 0 };
const busybox: ImageInfo = { name: 'busybox:latest', repository: 'busybox', tag: 'latest', id: 'sha256:' + 'be'.repeat(32), created: '2024-03-08T12:00:00Z', size: 4.2 * MiB, kind: 'oci', layers: 1, sharedSize: 0 };
const web: ImageInfo = {
  name: 'registry.example.com/team/web-frontend:1.24.3-alpine',
  repository: 'registry.example.com/team/web-frontend',
  tag: '1.24.3-alpine',
  id: 'sha256:' + 'c1'.repeat(32),
  created: '2024-03-10T09:00:00Z',
  size: 150 * MiB,
  kind: 'oci',
  layers: 7,
  sharedSize: 80 * MiB,
};

function container(name: string, p: Partial<ContainerInfo>): ContainerInfo {
  return { id: name.padEnd(64, '0'), name, image: 'host', command: [], created: '', startedAt: '', finishedAt: '', status: 'running', pid: 0, monitorPid: 0, exitCode: null, oomKilled: false, spec: { image: 'host' }, bundle: '', logPath: '', cgroupPaths: {}, ...p };
}

const containers = [
  container('web1', { image: web.name, imageId: web.id }),
  container('web2', { image: 'registry.example.com/team/web-frontend:1.24.3-alpine', imageId: web.id, status: 'exited' }),
  container('shell', {}),
];

function layer(id: string, phase: TransferProgress['phase'], current: number, total: number): TransferProgress {
  return { id: id.repeat(12), digest: `sha256:${id.repeat(64)}`, phase, current, total };
}

const pull: PullProgress = {
  ref: 'alpine:3.19',
  started: NOW,
  layers: [layer('a', 'downloading', 1.5 * MiB, 3 * MiB), layer('b', 'exists', 100, 100), layer('c', 'waiting', 0, 2 * MiB)],
};

test('image columns collapse by priority: LAYERS, then UNIQUE go first at 80; REPOSITORY and TAG share the slack', () => {
  assert.deepEqual(
    layoutImageColumns(80).map((c) => `${c.name}:${c.width}`),
    ['repository:18', 'tag:11', 'id:12', 'size:6', 'shared:6', 'created:9', 'containers:10'],
  );
  assert.deepEqual(
    layoutImageColumns(120).map((c) => `${c.name}:${c.width}`),
    ['repository:36', 'tag:19', 'id:12', 'size:6', 'shared:6', 'unique:6', 'created:9', 'containers:10', 'layers:6'],
  );
  // Narrower still: the id, the age, the shared part, then the count go; name, tag and size stay.
  assert.deepEqual(layoutImageColumns(50).map((c) => c.name), ['repository', 'tag', 'size', 'containers']);
  assert.deepEqual(layoutImageColumns(30).map((c) => c.name), ['repository', 'tag', 'size']);
});

test('image rows at 80 and 120 columns: exact strings', () => {
  const c80 = layoutImageColumns(80);
  assert.equal(imageHeader(c80, plain), '  REPOSITORY         TAG         IMAGE ID       SIZE SHARED CREATED   CONTAINERS');
  assert.equal(imageRow(host, 1, c80, NOW, false, plain), '  host               -           0a0a0a0a0a0a      -      - -                  1');
  assert.equal(imageRow(busybox, 0, c80, NOW, false, plain), '  busybox            latest      bebebebebebe   4.2M     0B 2d ago             0');
  assert.equal(imageRow(web, 2, c80, NOW, true, plain), '› registry.example.… 1.24.3-alp… c1c1c1c1c1c1   150M    80M 3h ago             2');
  for (const l of [imageHeader(c80, plain), imageRow(web, 2, c80, NOW, true, plain)]) assert.equal(l.length, 80);

  const c120 = layoutImageColumns(120);
  assert.equal(
    imageHeader(c120, plain),
    '  REPOSITORY                           TAG                 IMAGE ID       SIZE SHARED UNIQUE CREATED   CONTAINERS LAYERS',
  );
  assert.equal(
    imageRow(web, 2, c120, NOW, true, plain),
    '› registry.example.com/team/web-front… 1.24.3-alpine       c1c1c1c1c1c1   150M    80M    70M 3h ago             2      7',
  );
  assert.equal(
    imageRow(host, 1, c120, NOW, false, plain),
    '  host                                 -                   0a0a0a0a0a0a      -      -      - -                  1      -',
  );
  for (const l of [imageHeader(c120, plain), imageRow(web, 2, c120, NOW, true, plain)]) assert.equal(l.length, 120);
});

test('an image without the repository/tag fields shows its name; no sharedSize reads as nothing shared', () => {
  const old: ImageInfo = { name: 'imported', id: 'sha256:' + '11'.repeat(32), created: 'not a date', size: 2 * MiB, kind: 'rootfs' };
  assert.equal(imageRow(old, 0, layoutImageColumns(80), NOW, false, plain), '  imported                       111111111111     2M     0B -                  0');
});

test('the containers of an image: by image id, by name for containers without one (the host image)', () => {
  assert.deepEqual(imageUsers(web, containers).map((c) => c.name), ['web1', 'web2']);
  assert.deepEqual(imageUsers(host, containers).map((c) => c.name), ['shell']);
  assert.deepEqual(imageUsers(busybox, containers), []);
  assert.deepEqual(imageUsers(busybox, [container('bb', { image: 'busybox' })]).map((c) => c.name), ['bb']);
  // An id wins over the name: a container of an image since re-tagged is not counted twice.
  assert.deepEqual(imageUsers(busybox, [container('bb', { image: 'busybox', imageId: web.id })]), []);
});

test('the selected image line says who uses it, then layers and shared/unique sizes', () => {
  assert.equal(imageInfoLine(web, imageUsers(web, containers), plain, 81), '  used by web1 (running), web2 (exited) · 7 layers · 150M: 80M shared, 70M unique');
  assert.equal(imageInfoLine(busybox, [], plain, 60), '  no container uses it · 1 layer · 4.2M: 0B shared, 4.2M un…');
  assert.equal(imageInfoLine(host, [], plain, 40), '  no container uses it                  ');
});

test('progress bars: solid cells done, shaded ones left; one escape per run with colours on', () => {
  assert.equal(progressBar(0, 10, plain), '░░░░░░░░░░');
  assert.equal(progressBar(0.5, 10, plain), '█████░░░░░');
  assert.equal(progressBar(0.99, 10, plain), '█████████░');
  assert.equal(progressBar(1, 10, plain), '██████████');
  assert.equal(progressBar(2, 4, plain), '████');
  assert.equal(progressBar(NaN, 4, plain), '░░░░');
  assert.equal(progressBar(0.5, 0, plain), '');
  const colour = makePainter(loadTheme('dark'), true);
  assert.equal(progressBar(0.5, 4, colour), '\x1b[32m██\x1b[39m\x1b[90m░░\x1b[39m');
});

test('a layer counts half for its download and half for its extraction; the total leaves out layers already here', () => {
  assert.equal(layerFraction(layer('a', 'waiting', 0, 10)), 0);
  assert.equal(layerFraction(layer('a', 'downloading', 5, 10)), 0.25);
  assert.equal(layerFraction(layer('a', 'verifying', 10, 10)), 0.5);
  assert.equal(layerFraction(layer('a', 'extracting', 5, 10)), 0.75);
  assert.equal(layerFraction(layer('a', 'done', 10, 10)), 1);
  assert.deepEqual(pullTotals(pull.layers), { fraction: 0.15, downloaded: 1.5 * MiB, total: 5 * MiB, layersDone: 1, layers: 3 });
  assert.deepEqual(pullTotals([layer('b', 'exists', 1, 1)]), { fraction: 1, downloaded: 0, total: 0, layersDone: 1, layers: 1 });
  assert.equal(pullTotals([]).fraction, 0);
});

test('pull lines at 80 and 120 columns: exact strings', () => {
  assert.equal(overallLine(pull, plain, 80), 'pull alpine:3.19  █████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  15%  1.5M/5M  1/3 layers');
  assert.equal(overallLine(pull, plain, 120), 'pull alpine:3.19  ██████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  15%  1.5M/5M  1/3 layers');
  assert.equal(overallLine({ ...pull, layers: [] }, plain, 80), 'pull alpine:3.19  fetching the manifest…                                        ');
  // Narrow: the layer count, then the bytes make way for the bar.
  assert.equal(overallLine(pull, plain, 50), 'pull alpine:3.19  ██░░░░░░░░░░░░░░░░  15%  1.5M/5M');
  assert.equal(overallLine(pull, plain, 40), 'pull alpine:3.19  ██░░░░░░░░░░░░░░░  15%');
  // A long reference gets at most 40% of the line.
  assert.equal(
    overallLine({ ...pull, ref: web.name }, plain, 80),
    'pull registry.example.com/team/…  ███░░░░░░░░░░░░░░░░░  15%  1.5M/5M  1/3 layers',
  );
  assert.equal(layerLine(pull.layers[0], plain, 80), '  aaaaaaaaaaaa  downloading ███████████████░░░░░░░░░░░░░░░     1.5M/3M');
  assert.equal(layerLine(pull.layers[1], plain, 80), '  bbbbbbbbbbbb  exists      ██████████████████████████████        100B');
  assert.equal(layerLine(pull.layers[2], plain, 120), '  cccccccccccc  waiting     ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░          2M');
  assert.equal(layerLine(layer('d', 'extracting', 3 * MiB, 4 * MiB), plain, 50), '  dddddddddddd  extracting  ███████░░░       3M/4M');
  // No room for a bar: the phase and the size.
  assert.equal(layerLine(layer('e', 'verifying', 4 * MiB, 4 * MiB), plain, 40), '  eeeeeeeeeeee  verifying   4M          ');
});

test('pull lines fit the room given: finished layers fold into a count first, then the rest is cut', () => {
  const many: PullProgress = {
    ref: 'app:1',
    started: NOW,
    layers: [
      layer('1', 'done', MiB, MiB),
      layer('2', 'exists', MiB, MiB),
      layer('3', 'extracting', MiB / 2, MiB),
      layer('4', 'downloaded', MiB, MiB),
      layer('5', 'downloading', 0, MiB),
    ],
  };
  assert.deepEqual(pullLines([many], plain, 60, 10).map((l) => l.trimEnd()), [
    'pull app:1  █████████████░░░░░░░░░░░  56%  3M/4M  2/5 layers',
    '  111111111111  done        ████████████████████          1M',
    '  222222222222  exists      ████████████████████          1M',
    '  333333333333  extracting  ██████████░░░░░░░░░░     512K/1M',
    '  444444444444  downloaded  ████████████████████          1M',
    '  555555555555  downloading ░░░░░░░░░░░░░░░░░░░░       0B/1M',
  ]);
  assert.deepEqual(pullLines([many], plain, 60, 5).map((l) => l.trimEnd()), [
    'pull app:1  █████████████░░░░░░░░░░░  56%  3M/4M  2/5 layers',
    '  333333333333  extracting  ██████████░░░░░░░░░░     512K/1M',
    '  444444444444  downloaded  ████████████████████          1M',
    '  555555555555  downloading ░░░░░░░░░░░░░░░░░░░░       0B/1M',
    '  + 2 layers done',
  ]);
  assert.deepEqual(pullLines([many], plain, 60, 3).map((l) => l.trimEnd()), [
    'pull app:1  █████████████░░░░░░░░░░░  56%  3M/4M  2/5 layers',
    '  333333333333  extracting  ██████████░░░░░░░░░░     512K/1M',
    '  + 2 layers done, 2 more',
  ]);
  // Two pulls share the room; each keeps at least its overall line.
  assert.deepEqual(pullLines([many, pull], plain, 60, 2).map((l) => l.slice(0, 16)), ['pull app:1  ████', 'pull alpine:3.19']);
  assert.deepEqual(pullLines([many], plain, 60, 0), []);
});

test('the status line keeps a pull in flight at its end, after the message or the summary', () => {
  const st = {
    pulls: [pull],
    status: undefined,
    marked: new Set(),
    filter: '',
    showAll: true,
    sort: { key: 'name', desc: false },
    theme: loadTheme('dark'),
  } as unknown as UiState;
  assert.equal(statusLine(st, 3, plain, 80), '3 shown · sort name ▲ · theme dark                       pulling alpine:3.19 15%');
  const withMessage = { ...st, status: { text: 'removed image busybox:latest and a long tail of words that does not fit', level: 'info', at: 0 } } as UiState;
  assert.equal(statusLine(withMessage, 3, plain, 80), 'removed image busybox:latest and a long tail of words …  pulling alpine:3.19 15%');
  assert.equal(statusLine({ ...st, pulls: [] }, 3, plain, 80), '3 shown · sort name ▲ · theme dark' + ' '.repeat(46));
  assert.equal(pullSummary([{ ...pull, layers: [] }]), 'pulling alpine:3.19…');
  assert.equal(pullSummary([pull, { ...pull, ref: 'b' }]), 'pulling 2 images 15%');
  assert.equal(pullSummary([]), '');
  const prompt = { ...st, prompt: { kind: 'pull', value: 'busy' } } as UiState;
  assert.equal(statusLine(prompt, 3, plain, 60), 'pull image: busy▏  (NAME[:TAG|@DIGEST], --insecure NAME for…');
});

test('the images view at 80×(20 body lines): title, header, rows, the selected image, the pull', () => {
  const st = { images: [host, busybox, web], imageIndex: 2, containers, now: NOW, pulls: [pull] } as unknown as UiState;
  assert.deepEqual(imagesLines(st, plain, 80, 20).map((l) => l.trimEnd()), [
    'Images  3 images · 2 in use',
    '  REPOSITORY         TAG         IMAGE ID       SIZE SHARED CREATED   CONTAINERS',
    '  host               -           0a0a0a0a0a0a      -      - -                  1',
    '  busybox            latest      bebebebebebe   4.2M     0B 2d ago             0',
    '› registry.example.… 1.24.3-alp… c1c1c1c1c1c1   150M    80M 3h ago             2',
    '  used by web1 (running), web2 (exited) · 7 layers · 150M: 80M shared, 70M uniq…',
    '',
    'pull alpine:3.19  █████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  15%  1.5M/5M  1/3 layers',
    '  aaaaaaaaaaaa  downloading ███████████████░░░░░░░░░░░░░░░     1.5M/3M',
    '  bbbbbbbbbbbb  exists      ██████████████████████████████        100B',
    '  cccccccccccc  waiting     ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░          2M',
  ]);
  // Little room: the rows scroll to keep the selection on screen, the pull keeps its overall line.
  const small = imagesLines({ ...st, imageIndex: 2 } as UiState, plain, 80, 6).map((l) => l.trimEnd());
  assert.deepEqual(small, [
    'Images  3 images · 2 in use · 3/3',
    '  REPOSITORY         TAG         IMAGE ID       SIZE SHARED CREATED   CONTAINERS',
    '› registry.example.… 1.24.3-alp… c1c1c1c1c1c1   150M    80M 3h ago             2',
    '  used by web1 (running), web2 (exited) · 7 layers · 150M: 80M shared, 70M uniq…',
    '',
    'pull alpine:3.19  █████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  15%  1.5M/5M  1/3 layers',
  ]);
  const empty = imagesLines({ ...st, images: [], imageIndex: 0, pulls: [], imagesError: 'permission denied' } as UiState, plain, 80, 6);
  assert.deepEqual(empty.map((l) => l.trimEnd()), [
    'Images',
    'cannot list images: permission denied',
    '  REPOSITORY         TAG         IMAGE ID       SIZE SHARED CREATED   CONTAINERS',
  ]);
  for (const l of imagesLines(st, plain, 120, 20)) assert.ok(l.length <= 120, l);
});

test('the pull prompt takes one reference and an optional --insecure', () => {
  assert.deepEqual(ImageActions.parsePullInput(' busybox '), { ref: 'busybox', insecure: false });
  assert.deepEqual(ImageActions.parsePullInput('--insecure 127.0.0.1:5000/team/app:1.2'), { ref: '127.0.0.1:5000/team/app:1.2', insecure: true });
  assert.throws(() => ImageActions.parsePullInput('  '), /^Error: pull: type an image name, e.g. busybox:latest$/);
  assert.throws(() => ImageActions.parsePullInput('a b'), /^Error: pull: one image at a time, not 2 \(a b\)$/);
  assert.throws(() => ImageActions.parsePullInput('-q a'), /^Error: pull: unknown option -q \(only --insecure\)$/);
});

test('usersByImage is imageUsers for every image at once, in the containers order', () => {
  const list = [
    container('a', { image: 'busybox' }),
    container('b', { image: web.name, imageId: web.id }),
    container('c', { image: 'busybox:latest' }),
    container('d', {}),
    container('e', { image: 'busybox', imageId: web.id }),
  ];
  const all = usersByImage([host, busybox, web], list);
  for (const img of [host, busybox, web]) assert.deepEqual(all.get(img), imageUsers(img, list), img.name);
  assert.deepEqual(all.get(busybox)!.map((c) => c.name), ['a', 'c']);
  assert.deepEqual(all.get(web)!.map((c) => c.name), ['b', 'e']);
});
