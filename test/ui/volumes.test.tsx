// Volumes in the dashboard against the fake engine: the detail view's mounts, the
// volumes view (list, create through a name prompt or with a random name, delete
// with a confirmation, the engine's "volume is in use" as one status line), and the
// form's volumes field in -v syntax.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY, setup, waitFor } from './helpers.js';
import { UiFakeEngine } from './fakes.js';
import { parseTmpfsFlag, parseVolumeFlag } from '../../src/engine/volumes/parse.js';
import { formSpec } from '../../src/ui/form.js';
import type { FormDialog } from '../../src/ui/state.js';
import { layoutVolumeColumns } from '../../src/ui/views/volumes.js';

/** web mounting the volume data (rw), a host directory (ro), a tmpfs and an anonymous volume; an unused volume spare. */
async function engineWithVolumes(): Promise<UiFakeEngine> {
  const e = new UiFakeEngine();
  await e.createVolume({ name: 'spare', labels: { env: 'dev' } });
  const mounts = [parseVolumeFlag('data:/data'), parseVolumeFlag('/srv/site:/b:ro'), parseTmpfsFlag('/tmp'), parseVolumeFlag('/cache')];
  const web = await e.create({ image: 'host', name: 'web', mounts });
  await e.start(web.id);
  return e;
}

test('the detail view lists the container\'s mounts, one a line: volume, bind, tmpfs, anonymous volume', async (t) => {
  const h = await setup({ engine: await engineWithVolumes(), size: { columns: 120, rows: 50 } });
  t.after(h.done);
  await h.see('web');
  const web = h.engine.containers.find((c) => c.name === 'web')!;
  h.controller.nav.openDetail(web.id);
  await h.see(/mounts +\/data ← vol:data \(rw\)/);
  assert.match(h.frame(), /^ {9}\/b ← \/srv\/site \(ro\)/m);
  assert.match(h.frame(), /^ {9}\/tmp tmpfs/m);
  const anon = web.mounts!.find((m) => m.destination === '/cache')!.name!;
  assert.match(h.frame(), new RegExp(`^ {9}/cache ← vol:${anon.slice(0, 12)} \\(rw\\)`, 'm'));
  // The image's own mounts follow on one line.
  assert.match(h.frame(), /^ {9}\/usr \(ro\)/m);
});

test('a long mount is cut to the config column\'s width', async (t) => {
  const e = new UiFakeEngine();
  const long = `/srv/${'x'.repeat(80)}`;
  const c = await e.create({ image: 'host', name: 'deep', mounts: [parseVolumeFlag(`${long}:/mnt/in`)] });
  await e.start(c.id);
  const h = await setup({ engine: e, size: { columns: 100, rows: 50 } });
  t.after(h.done);
  await h.see('deep');
  h.controller.nav.openDetail(c.id);
  await h.see(/mounts +\/mnt\/in ← \/srv\/x+…/);
  const line = h.lines().find((l) => l.includes('/mnt/in ←'))!;
  // Config on the left (45 columns at 100), processes on the right.
  assert.ok(line.indexOf('…') < 45, line);
  assert.doesNotMatch(h.frame(), /x{80}/);
});

test('v opens the volumes view: name, driver, containers, mountpoint; the selected one\'s users; Esc goes back', async (t) => {
  const h = await setup({ engine: await engineWithVolumes(), size: { columns: 120, rows: 30 } });
  t.after(h.done);
  await h.press('v');
  await h.see('Volumes  3 volumes · 2 in use');
  assert.match(h.frame(), /NAME +DRIVER +CONTAINERS MOUNTPOINT/);
  assert.doesNotMatch(h.frame(), /SIZE/);
  // NAME grows to the anonymous volume's 64 hex digits; MOUNTPOINT is cut to what is left.
  assert.match(h.frame(), /› [0-9a-f]{64} local +1 \/nonexistent\/volumes\/[0-9a-f]+…$/m);
  assert.match(h.frame(), /^ {2}data +local +1 \/nonexistent\/volumes\/data\/_data$/m);
  assert.match(h.frame(), /^ {2}spare +local +0 \/nonexistent\/volumes\/spare\/_data$/m);
  assert.match(h.frame(), /used by web · anonymous · created \d+s ago/);
  assert.match(h.frame(), /Esc back {2}n new {2}d delete {2}\? help {2}q quit/);
  await h.press('j');
  await h.see(/› data/);
  await h.press('G');
  await h.see(/› spare/);
  await h.see('no container uses it · env=dev');
  await h.press(KEY.escape);
  await h.see(/NAME +IMAGE +STATE/);
  assert.equal(h.controller.store.get().view, 'containers');
});

