// Keys as the terminal delivers them: several in one read (keys sent in one
// write, typed faster than the dashboard reads, pasted), a hand-off started in
// the middle of a read, and the number keys on a narrow terminal.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, waitFor, type Harness } from './helpers.js';
import { UiFakeEngine } from './fakes.js';
import { isKeyName, splitKeys } from '../../src/ui/keys.js';

function threeContainers(): UiFakeEngine {
  const e = new UiFakeEngine();
  e.add({ name: 'web' });
  e.add({ name: 'db' });
  e.add({ name: 'old', status: 'exited', exitCode: 3, finishedAt: '2024-01-01T00:00:00Z' });
  return e;
}

/** A shell that runs until `exit()` is called. */
function holdExec(h: Harness): { exit: () => void } {
  let exit = () => {};
  const real = h.engine.exec.bind(h.engine);
  h.engine.exec = async (...args: Parameters<typeof real>) => {
    await real(...args);
    await new Promise<void>((r) => (exit = r));
    return 0;
  };
  return { exit: () => exit() };
}

/** Narrows the table to one container: it is the selected row. */
async function only(h: Harness, name: string): Promise<void> {
  await h.press('/', name, '\r');
  await h.see(`filter "${name}"`);
  await h.see(new RegExp(`› +${name}`));
}

test('splitKeys: a run read at once is one key per character, Enter, Tab, Backspace and Ctrl keys included', () => {
  const keys = splitKeys('j\r\t\x7f\x0cA', {});
  assert.deepEqual(keys, [
    { input: 'j', key: {} },
    { input: '', key: { return: true } },
    { input: '', key: { tab: true } },
    { input: '', key: { delete: true } },
    { input: 'l', key: { ctrl: true } },
    { input: 'A', key: { shift: true } },
  ]);
  // What Ink already parsed stays one key.
  assert.deepEqual(splitKeys('', { upArrow: true }), [{ input: '', key: { upArrow: true } }]);
  assert.deepEqual(splitKeys('l', { ctrl: true }), [{ input: 'l', key: { ctrl: true } }]);
  // Esc then a key, read together (Alt+key): two keys.
  assert.deepEqual(splitKeys('x', { meta: true }), [
    { input: '', key: { escape: true } },
    { input: 'x', key: {} },
  ]);
});

test('j and Enter in one read: moves, then opens the detail view', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  const first = h.controller.visible(h.controller.store.get())[1];
  await h.press('j\r');
  await waitFor(() => h.controller.store.get().view === 'detail', 'the detail view');
  assert.equal(h.controller.store.get().detail?.id, first.id);
});

test('a filter typed and entered in one read: each key counts', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await h.press('/db\r');
  await h.see('filter "db"');
  await h.see(/› +db/);
  await h.notSee(/ web /);
});

test('ee in one read opens one shell; the second e is not the dashboard\'s', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await only(h, 'db');
  const shell = holdExec(h);
  await h.press('ee');
  await waitFor(() => h.engine.callsOf('exec').length === 1, 'exec');
  shell.exit();
  await h.see('shell in db exited');
  assert.equal(h.handoffs.length, 1, 'one hand-off');
  assert.equal(h.engine.callsOf('exec').length, 1, 'one shell');
  assert.doesNotMatch(h.frame(), /already/);
});

test('ea in one read: the a goes with the shell, show-exited is not toggled', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await only(h, 'db');
  const before = h.controller.store.get().showAll;
  await h.press('ea');
  await waitFor(() => h.handoffs.length === 1, 'the hand-off');
  await h.see('shell in db exited');
  assert.equal(h.controller.store.get().showAll, before);
  assert.doesNotMatch(h.frame(), /exited containers/);
});

test('e, a command and Enter in one read: one shell, nothing acted on by the dashboard; keys during the hand-off are the shell\'s', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  await only(h, 'db');
  const shell = holdExec(h);
  await h.press('eecho hi\r');
  await waitFor(() => h.engine.callsOf('exec').length === 1, 'exec');
  assert.equal(h.controller.handoffRequest.typeahead(), 'echo hi\r', 'the rest of the read is kept for the shell');
  // Keys that still reach the dashboard while the shell runs are not its keys.
  await h.press('a', 'e', 'q');
  assert.equal(h.quits(), 0);
  assert.equal(h.engine.callsOf('exec').length, 1);
  shell.exit();
  await h.see('shell in db exited');
  assert.equal(h.handoffs.length, 1);
  assert.equal(h.controller.store.get().view, 'containers');
  // Keys work again afterwards.
  await h.press('a');
  await h.see('showing exited containers');
});

test('number keys sort by the columns shown: at 100 columns IMAGE is hidden and 2 is STATE', async (t) => {
  const h = await setup({ engine: threeContainers(), size: { columns: 100, rows: 30 } });
  t.after(h.done);
  await h.notSee(/IMAGE/);
  await h.press('1');
  await h.see(/NAME[▲▼]/);
  await h.press('2');
  await h.see('STATE▲');
  await h.see('sorted by state');
  await h.press('>');
  await h.see(/CPU%[▲▼]/);
});

test('number keys at 140 columns: IMAGE shows and 2 sorts by it', async (t) => {
  const h = await setup({ engine: threeContainers(), size: { columns: 140, rows: 30 } });
  t.after(h.done);
  await h.see(/NAME +IMAGE/);
  await h.press('2');
  await h.see('IMAGE▲');
});

test('Ctrl-L and Ctrl-Z go to the terminal\'s owner, alone or in a run, in a prompt too; the config cannot rebind them', async (t) => {
  const h = await setup({ engine: threeContainers() });
  t.after(h.done);
  const calls: string[] = [];
  h.controller.terminal = { redraw: () => calls.push('redraw'), suspend: () => calls.push('suspend') };
  await h.press('\x0c');
  await waitFor(() => calls.length === 1, 'the redraw');
  await h.press('j\x1a');
  await waitFor(() => calls.length === 2, 'the suspend');
  await h.press('/', '\x0c');
  await waitFor(() => calls.length === 3, 'the redraw from the filter prompt');
  assert.deepEqual(calls, ['redraw', 'suspend', 'redraw']);
  assert.equal(isKeyName('ctrl+l'), false);
  assert.equal(isKeyName('ctrl+z'), false);
  assert.equal(isKeyName('ctrl+c'), false);
  assert.equal(isKeyName('ctrl+k'), true);
});
