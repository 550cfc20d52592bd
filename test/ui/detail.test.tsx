// Issue 11 §19: the detail view's process tree with CPU %, a selectable process and
// the signal menu, env in the config, the raw inspect; the logs view's time, wrap
// and save keys; the position in long lists.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KEY, setup, waitFor } from './helpers.js';
import { UiFakeEngine } from './fakes.js';
import { cpuPercents, cpuReading, processTree } from '../../src/ui/process-tree.js';
import { defaultBindings, findConflict } from '../../src/ui/keys.js';
import { helpLines } from '../../src/ui/views/chrome.js';
import { makePainter } from '../../src/ui/paint.js';
import { loadTheme } from '../../src/ui/theme.js';
import { stripAnsi } from '../../src/ui/charts/ansi.js';
import type { ImageInfo, ProcessInfo } from '../../src/engine/types.js';

const proc = (pid: number, ppid: number, cmd: string, cpuSeconds = 0): ProcessInfo => ({ pid, ppid, state: 'S', rss: 4096, cpuSeconds, cmd });

const PROCS = [proc(10, 1, 'init'), proc(12, 10, 'worker b'), proc(11, 10, 'worker a'), proc(13, 11, 'grandchild')];

test('the process tree: children under their parent by pid, with tree glyphs; a ppid loop still lists everyone once', () => {
  const rows = processTree(PROCS);
  assert.deepEqual(
    rows.map((r) => `${r.prefix}${r.proc.cmd}`),
    ['init', '├─ worker a', '│  └─ grandchild', '└─ worker b'],
  );
  const loop = processTree([proc(5, 6, 'a'), proc(6, 5, 'b')]);
  assert.deepEqual(loop.map((r) => r.proc.pid).sort(), [5, 6]);
});

test('CPU %: the CPU time a process used between two reads over the wall time; none for a new or reused pid', () => {
  const before = cpuReading([proc(1, 0, 'a', 10), proc(2, 0, 'b', 5)], 1000);
  const after = cpuReading([proc(1, 0, 'a', 10.5), proc(2, 0, 'b', 1), proc(3, 0, 'c', 2)], 3000);
  const pct = cpuPercents(before, after);
  assert.equal(pct.get(1), 25);
  assert.equal(pct.has(2), false, 'its CPU time went down: another process');
  assert.equal(pct.has(3), false, 'new since the last read');
  assert.equal(cpuPercents(undefined, after).size, 0);
  assert.equal(cpuPercents(after, after).size, 0, 'no time between the reads');
});

test('the new keys clash with no other key in any view', () => {
  assert.equal(findConflict(defaultBindings()), undefined);
});

function oneContainer(): UiFakeEngine {
  const e = new UiFakeEngine();
  e.add({ name: 'db', spec: { image: 'host', env: ['PATH=/usr/bin:/bin', 'GREETING=hello world'] } });
  return e;
}

test('detail: the process tree with CPU % from the second read, env in the config; ↓ selects, S sends a signal after y', async (t) => {
  const h = await setup({ engine: oneContainer(), procs: PROCS.map((p) => ({ ...p })) });
  t.after(h.done);
  const id = h.engine.containers[0].id;
  await h.press(KEY.enter);
  await h.see('Processes (4)');
  await h.see(/11 S +- .* ├─ worker a/);
  await h.see(/13 S +- .* │ {2}└─ grandchild/);
  await h.see('env      PATH=/usr/bin:/bin');
  await h.see('GREETING=hello world');
  // The second read: worker a used a lot of CPU since the first.
  h.engine.procs = PROCS.map((p) => (p.pid === 11 ? { ...p, cpuSeconds: 1000 } : { ...p }));
  await h.controller.detail.loadProcs();
  await h.see(/11 S +\d+ .* ├─ worker a/);
  await h.see(/10 S +0\.0 .* init/);

  await h.press(KEY.down); // worker a
  assert.equal(h.controller.store.get().detail?.procPid, 11);
  await h.press('S');
  await h.see('signal to 11 (worker a):');
  await h.press(KEY.escape);
  await h.see('cancelled');
  assert.equal(h.engine.callsOf('signalProcess').length, 0);

  await h.press('S', '2');
  await h.see('Send SIGKILL to process 11 (worker a)? y/N');
  await h.press('y');
  await h.see('sent SIGKILL to process 11');
  assert.deepEqual(h.engine.callsOf('signalProcess'), [[id, 11, 'KILL']]);

  // ← → choose in the menu; the engine's refusal is one status line.
  await h.press('S', KEY.down, KEY.down);
  await waitFor(() => h.controller.store.get().dialog?.kind === 'signal' && (h.controller.store.get().dialog as { index: number }).index === 2, 'HUP chosen');
  h.engine.failures.set('signalProcess', new Error('no process 11 in container db'));
  await h.press(KEY.enter, 'y');
  await h.see('SIGHUP to process 11: no process 11 in container db');
});

test('detail: the selection stays on its process as others come and go', async (t) => {
  const h = await setup({ engine: oneContainer(), procs: PROCS.map((p) => ({ ...p })) });
  t.after(h.done);
  await h.press(KEY.enter);
  await h.see('Processes (4)');
  await h.press('G'); // worker b, the last row
  assert.equal(h.controller.store.get().detail?.procPid, 12);
  h.engine.procs = PROCS.filter((p) => p.pid !== 13);
  await h.controller.detail.loadProcs();
  assert.equal(h.controller.store.get().detail?.procPid, 12);
  assert.equal(h.controller.store.get().detail?.procIndex, 2);
});

