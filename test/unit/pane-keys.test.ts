// The shell pane's keys (shell-pane-keys.ts, shell-pane.ts through the controller):
// keys become the bytes a terminal sends (DECCKM arrows for vi and top), the focused
// pane takes every key but Ctrl-] (q and Ctrl-C included), Esc asks end or detach,
// `E` again reattaches to the shell that runs on and its history is on screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFocusKey, paneKeyBytes } from '../../src/ui/shell-pane-keys.js';
import { splitKeys, type KeyEvent } from '../../src/ui/keys.js';
import { Controller } from '../../src/ui/controller.js';
import { defaultConfig } from '../../src/ui/config.js';
import { loadTheme } from '../../src/ui/theme.js';
import { Screen } from '../../src/ui/screen.js';
import { FakeEngine } from '../support/fake-engine.js';
import { FakeStats } from '../ui/fakes.js';

test('keys as a terminal sends them; arrows in application cursor mode when the program asked', () => {
  const b = (input: string, key: KeyEvent, app = false) => paneKeyBytes({ input, key }, app);
  assert.equal(b('', { upArrow: true }), '\x1b[A');
  assert.equal(b('', { upArrow: true }, true), '\x1bOA');
  assert.equal(b('', { leftArrow: true }, true), '\x1bOD');
  assert.equal(b('', { home: true }), '\x1b[H');
  assert.equal(b('', { end: true }, true), '\x1bOF');
  assert.equal(b('', { pageDown: true }), '\x1b[6~');
  assert.equal(b('', { return: true }), '\r');
  assert.equal(b('', { tab: true }), '\t');
  assert.equal(b('', { tab: true, shift: true }), '\x1b[Z');
  assert.equal(b('', { delete: true }), '\x7f');
  assert.equal(b('', { escape: true, meta: true }), '\x1b');
  assert.equal(b('c', { ctrl: true }), '\x03');
  assert.equal(b('D', { ctrl: true }), '\x04');
  assert.equal(b('x', { meta: true }), '\x1bx', 'Alt+x');
  assert.equal(b(':wq', {}), ':wq');
  assert.equal(b('é', {}), 'é');
  assert.equal(b('\x1c', {}), '\x1c', 'other control bytes pass as they came');
  assert.ok(isFocusKey('\x1d', {}));
  assert.ok(isFocusKey(']', { ctrl: true }));
  assert.ok(!isFocusKey(']', {}));
  // A run read at once (a paste) is split into keys, each sent as itself.
  assert.equal(splitKeys('ls\r', {}).map((k) => paneKeyBytes(k)).join(''), 'ls\r');
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup() {
  const engine = new FakeEngine();
  const c = engine.add({ name: 'web' });
  const stats = new FakeStats(engine);
  let quits = 0;
  const controller = new Controller({
    engine,
    stats,
    config: defaultConfig(),
    theme: loadTheme('dark'),
    intervalMs: 60_000,
    handoff: async (_b, task) => task(),
    quit: () => void quits++,
  });
  controller.start();
  controller.store.set({ size: { columns: 140, rows: 30 } });
  const screen = new Screen(controller, false);
  const text = () => screen.lines(controller.store.get(), { columns: 140, rows: 30 }).join('\n');
  const type = (input: string, key: KeyEvent = {}) => controller.handleKey(input, key);
  return { engine, c, stats, controller, text, type, quits: () => quits };
}

test('E opens a focused pane; every key but Ctrl-] is the shell\'s; Esc asks; n detaches; E reattaches with the history', async (t) => {
  const h = setup();
  t.after(() => h.controller.stop());
  await until(() => h.controller.store.get().loaded, 'the list');
  h.type('E', { shift: true });
  await until(() => h.controller.store.get().pane?.shell.startsWith('exec-') === true, 'the shell');
  const st = h.controller.store.get();
  assert.equal(st.view, 'detail');
  assert.equal(st.pane?.focused, true);
  const sh = h.engine.shells.all.get(st.pane!.shell)!;
  assert.deepEqual(sh.size, { rows: 30 - 1 - 3 - 1, cols: 69 }, 'the pty has the pane\'s size (beside: the body less the title; half of 140 less the rule)');

  // q, Esc, Ctrl-C and letters bound to actions go to the shell, not the dashboard.
  h.type('q');
  h.type('c', { ctrl: true });
  h.type('', { escape: true, meta: true });
  h.type('x');
  assert.equal(sh.line, 'q\x03\x1bx');
  assert.equal(h.quits(), 0);
  assert.equal(h.controller.store.get().dialog, undefined);
  h.type('', { backspace: true }); // the fake shell keeps DEL in its line: a real tty would erase
  sh.line = '';
  h.type('echo hi\r');
  await until(() => /echo hi/.test(h.text()), 'the echo in the pane');
  assert.match(h.text(), /\^\] dashboard/, 'the footer says how to get the keys back');

  // Ctrl-]: the keys are the dashboard's again (x stops a container: asks first).
  h.type('\x1d');
  assert.equal(h.controller.store.get().pane?.focused, false);
  assert.match(h.text(), /\^\] to type in the shell/);
  // Esc: end or detach? n detaches; the shell runs on.
  h.type('', { escape: true, meta: true });
  assert.match(h.controller.store.get().dialog?.kind === 'confirm' ? h.controller.store.get().dialog!.kind : '', /confirm/);
  h.type('n');
  assert.equal(h.controller.store.get().pane, undefined);
  assert.equal(sh.ended, false);
  assert.equal(sh.clients.size, 0, 'detached');
  assert.equal(h.controller.store.get().view, 'detail', 'still the detail view');

  // E again: the same shell, its history on screen.
  const opens = h.engine.calls.filter((c) => c.method === 'openShell').length;
  h.type('E', { shift: true });
  await until(() => /echo hi/.test(h.text()), 'the history after reattaching');
  assert.equal(h.engine.calls.filter((c) => c.method === 'openShell').length, opens, 'no new shell');
  assert.equal(h.controller.store.get().pane?.shell, sh.info.name);

  // Esc then y: the shell is ended.
  h.type('\x1d');
  h.type('', { escape: true, meta: true });
  h.type('y');
  await until(() => sh.ended, 'the shell ended');
  assert.equal(h.controller.store.get().pane, undefined);
});

