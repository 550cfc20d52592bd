// The shell pane's keys (shell-pane-keys.ts, shell-pane.ts through the controller):
// keys become the bytes a terminal sends (DECCKM arrows for vi and top), the focused
// pane takes every key but Ctrl-] (q and Ctrl-C included), Esc asks end or detach,
// `E` again reattaches to the shell that runs on and its history is on screen; every
// key Ink 6.8 reports reaches the shell as xterm's bytes (through Ink's own parser);
// a shell that cannot open is a status-line error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render, Text, useInput } from 'ink';
import { isFocusKey, paneKeyBytes, scrollKey } from '../../src/ui/shell-pane-keys.js';
import { splitKeys, type KeyEvent } from '../../src/ui/keys.js';
import { FakeTtyOut, fakeStdin } from '../support/fake-tty.js';
import { paneHarness as setup, until } from '../support/pane-harness.js';

/** What Ink 6.8's useInput reports for `seq` typed on the terminal (its own parser, a fake stdin). */
async function inkKeys(seqs: string[]): Promise<{ input: string; key: KeyEvent }[][]> {
  const got: { input: string; key: KeyEvent }[] = [];
  const Keys = () => {
    useInput((input, key) => void got.push({ input, key }));
    return React.createElement(Text, null, 'keys');
  };
  const stdin = fakeStdin();
  const app = render(React.createElement(Keys), {
    stdin,
    stdout: new FakeTtyOut(40, 5) as unknown as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const out: { input: string; key: KeyEvent }[][] = [];
  try {
    for (const s of seqs) {
      got.length = 0;
      stdin.write(s);
      // A lone ESC waits for Ink's next tick (it might start a sequence).
      for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 2));
      out.push([...got]);
    }
  } finally {
    app.unmount();
  }
  return out;
}

test('every key Ink reports reaches the shell as the bytes xterm sends for it', async () => {
  // xterm's bytes for the key → what the pane sends after Ink parsed them (the same, unless noted).
  const same = [
    ...['A', 'B', 'C', 'D', 'H', 'F'].flatMap((c) => [`\x1b[${c}`, ...[2, 3, 4, 5, 6, 7, 8].map((m) => `\x1b[1;${m}${c}`)]),
    ...[5, 6].flatMap((n) => [`\x1b[${n}~`, ...[2, 3, 5, 6, 7].map((m) => `\x1b[${n};${m}~`)]),
    '\x1b[3;2~', '\x1b[3;5~', '\x1b[3;6~', // Delete with Shift, Ctrl: Backspace never reads so
    '\x7f', '\x1b\x7f', '\t', '\x1b[Z', '\r', '\x1b\r', '\n', '\x1b',
    '\x01', '\x03', '\x1a', '\x00', '\x1c', '\x1e', '\x1f',
    'a', 'Z', '~', ' ', 'é', '中', '\x1ba', '\x1bZ', '\x1b5', '\x1b ',
  ];
  const changed: [string, string, string][] = [
    ['\x1bOA', '\x1b[A', 'the application-mode up arrow: the cursor mode is the pane\'s program\'s, not the outer terminal\'s'],
    ['\x1b[1~', '\x1b[H', 'Home in the vt220 spelling'],
    ['\x1b[4~', '\x1b[F', 'End in the vt220 spelling'],
    ['\x1b\x1b[A', '\x1b[1;3A', 'Alt+Up the rxvt way: xterm\'s'],
    ['\x1b[3~', '\x7f', 'Delete reads as Backspace (DEL)'],
    ['\x1b[3;3~', '\x1b\x7f', 'Alt+Delete reads as Alt+Backspace'],
    ['\b', '\x7f', 'BS (Ctrl+H, or a Backspace that sends it): DEL, the pane pty\'s erase'],
    ['\x1b.', '.', 'Alt with a key not a letter or digit: Ink cuts the ESC'],
  ];
  // Dropped by Ink: no name, no text; nothing reaches the shell.
  const dropped = ['\x1bOP', '\x1bOS', '\x1b[11~', '\x1b[15~', '\x1b[24~', '\x1b[15;2~', '\x1b[24;5~', '\x1b[2~', '\x1b[2;5~', '\x1b[E'];
  const all = [...same, ...changed.map((c) => c[0]), ...dropped];
  const parsed = await inkKeys(all);
  const sent = (i: number) => parsed[i].flatMap((k) => splitKeys(k.input, k.key)).map((k) => paneKeyBytes(k)).join('');
  same.forEach((s, i) => assert.equal(sent(i), s, `${JSON.stringify(s)} as Ink reports it: ${JSON.stringify(parsed[i])}`));
  changed.forEach(([s, want, why], j) => assert.equal(sent(same.length + j), want, `${JSON.stringify(s)}: ${why}`));
  dropped.forEach((s, j) => {
    const i = same.length + changed.length + j;
    assert.equal(parsed[i].length, 1, `${JSON.stringify(s)} is one key for Ink`);
    assert.equal(sent(i), '', `${JSON.stringify(s)}: Ink gives no name to send it by`);
  });
  // Ink's own cursor keys in application mode (DECCKM), as vi asks: SS3 without a modifier.
  const [[up]] = await inkKeys(['\x1b[A']);
  assert.equal(paneKeyBytes(up, true), '\x1bOA');
  assert.equal(paneKeyBytes((await inkKeys(['\x1b[H']))[0][0], true), '\x1bOH');
});

