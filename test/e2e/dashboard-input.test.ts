// Keys as a terminal delivers them, end to end: `node bin/hutch.cjs` in tmux
// (its own server, state root and cgroup parent) against the real engine, run
// from an interactive bash so that Ctrl-Z has job control to stop it. Keys sent
// in one write around a shell hand-off, typeahead while the shell starts,
// Ctrl-L and Ctrl-Z/fg. Needs root, tmux and a built dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { HUTCH, REPO, sandbox, type Sandbox } from '../integration/helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;
const missing =
  process.platform !== 'linux'
    ? 'Linux only'
    : process.getuid?.() !== 0
      ? 'needs root'
      : !hasTmux || !hasBash
        ? 'needs tmux and bash'
        : !fs.existsSync(`${REPO}/dist/hutch.cjs`)
          ? 'needs a build (npm run build)'
          : false;
const skip = process.env.CI && missing ? false : missing;
if (process.env.CI && missing) throw new Error(`dashboard input e2e cannot run in CI: ${missing}`);

const WIDTH = 100;
const HEIGHT = 30;

class Tmux {
  readonly socket = `hutch-test-${randomBytes(4).toString('hex')}`;

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** An interactive bash (job control) in the sandbox's environment, without CI (Ink draws nothing live with it). */
  start(sb: Sandbox, command = 'bash --norc --noprofile -i'): void {
    const cmd = [
      'env -u CI -u CONTINUOUS_INTEGRATION',
      `HUTCH_ROOT=${sb.root}`,
      `HUTCH_CGROUP_PARENT=${sb.cgroupParent}`,
      `XDG_CONFIG_HOME=${sb.root}/config`,
      "PS1='sh$ '",
      command,
    ].join(' ');
    this.run('new-session', '-d', '-s', 'dash', '-x', String(WIDTH), '-y', String(HEIGHT), cmd);
  }

  screen(): string {
    return this.run('capture-pane', '-p', '-t', 'dash');
  }

  keys(...keys: string[]): void {
    this.run('send-keys', '-t', 'dash', ...keys);
  }

  /** Literal text, in one write to the terminal. */
  type(text: string): void {
    this.run('send-keys', '-t', 'dash', '-l', text);
  }