test('the shell exiting gives the keys back; Esc then closes without asking', async (t) => {
  const h = setup();
  t.after(() => h.controller.stop());
  await until(() => h.controller.store.get().loaded, 'the list');
  h.type('E', { shift: true });
  await until(() => h.controller.store.get().pane?.shell.startsWith('exec-') === true, 'the shell');
  h.type('exit\r');
  await until(() => h.controller.store.get().pane?.exited === 0, 'the exit');
  assert.equal(h.controller.store.get().pane?.focused, false);
  assert.match(h.text(), /exited 0/);
  h.type('', { escape: true, meta: true });
  assert.equal(h.controller.store.get().dialog, undefined);
  assert.equal(h.controller.store.get().pane, undefined);
});

test('a stopped container gets no pane: a status line says why', async (t) => {
  const h = setup();
  t.after(() => h.controller.stop());
  h.engine.containers[0].status = 'exited';
  await until(() => h.controller.store.get().loaded, 'the list');
  await h.controller.refresh();
  h.type('a'); // exited containers shown
  h.type('E', { shift: true });
  await until(() => h.controller.store.get().status !== undefined, 'the status line');
  assert.match(h.controller.store.get().status!.text, /not running/);
  assert.equal(h.controller.store.get().pane, undefined);
});

test('a reattached pane does not answer the old queries its backlog replays; it answers new ones once the user types', async (t) => {
  const h = setup();
  t.after(() => h.controller.stop());
  await until(() => h.controller.store.get().loaded, 'the list');
  h.type('E', { shift: true });
  await until(() => h.controller.store.get().pane?.shell.startsWith('exec-') === true, 'the shell');
  const sh = h.engine.shells.all.get(h.controller.store.get().pane!.shell)!;
  h.type('x');
  sh.output('\x1b[6n'); // a program asks where the cursor is: the emulator answers
  await until(() => /\x1b\[\d+;\d+R/.test(sh.line), 'the answer'); // eslint-disable-line no-control-regex
  sh.line = '';
  h.type('\x1d');
  h.type('', { escape: true, meta: true });
  h.type('n');
  h.type('E', { shift: true });
  await until(() => h.controller.store.get().pane?.shell === sh.info.name && sh.clients.size === 1, 'reattached');
  await new Promise((r) => setTimeout(r, 100)); // the backlog, with the old query, is parsed
  assert.equal(sh.line, '', 'nothing answered to the replayed query');
  h.type('y');
  assert.equal(sh.line, 'y');
});

test('output while the pane is not on screen asks for no redraw; it is drawn when the view comes back', async (t) => {
  const h = setup();
  t.after(() => h.controller.stop());
  await until(() => h.controller.store.get().loaded, 'the list');
  h.type('E', { shift: true });
  await until(() => h.controller.store.get().pane?.shell.startsWith('exec-') === true, 'the shell');
  const sh = h.engine.shells.all.get(h.controller.store.get().pane!.shell)!;
  const detail = h.controller.store.get().detail;
  h.controller.store.set({ view: 'containers' });
  const seq = h.controller.store.get().pane!.seq;
  sh.output('while-away\r\n');
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(h.controller.store.get().pane!.seq, seq, 'no redraw asked for');
  h.controller.store.set({ view: 'detail', detail });
  assert.match(h.text(), /│\$ while-away/);
});
