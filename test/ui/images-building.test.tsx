// Builds in the images view: a build running in another process (the fake engine's
// builds(), as status files would list it) shows above the images as a building
// row, follows its steps with the view's own polling, and goes when the build ends,
// its image then a row like any other. Rows as exact strings, the colours of the
// mark, and every frame within 80×24 however many builds run.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/components/App.js';
import { Controller } from '../../src/ui/controller.js';
import { defaultConfig } from '../../src/ui/config.js';
import { loadTheme, sgr } from '../../src/ui/theme.js';
import { makePainter } from '../../src/ui/paint.js';
import { stripAnsi } from '../../src/ui/charts/ansi.js';
import { initialState } from '../../src/ui/state.js';
import { layoutImageColumns, imagesLines } from '../../src/ui/views/images.js';
import { buildRepoTag, buildStepText, buildingLines, buildingRow, fmtElapsed } from '../../src/ui/views/building.js';
import type { BuildInfo, ImageInfo } from '../../src/engine/types.js';
import { KEY, setup, waitFor } from './helpers.js';
import { FakeStats, UiFakeEngine } from './fakes.js';

const MiB = 1024 * 1024;
const NOW = Date.parse('2024-03-10T12:00:00Z');
const plain = makePainter(loadTheme('dark'), false);

const busybox: ImageInfo = { name: 'busybox:latest', repository: 'busybox', tag: 'latest', id: 'sha256:' + 'be'.repeat(32), created: '2024-03-08T12:00:00Z', size: 4.2 * MiB, kind: 'oci', layers: 1, sharedSize: 0 };

function build(p: Partial<BuildInfo>): BuildInfo {
  return { pid: 4242, startTime: 1, tags: ['myapp:1.0'], context: '/src/myapp', dockerfile: 'Dockerfile', started: new Date(NOW - 65_000).toISOString(), step: 2, steps: 6, current: 'RUN make', ...p };
}

test('fmtElapsed, buildRepoTag and buildStepText: the pieces of a building row', () => {
  assert.deepEqual([0, 42_999, 60_000, 187_000, 3_599_000, 7_500_000, -5].map(fmtElapsed), ['0s', '42s', '1m00s', '3m07s', '59m59s', '2h05m', '0s']);
  assert.deepEqual(buildRepoTag({ tags: [] }), { repository: '<none>', tag: '<none>' });
  assert.deepEqual(buildRepoTag({ tags: ['app'] }), { repository: 'app', tag: 'latest' });
  assert.deepEqual(buildRepoTag({ tags: ['localhost:5000/team/app:2', 'app:2'] }), { repository: 'localhost:5000/team/app', tag: '2 +1' });
  assert.deepEqual(buildRepoTag({ tags: ['localhost:5000/app'] }), { repository: 'localhost:5000/app', tag: 'latest' });
  assert.equal(buildStepText({ step: 2, steps: 6, current: 'RUN make' }), '[2/6] RUN make');
  assert.equal(buildStepText({ step: 2, steps: 6, current: '[2/6] RUN make' }), '[2/6] RUN make', 'a line that has its [n/m] keeps it');
  assert.equal(buildStepText({ step: 1, steps: 3, current: 'COPY --from=builder /out /', stage: 'final' }), '[final 1/3] COPY --from=builder /out /');
  assert.equal(buildStepText({ step: 0, steps: 0, current: '' }), '', 'not planned yet: just "building"');
  assert.equal(buildStepText({ step: 4, steps: 6, current: '' }), '[4/6]');
});

test('a building row at 80 and 120 columns: the mark, REPOSITORY and TAG where an image row has them, the step, the elapsed time at the right edge', () => {
  const at80 = buildingRow(build({}), layoutImageColumns(80), NOW, plain, 80);
  assert.equal(at80, '● myapp              1.0         building [2/6] RUN make                   1m05s');
  assert.equal(at80.length, 80);
  const long = build({ tags: [], current: 'RUN apt-get update && apt-get install -y build-essential ca-certificates curl git' });
  const at120 = buildingRow(long, layoutImageColumns(120), NOW, plain, 120);
  assert.equal(at120.length, 120);
  assert.match(at120, /^● <none> +<none> +building \[2\/6\] RUN apt-get update && apt-get install … +1m05s$/);
  // Narrow: the elapsed time goes before the step does, and the row never overflows.
  const at34 = buildingRow(build({}), layoutImageColumns(34), NOW, plain, 34);
  assert.equal(at34, '● myapp            1.0        bui…');
});

test('the mark and the step are in the colour of a container with an action in flight, the elapsed time dim', () => {
  const theme = loadTheme('dark');
  const p = makePainter(theme, true);
  const row = buildingRow(build({}), layoutImageColumns(80), NOW, p, 80);
  const created = sgr(theme.colors.created, 24)!;
  assert.ok(row.startsWith(`${created}●`), JSON.stringify(row.slice(0, 30)));
  assert.ok(row.includes(`${created}building [2/6] RUN make`), JSON.stringify(row));
  assert.ok(row.endsWith(` ${p.fg('dim', ' 1m05s')}`) && p.fg('dim', 'x') !== 'x', 'the elapsed time is painted dim');
  assert.equal(stripAnsi(row), buildingRow(build({}), layoutImageColumns(80), NOW, plain, 80));
});