test('the volumes view reads the list again on entering and every interval; narrow terminals drop MOUNTPOINT', async (t) => {
  const engine = new UiFakeEngine();
  const h = await setup({ engine, size: { columns: 50, rows: 30 } });
  t.after(h.done);
  await h.press('v');
  await h.see('no volumes yet');
  await h.press(KEY.escape);
  await engine.createVolume({ name: 'late' });
  await h.press('v');
  await h.see(/› late +0$/m);
  assert.doesNotMatch(h.frame(), /MOUNTPOINT|DRIVER/);
  // And every interval while it is shown (the controller's tick).
  await engine.createVolume({ name: 'later' });
  (h.controller as unknown as { tick(): void }).tick();
  await h.see(/^ {2}later +0$/m);
  assert.deepEqual(layoutVolumeColumns(61).map((c) => c.name), ['name', 'driver', 'containers', 'mountpoint']);
  assert.deepEqual(layoutVolumeColumns(60).map((c) => c.name), ['name', 'containers', 'mountpoint']);
  // NAME grows to the longest name, MOUNTPOINT takes the rest.
  assert.deepEqual(layoutVolumeColumns(100, 20).map((c) => c.width), [20, 6, 10, 59]);
});

test('n asks for a name and creates the volume, selected; Enter alone makes one with a random name; Esc cancels', async (t) => {
  const h = await setup({ engine: await engineWithVolumes(), size: { columns: 140, rows: 30 } });
  t.after(h.done);
  await h.press('v');
  await h.see('Volumes  3 volumes');
  await h.press('n');
  await h.see('new volume: ▏  (its name; Enter alone: a random one; Esc cancels)');
  await h.press(...'cachex', KEY.backspace, KEY.enter);
  await h.see('created volume cache');
  await h.see(/› cache +local +0/);
  assert.deepEqual(h.engine.callsOf('createVolume').at(-1), [{ name: 'cache' }]);
  await h.press('n', KEY.enter);
  await h.see(/created volume [0-9a-f]{12}$/m);
  assert.deepEqual(h.engine.callsOf('createVolume').at(-1), [{}]);
  await h.see('Volumes  5 volumes');
  // The new one is selected.
  const made = h.controller.store.get().volumes[h.controller.store.get().volumeIndex];
  assert.ok(!['cache', 'data', 'spare'].includes(made.name));
  // An existing name is the same volume (docker): said so.
  await h.press('n', ...'spare', KEY.enter);
  await h.see('volume spare exists already');
  await h.see(/› spare/);
  // Esc creates nothing; spaces and bad names stay one status line.
  const calls = h.engine.callsOf('createVolume').length;
  await h.press('n', ...'gone', KEY.escape);
  await h.notSee('new volume:');
  await h.press('n', ...'a b', KEY.enter);
  await h.see('volume create: one name, without spaces ("a b")');
  assert.equal(h.engine.callsOf('createVolume').length, calls);
  await h.press('n', ...'-bad', KEY.enter);
  await h.see(/^volume create -bad: .*-bad/m);
  await h.see('Volumes  5 volumes');
});