test('detail: I shows the raw inspect as hutch inspect prints it, scrolled with the move keys; Esc goes back to the detail', async (t) => {
  const h = await setup({ engine: oneContainer(), procs: PROCS });
  t.after(h.done);
  await h.press(KEY.enter, 'I');
  await h.see('inspect db');
  await h.see('"id": "01c0ffee');
  const total = JSON.stringify(h.engine.containers[0], null, 2).split('\n').length;
  await h.see(new RegExp(`1-\\d+/${total}`));
  await h.press('G');
  await h.see(new RegExp(`\\d+-${total}/${total}`));
  await h.see(/^\}/m);
  await h.see('"name": "db"');
  await h.press(KEY.escape);
  await h.see('Processes (4)');
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
});

function withLogs(lines: number, text = (i: number) => `line ${i}`): UiFakeEngine {
  const e = oneContainer();
  const id = e.containers[0].id;
  e.logLines.set(
    id,
    Array.from({ length: lines }, (_, i) => ({ time: `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.123456789Z`, stream: 'stdout' as const, full: true, text: text(i) })),
  );
  return e;
}

test('logs: T shows each line\'s time; w wraps long lines; cut ones scroll sideways with > and <', async (t) => {
  const long = 'a'.repeat(150) + 'TAIL';
  const h = await setup({ engine: withLogs(3, (i) => (i === 2 ? long : `line ${i}`)) });
  t.after(h.done);
  await h.press('l');
  await h.see('line 1');
  await h.press('T');
  await h.see('2024-01-01 00:00:01.123 line 1');
  await h.press('T');
  await h.notSee('2024-01-01 00:00:01.123');
  await h.notSee('TAIL');
  await h.press('>');
  await h.see('from column 50');
  await h.press('>', '>'); // no further than the longest line's end
  await h.see('from column 57');
  await h.see('TAIL');
  await h.press('<');
  await h.see('from column 8');
  await h.press('<');
  await h.notSee('from column');
  await h.press('w');
  await h.see(/^ +a+TAIL$/m); // the second row of the wrapped line
  await h.press('>');
  await h.see('lines wrap: nothing to scroll sideways (w cuts them)');
});

test('logs: W saves the whole log to a new file (the prompt offers ./NAME.log); errors are one status line', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-ui-save-'));
  const h = await setup({ engine: withLogs(3) });
  t.after(() => {
    h.done();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await h.press('l');
  await h.see('line 2');
  await h.press('W');
  await h.see('save logs to: ./db.log');
  const file = path.join(dir, 'db.log');
  await h.press(...Array(8).fill(KEY.backspace), file, KEY.enter);
  await h.see(`saved 3 lines to ${file}`);
  assert.equal(fs.readFileSync(file, 'utf8'), 'line 0\nline 1\nline 2\n');
  // Times shown: the file has them too. The same path again: refused, not overwritten.
  await h.press('T', 'W', ...Array(8).fill(KEY.backspace), file, KEY.enter);
  await h.see(`cannot save logs to ${file}: the file exists (give another name)`);
  const timed = path.join(dir, 'timed.log');
  await h.press('W', ...Array(8).fill(KEY.backspace), timed, KEY.enter);
  await h.see(`saved 3 lines to ${timed}`);
  assert.match(fs.readFileSync(timed, 'utf8'), /^2024-01-01T00:00:00\.123456789Z line 0\n/);
  const bad = path.join(dir, 'no-such-dir', 'x.log');
  await h.press('W', ...Array(8).fill(KEY.backspace), bad, KEY.enter);
  await h.see(`cannot save logs to ${bad}: no such directory`);
  await h.press('W', KEY.escape);
  await h.notSee('save logs to:');
});

test('position in long lists: the table, the images, the processes and the logs say where the selection is', async (t) => {
  const e = new UiFakeEngine();
  for (let i = 0; i < 40; i++) e.add({ name: `c${String(i).padStart(2, '0')}` });
  const id = e.containers[0].id;
  e.logLines.set(id, Array.from({ length: 100 }, (_, i) => ({ time: `2024-01-01T00:00:00.${String(i).padStart(3, '0')}Z`, stream: 'stdout' as const, full: true, text: `l${i}` })));
  const images: ImageInfo[] = Array.from({ length: 30 }, (_, i) => ({ name: `img${i}:latest`, repository: `img${i}`, tag: 'latest', id: `sha256:${String(i).padStart(64, '0')}`, created: '2024-01-01T00:00:00Z', size: 1, kind: 'oci' }));
  e.imageList = images;
  const procs = Array.from({ length: 30 }, (_, i) => proc(100 + i, i === 0 ? 1 : 100, `p${i}`));
  const h = await setup({ engine: e, procs, size: { columns: 100, rows: 20 } });
  t.after(h.done);
  await h.see(/^1\/40 · 40 shown/m);
  await h.press('G');
  await h.see(/^40\/40 · 40 shown/m);
  await h.press('g', KEY.enter);
  await h.see('Processes (30)  1/30');
  await h.press(KEY.down, KEY.down);
  await h.see('Processes (30)  3/30');
  // A lone Esc first (Ink holds it briefly; a key right behind it could read as Meta-key).
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
  await h.press('l');
  await h.see(/following · \d+-100\/100/);
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
  await h.press('i');
  await h.see(/30 images · 0 in use · 1\/30/);
  await h.press(KEY.down, KEY.down);
  await h.see('3/30');
  // Short lists say nothing.
  await waitFor(() => true, '');
});

test('help lists the new keys', () => {
  const text = stripAnsi(helpLines(defaultBindings(), makePainter(loadTheme('dark'), false), 200).join('\n'));
  for (const want of ['Detail view', 'S              Send a signal to the selected process', 'I              The raw inspect', 'T              Show each line', 'w              Wrap long lines', 'W              Save the logs to a file', 'Signal menu']) {
    assert.ok(text.includes(want), want);
  }
});
