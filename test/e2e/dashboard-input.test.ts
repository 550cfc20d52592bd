// Keys as a terminal delivers them, end to end: `node bin/hutch.cjs` in tmux
// (its own server, state root and cgroup parent) against the real engine, run
// from an interactive bash so that Ctrl-Z has job control to stop it. Keys sent
// in one write around a shell hand-off, typeahead while the shell starts,
// Ctrl-L and Ctrl-Z/fg. Needs root, tmux and a built dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { type Sandbox } from '../integration/helpers.js';
import { HUTCH_COMMAND, HUTCH_THEN_STATUS, Tmux, dashboardDrawn, filter, missing, sandboxEnv, withSandbox } from './tmux.js';

const skip = missing('dashboard input e2e', { 'needs bash': spawnSync('bash', ['-c', 'true']).status === 0 });

const count = (s: string, sub: string) => s.split(sub).length - 1;

/** An interactive bash (job control) at 100×30 in the sandbox's environment, prompt "sh$ ". */
function startPane(tm: Tmux, sb: Sandbox, command = "PS1='sh$ ' bash --norc --noprofile -i"): void {
  tm.start({ command, env: sandboxEnv(sb), width: 100, height: 30 });
}

/** Back from a shell: the dashboard drawn whole, with the shell's exit reported. */
async function backFromShell(tm: Tmux, what: string): Promise<string> {
  return tm.until(what, (s) => dashboardDrawn(s) && s.includes('shell in idle exited'));
}

async function withDashboard(body: (tm: Tmux) => Promise<void>): Promise<void> {
  await withSandbox(async (tm, sb) => {
    const c = await sb.engine.create({ image: 'host', name: 'idle', cmd: ['sleep', 'infinity'] });
    await sb.engine.start(c.id);
    startPane(tm, sb);
    await tm.until('the shell prompt', /^sh\$/m);
    // Alone on its line: after Ctrl-Z, bash would go on with the rest of a list.
    tm.type(HUTCH_COMMAND);
    tm.keys('Enter');
    await tm.until('the dashboard', (s) => dashboardDrawn(s) && /idle .*running/.test(s));
    await filter(tm, 'idle');
    await body(tm);
    tm.keys('q');
    await tm.until('hutch to exit', (x) => !dashboardDrawn(x) && /^sh\$ *$/m.test(x.trimEnd().split('\n').pop() ?? ''));
    tm.type('echo "hutch exited: $?"');
    tm.keys('Enter');
    const end = await tm.until('its status', /^hutch exited: \d+$/m);
    assert.match(end, /^hutch exited: 0$/m);
  });
}