test('d asks first; "volume is in use" is one status line naming the container; y deletes an unused one', async (t) => {
  const h = await setup({ engine: await engineWithVolumes(), size: { columns: 160, rows: 30 } });
  t.after(h.done);
  await h.press('v', 'j');
  await h.see(/› data/);
  await h.press('d');
  await h.see('Delete volume data (used by web)? y/N');
  await h.press('y');
  await h.see(/^delete volume data: remove data: volume is in use - \[web\] *$/m);
  assert.match(h.frame(), /› data/);
  await h.press('j', 'd');
  await h.see('Delete volume spare? y/N');
  await h.press('n');
  await h.see('cancelled');
  assert.deepEqual(h.engine.callsOf('removeVolume'), [['data', {}]]);
  await h.press('d', 'y');
  await h.see('removed volume spare');
  await h.notSee(/spare +local/);
  await h.see('Volumes  2 volumes · 2 in use');
  assert.deepEqual(h.engine.callsOf('removeVolume'), [['data', {}], ['spare', {}]]);
  // The selection stays in the list.
  await h.see(/› data/);
});

test('the table\'s footer offers v volumes when it has room', async (t) => {
  const h = await setup({ size: { columns: 220, rows: 20 } });
  t.after(h.done);
  await h.see(/i images {2}w networks {2}v volumes {2}L all logs/);
});

test('the help screen lists the volumes keys', async (t) => {
  const h = await setup({ size: { columns: 120, rows: 90 } });
  t.after(h.done);
  await h.press('?');
  await h.see(/v +Volumes view/);
  assert.match(h.frame(), /Volumes view\n +n +Create a volume \(asks for its name: Enter alone for a random one\)/);
  assert.match(h.frame(), /d +Delete the volume \(asks first; refused while a container uses it\)/);
});

function form(v: Partial<FormDialog['values']>): FormDialog {
  return { kind: 'form', focus: 0, values: { image: 'host', name: '', command: '', memory: '', cpus: '', network: '', ports: '', volumes: '', detach: true, ...v } };
}

test('the form: volumes in -v syntax separated by spaces; a bad one names the field', () => {
  assert.deepEqual(formSpec(form({ volumes: ' data:/data  /srv:/srv:ro /cache ' })).mounts, [
    { type: 'volume', source: 'data', target: '/data' },
    { type: 'bind', source: '/srv', target: '/srv', mode: 'ro', readOnly: true, createSource: true },
    { type: 'volume', target: '/cache' },
  ]);
  assert.equal(formSpec(form({})).mounts, undefined);
  assert.throws(() => formSpec(form({ volumes: 'data:/data:bogus' })), /^Error: volumes: invalid mode: bogus$/);
  assert.throws(() => formSpec(form({ volumes: 'data:rel' })), /^Error: volumes: invalid volume specification: 'data:rel'/);
});

test('the form creates a container with volumes; the detail view and the volumes view show them', async (t) => {
  const h = await setup({ size: { columns: 140, rows: 40 } });
  t.after(h.done);
  const before = h.engine.callsOf('create').length;
  await h.press('n');
  await h.see('New container');
  assert.match(h.frame(), /Volumes +optional, e\.g\. data:\/data \/srv:\/srv:ro \/cache/);
  // Name; then past command, memory, CPUs, network and ports to the volumes.
  await h.press(KEY.tab, ...'db', ...Array(6).fill(KEY.tab), ...'pg:/var/lib/pg:rw,rx', KEY.enter);
  await h.see('volumes: invalid mode: rw,rx');
  await h.press(...Array(3).fill(KEY.backspace), KEY.enter);
  await waitFor(() => h.engine.callsOf('create').length === before + 1, 'create');
  assert.deepEqual(h.engine.callsOf('create')[before][0], {
    image: 'host',
    name: 'db',
    mounts: [{ type: 'volume', source: 'pg', target: '/var/lib/pg', mode: 'rw' }],
  });
  await h.see('started db');
  await h.press('v');
  await h.see(/› pg +local +1/);
  await h.see('used by db');
});