test('more builds than rows: the oldest shown, the last line counts the rest; the images keep the other half of the view', () => {
  const cols = layoutImageColumns(80);
  const builds = Array.from({ length: 9 }, (_, i) => build({ pid: 100 + i, tags: [`b${i}:1`] }));
  assert.deepEqual(
    buildingLines(builds, cols, NOW, plain, 80, 3).map((l) => l.slice(0, 30).trimEnd()),
    ['● b0                 1', '● b1                 1', '  + 7 more builds running'],
  );
  assert.deepEqual(buildingLines(builds.slice(0, 2), cols, NOW, plain, 80, 2).length, 2);
  assert.deepEqual(buildingLines([], cols, NOW, plain, 80, 5), []);

  const images = Array.from({ length: 30 }, (_, i) => ({ ...busybox, name: `img${i}:1`, repository: `img${i}`, tag: '1', id: `sha256:${String(i).padStart(64, '0')}` }));
  const st = { ...initialState(defaultConfig(), loadTheme('dark'), NOW), view: 'images' as const, images, builds };
  const lines = imagesLines(st, plain, 80, 19);
  assert.equal(lines.length, 19);
  assert.match(lines[0], /^Images {2}30 images · 0 in use · 9 building · 1\/30$/);
  const buildRows = lines.filter((l) => l.startsWith('● '));
  const more = lines.filter((l) => /^ {2}\+ 2 more builds running$/.test(l.trimEnd()));
  const imageRows = lines.filter((l) => /^[› ] img\d+ /.test(l));
  assert.deepEqual([buildRows.length, more.length], [7, 1], 'half of the 16 rows under the headings and above the info line');
  assert.ok(imageRows.length >= 7, `${imageRows.length} image rows in:\n${lines.join('\n')}`);
  assert.ok(lines.every((l) => l.length <= 80), lines.join('\n'));
});

test('the dashboard shows a build started elsewhere as building above the images, follows its steps and drops it when it ends', async (t) => {
  const engine = new UiFakeEngine();
  engine.imageList = [...engine.imageList, busybox];
  const started = new Date(Date.now() - 65_000).toISOString();
  const b = engine.buildRuns.start({ tags: ['myapp:1.0'], started, step: 2, steps: 6, current: 'RUN make' });
  // The view's own polling: a short interval, no key pressed to refresh.
  const controller = new Controller({ engine, stats: new FakeStats(engine), config: defaultConfig(), theme: loadTheme('dark'), intervalMs: 100, handoff: async (_b, task) => task(), quit: () => {} });
  controller.start();
  const r = render(<App controller={controller} colors={false} size={{ columns: 80, rows: 24 }} />);
  t.after(() => {
    controller.stop();
    r.unmount();
    r.cleanup();
  });
  const frame = () => stripAnsi(r.lastFrame() ?? '');
  const see = (re: RegExp, what: string) => waitFor(() => re.test(frame()), () => `${what} in:\n${frame()}`);
  await waitFor(() => controller.store.get().loaded && frame().length > 0, 'the first frame');
  await new Promise((res) => setTimeout(res, 10));
  r.stdin.write('i');
  await see(/Images {2}2 images · 0 in use · 1 building/, 'the summary');
  await see(/^● myapp +1\.0 +building \[2\/6\] RUN make +1m\d\ds$/m, 'the building row');
  const lines = frame().split('\n');
  const header = lines.findIndex((l) => /REPOSITORY +TAG +IMAGE ID/.test(l));
  assert.match(lines[header + 1], /^● myapp/, 'right under the header, above the images');
  assert.match(lines[header + 2], /^› host /, 'the cursor stays on the first image: a build is not selectable');
  assert.ok(lines.length <= 24 && lines.every((l) => l.length <= 80), frame());

  engine.buildRuns.update(b.pid, { step: 5, current: 'COPY --from=builder /out/app /usr/local/bin/app' });
  await see(/^● myapp +1\.0 +building \[5\/6\] COPY --from=builder \/out… +1m\d\ds$/m, 'the next step');

  // The build ends: its status goes and its image is in the list, in one refresh.
  engine.buildRuns.end(b.pid);
  engine.imageList = [...engine.imageList, { ...busybox, name: 'myapp:1.0', repository: 'myapp', tag: '1.0', id: 'sha256:' + 'a1'.repeat(32), created: new Date().toISOString() }];
  await see(/^ {2}myapp +1\.0 +a1a1a1a1a1a1 /m, 'the built image as an ordinary row');
  assert.doesNotMatch(frame(), /building|●/);
  assert.match(frame(), /Images {2}3 images · 0 in use$/m);
});

test('the images view says when builds cannot be listed, and still lists the images', async (t) => {
  const engine = new UiFakeEngine();
  engine.failures.set('builds', new Error('listing the builds in /run/hutch/builds: EACCES: permission denied'));
  const h = await setup({ engine, size: { columns: 80, rows: 24 } });
  t.after(h.done);
  await h.press('i');
  await h.see('cannot list builds: listing the builds in /run/hutch/builds: EACCES: permission…');
  assert.match(h.frame(), /› host /);
  // The next reading works: the line goes.
  engine.buildRuns.start({ tags: [] });
  await h.press(KEY.escape, 'i');
  await h.see(/^● <none> +<none> +building \[1\/1\] FROM host/m);
  assert.doesNotMatch(h.frame(), /cannot list builds/);
});