test('the scroll-back keys: Shift+PgUp/PgDn a page, Shift+Up/Down a line; others are the shell\'s', () => {
  assert.equal(scrollKey({ pageUp: true, shift: true }, 20), -20);
  assert.equal(scrollKey({ pageDown: true, shift: true }, 20), 20);
  assert.equal(scrollKey({ upArrow: true, shift: true }, 20), -1);
  assert.equal(scrollKey({ downArrow: true, shift: true }, 20), 1);
  assert.equal(scrollKey({ pageUp: true }, 20), undefined);
  assert.equal(scrollKey({ pageUp: true, shift: true, ctrl: true }, 20), undefined);
  assert.equal(scrollKey({ leftArrow: true, shift: true }, 20), undefined);
  assert.equal(scrollKey({ shift: true }, 20), undefined, 'a capital letter');
});

test('keys as a terminal sends them; arrows in application cursor mode when the program asked', () => {
  const b = (input: string, key: KeyEvent, app = false) => paneKeyBytes({ input, key }, app);
  assert.equal(b('', { upArrow: true }), '\x1b[A');
  assert.equal(b('', { upArrow: true }, true), '\x1bOA');
  assert.equal(b('', { leftArrow: true }, true), '\x1bOD');
  assert.equal(b('', { home: true }), '\x1b[H');
  assert.equal(b('', { end: true }, true), '\x1bOF');
  assert.equal(b('', { pageDown: true }), '\x1b[6~');
  assert.equal(b('', { pageUp: true }), '\x1b[5~');
  assert.equal(b('', { return: true }), '\r');
  assert.equal(b('', { tab: true }), '\t');
  assert.equal(b('', { tab: true, shift: true }), '\x1b[Z');
  assert.equal(b('', { delete: true }), '\x7f');
  assert.equal(b('', { escape: true, meta: true }), '\x1b');
  assert.equal(b('c', { ctrl: true }), '\x03');
  assert.equal(b('D', { ctrl: true }), '\x04');
  assert.equal(b('`', { ctrl: true }), '\x00', 'Ctrl+Space: NUL, which Ink names "`"');
  assert.equal(b('x', { meta: true }), '\x1bx', 'Alt+x');
  assert.equal(b('', { upArrow: true, meta: true }), '\x1b[1;3A', 'Alt+Up as xterm sends it');
  assert.equal(b('', { upArrow: true, ctrl: true }, true), '\x1b[1;5A', 'a modifier: CSI 1;m whatever the cursor mode');
  assert.equal(b(':wq', {}), ':wq');
  assert.equal(b('é', {}), 'é');
  assert.equal(b('\x1c', {}), '\x1c', 'other control bytes pass as they came');
  assert.ok(isFocusKey('\x1d', {}));
  assert.ok(isFocusKey(']', { ctrl: true }));
  assert.ok(!isFocusKey(']', {}));
  // A run read at once (a paste) is split into keys, each sent as itself.
  assert.equal(splitKeys('ls\r', {}).map((k) => paneKeyBytes(k)).join(''), 'ls\r');
});

test('E opens a focused pane; every key but Ctrl-] is the shell\'s; Esc asks; n detaches; E reattaches with the history', async (t) => {
  const h = setup();
  t.after(() => h.controller.stop());
  const sh = await h.openPane();
  const st = h.controller.store.get();
  assert.equal(st.view, 'detail');
  assert.equal(st.pane?.focused, true);
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
  await h.openPane();
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
  const sh = await h.openPane();
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
  const sh = await h.openPane();
  const detail = h.controller.store.get().detail;
  h.controller.store.set({ view: 'containers' });
  const seq = h.controller.store.get().pane!.seq;
  sh.output('while-away\r\n');
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(h.controller.store.get().pane!.seq, seq, 'no redraw asked for');
  h.controller.store.set({ view: 'detail', detail });
  assert.match(h.text(), /│\$ while-away/);
});

test('a shell that cannot open (a remote host down) is a status-line error as well as the pane\'s title', async (t) => {
  for (const method of ['openShell', 'connectShell'] as const) {
    const h = setup();
    t.after(() => h.controller.stop());
    await until(() => h.controller.store.get().loaded, 'the list');
    h.engine[method] = async () => {
      throw new Error('down-1: ssh: Could not resolve hostname down-1: Name or service not known');
    };
    h.type('E', { shift: true });
    await until(() => h.controller.store.get().pane?.error !== undefined, `the error (${method})`);
    const st = h.controller.store.get();
    assert.equal(st.status?.level, 'error', method);
    assert.equal(st.status?.text, 'shell: down-1: ssh: Could not resolve hostname down-1: Name or service not known');
    assert.equal(st.pane?.focused, false, 'the keys stay the dashboard\'s');
    assert.match(h.text(), /│shell … in web — shell: down-1: ssh: Could not resolve hostname down/, 'the pane\'s title');
    assert.match(h.text(), /^shell: down-1: ssh: Could not resolve hostname down-1: Name or service not known +$/m, 'the status line');
    h.type('q');
    assert.equal(h.quits(), 1, 'the dashboard goes on: q quits');
    h.controller.stop();
  }
});