test('keys in one write around a hand-off: ee opens one shell, ea types into it, e and a command at once open the shell', { skip, timeout: 120_000 }, async () => {
  await withDashboard(async (tm) => {
    // "ee": one shell, one banner; the second e is not a second hand-off: it is the
    // shell's first input (the hand-off passes on what was read with its key).
    tm.type('ee');
    await tm.until('the shell', (s) => s.includes('hutch: shell in idle') && /[#$] e *$/m.test(s.split('hutch: shell in idle')[1] ?? ''));
    tm.type('cho one-$((40+2))');
    tm.keys('Enter');
    let s = await tm.until('the command in the shell', /^one-42$/m);
    assert.equal(count(s, 'hutch: shell in idle'), 1, `one banner:\n${s}`);
    tm.type('exit');
    tm.keys('Enter');
    s = await backFromShell(tm, 'the dashboard after ee');
    assert.doesNotMatch(s, /hutch: shell in/, 'no second shell after the first');
    assert.equal(s.split('\n').filter((l) => /^\? help/.test(l)).length, 1, `one footer:\n${s}`);

    // "ea": the a is not the dashboard's (show exited stays as it was): it is typed
    // into the shell.
    tm.type('ea');
    await tm.until('the shell after ea', (s) => s.includes('hutch: shell in idle') && /[#$] a *$/m.test(s.split('hutch: shell in idle').at(-1) ?? ''));
    tm.keys('BSpace');
    tm.type('exit');
    tm.keys('Enter');
    s = await backFromShell(tm, 'the dashboard after ea');
    assert.doesNotMatch(s, /showing exited containers|hiding exited containers/);

    // e, a command and Enter in one write: a shell opens and runs the command (the
    // dashboard acts on none of the rest).
    tm.type('eecho two-$((1+1))\r');
    await tm.until('the command typed with e ran in the shell', (s) => s.includes('hutch: shell in idle') && /^two-2$/m.test(s));
    tm.type('exit');
    tm.keys('Enter');
    s = await backFromShell(tm, 'the dashboard after e+command');
    assert.match(s, /› +idle/);

    // j and Enter in one write: the detail view opens.
    tm.keys('Escape');
    await tm.until('the filter cleared', (s2) => !s2.includes('filter "'));
    tm.type('g\r');
    await tm.until('the detail view', /^Esc back/m);
    tm.keys('Escape');
    await tm.until('the table again', (s2) => dashboardDrawn(s2) && /^\? help/m.test(s2));
  });
});

test('typeahead while the shell starts is not echoed by the dashboard\'s terminal', { skip, timeout: 120_000 }, async () => {
  await withDashboard(async (tm) => {
    for (let i = 1; i <= 3; i++) {
      // Two writes: the hand-off key, then the command at once, while the shell is starting.
      tm.type('e');
      tm.type(`echo hand-${i}`);
      tm.keys('Enter');
      const ran = new RegExp(`^hand-${i}$`, 'm');
      let s = await tm.until(`hand-${i} in the shell`, ran, 8000).catch(() => '');
      if (!s) {
        // Both writes came in one read (a loaded machine): the dashboard cannot
        // pass what it read after the e to the shell yet, so type it again.
        await tm.until(`the shell ${i}`, /[#$] *$/m);
        tm.type(`echo hand-${i}`);
        tm.keys('Enter');
        s = await tm.until(`hand-${i} in the shell`, ran);
      }
      // The shell's own pty echoes what arrives before bash's line editor is up
      // (any terminal does: "echo hand-1root@…# echo hand-1"); the dashboard's
      // terminal must not echo it a second time before that ("ececroot@…").
      const shown = s.slice(s.lastIndexOf('hutch: shell in idle'));
      const beforePrompt = shown.split('\n').slice(1).join('\n').split(/root@/)[0];
      assert.ok(count(beforePrompt, 'ec') <= 1, `echoed twice before the prompt:\n${s}`);
      assert.ok(count(shown, `echo hand-${i}`) <= 2, `typed once:\n${s}`);
      tm.type('exit');
      tm.keys('Enter');
      await backFromShell(tm, `the dashboard after hand-${i}`);
    }
  });
});

test('Ctrl-L draws the whole frame again; Ctrl-Z suspends and fg brings back a full frame', { skip, timeout: 120_000 }, async () => {
  await withDashboard(async (tm) => {
    // Something else wrote over the screen.
    fs.writeFileSync(tm.tty(), '\x1b[6;20HSCRIBBLE-SCRIBBLE');
    await tm.until('the scribble', 'SCRIBBLE-SCRIBBLE');
    // A fixed wait, not a poll: what is checked is that nothing clears it meanwhile.
    await new Promise((r) => setTimeout(r, 1500));
    assert.match(tm.screen(), /SCRIBBLE-SCRIBBLE/, 'a frame on its own does not clear it');
    tm.keys('C-l');
    await tm.until('a clean frame', (s) => dashboardDrawn(s) && !s.includes('SCRIBBLE'));

    tm.keys('C-z');
    const s = await tm.until('the shell with hutch stopped', (x) => /Stopped/.test(x) && /sh\$ *$/m.test(x));
    assert.ok(!dashboardDrawn(s), `the main screen:\n${s}`);
    tm.type('fg');
    tm.keys('Enter');
    // A full frame: header, the table with its row, status line and footer.
    await tm.until('the dashboard after fg', (x) => dashboardDrawn(x) && /› +idle/.test(x) && /filter "idle"/.test(x));
    // Keys work after coming back.
    tm.keys('a');
    await tm.until('a key after fg', /showing exited containers|hiding exited containers/);
    assert.ok(dashboardDrawn(tm.screen()));
  });
});

test('Ctrl-Z without job control (hutch run by a plain sh -c): nothing can stop it, the dashboard comes back', { skip, timeout: 60_000 }, async () => {
  await withSandbox(async (tm, sb) => {
    startPane(tm, sb, HUTCH_THEN_STATUS);
    await tm.until('the dashboard', (s) => dashboardDrawn(s) || s.includes('No containers yet.'));
    tm.keys('C-z');
    // Time for a stop to take effect, so that the dashboard seen next is the one after it.
    await new Promise((r) => setTimeout(r, 500));
    await tm.until('the dashboard back', (s) => s.includes('No containers yet.') && /^\? help/m.test(s), 5000);
    tm.keys('q');
    const end = await tm.until('hutch to exit', 'hutch exited: ');
    assert.match(end, /hutch exited: 0/);
  });
});

test('Ctrl+F1…F4 (which Ink 6.8 reads as Ctrl with no name) leave the dashboard running; it exits 0 at q', { skip, timeout: 120_000 }, async () => {
  await withDashboard(async (tm) => {
    for (const k of ['C-F1', 'C-F4', 'C-S-F2']) tm.keys(k);
    await tm.until('the key named as ignored', (s) => dashboardDrawn(s) && s.includes('a key the terminal library cannot read was ignored'));
  });
});