  /** Writes to the terminal's screen behind the dashboard's back. */
  scribble(text: string): void {
    const tty = this.run('display-message', '-p', '-t', 'dash', '#{pane_tty}').trim();
    fs.writeFileSync(tty, text);
  }

  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // already gone
    }
    const dir = path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`);
    fs.rmSync(path.join(dir, this.socket), { force: true });
  }
}

async function until(tm: Tmux, what: string, cond: (screen: string) => boolean, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = tm.screen();
    if (cond(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const has = (re: RegExp | string) => (s: string) => (typeof re === 'string' ? s.includes(re) : re.test(s));
const count = (s: string, sub: string) => s.split(sub).length - 1;

/** Header at the top, the key footer, the table header: a whole frame. */
function dashboardDrawn(s: string): boolean {
  const lines = s.split('\n');
  return /^hutch · /.test(lines[0]) && lines.some((l) => /^\? help|^Esc back/.test(l)) && /NAME +(IMAGE +)?STATE/.test(s);
}

async function filter(tm: Tmux, name: string): Promise<void> {
  tm.keys('/');
  await until(tm, 'the filter prompt', has('filter: /'));
  tm.type(name);
  await until(tm, `"${name}" typed`, has(`filter: /${name}`));
  tm.keys('Enter');
  await until(tm, `the filter "${name}"`, (s) => s.includes(`filter "${name}"`) && new RegExp(`› +${name}`).test(s));
}

/** Back from a shell: the dashboard drawn whole, with the shell's exit reported. */
async function backFromShell(tm: Tmux, what: string): Promise<string> {
  return until(tm, what, (s) => dashboardDrawn(s) && s.includes('shell in idle exited'));
}

async function withDashboard(body: (tm: Tmux, sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = await sandbox();
  const tm = new Tmux();
  try {
    const c = await sb.engine.create({ image: 'host', name: 'idle', cmd: ['sleep', 'infinity'] });
    await sb.engine.start(c.id);
    tm.start(sb);
    await until(tm, 'the shell prompt', has(/^sh\$/m));
    // Alone on its line: after Ctrl-Z, bash would go on with the rest of a list.
    tm.type(`${JSON.stringify(process.execPath)} ${JSON.stringify(HUTCH)}`);
    tm.keys('Enter');
    await until(tm, 'the dashboard', (s) => dashboardDrawn(s) && /idle .*running/.test(s));
    await filter(tm, 'idle');
    await body(tm, sb);
    tm.keys('q');
    await until(tm, 'hutch to exit', (x) => !dashboardDrawn(x) && /^sh\$ *$/m.test(x.trimEnd().split('\n').pop() ?? ''));
    tm.type('echo "hutch exited: $?"');
    tm.keys('Enter');
    const end = await until(tm, 'its status', has(/^hutch exited: \d+$/m));
    assert.match(end, /^hutch exited: 0$/m);
  } finally {
    tm.kill();
    await sb.cleanup();
  }
}

test('keys in one write around a hand-off: ee opens one shell, ea types into it, e and a command at once open the shell', { skip, timeout: 120_000 }, async () => {
  await withDashboard(async (tm) => {
    // "ee": one shell, one banner; the second e is not a second hand-off: it is the
    // shell's first input (the hand-off passes on what was read with its key).
    tm.type('ee');
    await until(tm, 'the shell', (s) => s.includes('hutch: shell in idle') && /[#$] e *$/m.test(s.split('hutch: shell in idle')[1] ?? ''));
    tm.type('cho one-$((40+2))');
    tm.keys('Enter');
    let s = await until(tm, 'the command in the shell', has(/^one-42$/m));
    assert.equal(count(s, 'hutch: shell in idle'), 1, `one banner:\n${s}`);
    tm.type('exit');
    tm.keys('Enter');
    s = await backFromShell(tm, 'the dashboard after ee');
    assert.doesNotMatch(s, /hutch: shell in/, 'no second shell after the first');
    assert.equal(s.split('\n').filter((l) => /^\? help/.test(l)).length, 1, `one footer:\n${s}`);

    // "ea": the a is not the dashboard's (show exited stays as it was): it is typed
    // into the shell.
    tm.type('ea');
    await until(tm, 'the shell after ea', (s) => s.includes('hutch: shell in idle') && /[#$] a *$/m.test(s.split('hutch: shell in idle').at(-1) ?? ''));
    tm.keys('BSpace');
    tm.type('exit');
    tm.keys('Enter');
    s = await backFromShell(tm, 'the dashboard after ea');
    assert.doesNotMatch(s, /showing exited containers|hiding exited containers/);

    // e, a command and Enter in one write: a shell opens and runs the command (the
    // dashboard acts on none of the rest).
    tm.type('eecho two-$((1+1))\r');
    await until(tm, 'the command typed with e ran in the shell', (s) => s.includes('hutch: shell in idle') && /^two-2$/m.test(s));
    tm.type('exit');
    tm.keys('Enter');
    s = await backFromShell(tm, 'the dashboard after e+command');
    assert.match(s, /› +idle/);

    // j and Enter in one write: the detail view opens.
    tm.keys('Escape');
    await until(tm, 'the filter cleared', (s2) => !s2.includes('filter "'));
    tm.type('g\r');
    await until(tm, 'the detail view', has(/^Esc back/m));
    tm.keys('Escape');
    await until(tm, 'the table again', (s2) => dashboardDrawn(s2) && /^\? help/m.test(s2));
  });
});

test('typeahead while the shell starts is not echoed by the dashboard\'s terminal', { skip, timeout: 120_000 }, async () => {
  await withDashboard(async (tm) => {
    for (let i = 1; i <= 3; i++) {
      // Two writes: the hand-off key, then the command at once, while the shell is starting.
      tm.type('e');
      tm.type(`echo hand-${i}`);
      tm.keys('Enter');
      const ran = has(new RegExp(`^hand-${i}$`, 'm'));
      let s = await until(tm, `hand-${i} in the shell`, ran, 8000).catch(() => '');
      if (!s) {
        // Both writes came in one read (a loaded machine): the dashboard cannot
        // pass what it read after the e to the shell yet, so type it again.
        await until(tm, `the shell ${i}`, has(/[#$] *$/m));
        tm.type(`echo hand-${i}`);
        tm.keys('Enter');
        s = await until(tm, `hand-${i} in the shell`, ran);
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
    tm.scribble('\x1b[6;20HSCRIBBLE-SCRIBBLE');
    await until(tm, 'the scribble', has('SCRIBBLE-SCRIBBLE'));
    await new Promise((r) => setTimeout(r, 1500));
    assert.match(tm.screen(), /SCRIBBLE-SCRIBBLE/, 'a frame on its own does not clear it');
    tm.keys('C-l');
    await until(tm, 'a clean frame', (s) => dashboardDrawn(s) && !s.includes('SCRIBBLE'));

    tm.keys('C-z');
    const s = await until(tm, 'the shell with hutch stopped', (x) => /Stopped/.test(x) && /sh\$ *$/m.test(x));
    assert.ok(!dashboardDrawn(s), `the main screen:\n${s}`);
    tm.type('fg');
    tm.keys('Enter');
    // A full frame: header, the table with its row, status line and footer.
    await until(tm, 'the dashboard after fg', (x) => dashboardDrawn(x) && /› +idle/.test(x) && /filter "idle"/.test(x));
    // Keys work after coming back.
    tm.keys('a');
    await until(tm, 'a key after fg', has(/showing exited containers|hiding exited containers/));
    assert.ok(dashboardDrawn(tm.screen()));
  });
});

test('Ctrl-Z without job control (hutch run by a plain sh -c): nothing can stop it, the dashboard comes back', { skip, timeout: 60_000 }, async () => {
  const sb = await sandbox();
  const tm = new Tmux();
  try {
    tm.start(sb, `${JSON.stringify(process.execPath)} ${JSON.stringify(HUTCH)}; echo "hutch exited: $?"; sleep 3600`);
    await until(tm, 'the dashboard', (s) => dashboardDrawn(s) || s.includes('No containers yet.'));
    tm.keys('C-z');
    await new Promise((r) => setTimeout(r, 500));
    await until(tm, 'the dashboard back', (s) => s.includes('No containers yet.') && /^\? help/m.test(s), 5000);
    tm.keys('q');
    const end = await until(tm, 'hutch to exit', has('hutch exited: '));
    assert.match(end, /hutch exited: 0/);
  } finally {
    tm.kill();
    await sb.cleanup();
  }
});
