// The dashboard told to go: its terminal hangs up (the tmux pane killed, an ssh
// connection dropped): hutch exits 129, cleanly, instead of dying of SIGABRT in Node's
// own terminal reset at exit (issue 11 §7); SIGTERM during a shell hand-off ends the
// shell and its monitor too (§6). Containers are untouched. hutch's pid and exit
// status are recorded by a small wrapper in the pane that ignores the hangup itself.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HUTCH, type Sandbox } from '../integration/helpers.js';
import { Tmux, hasTmux, poll, sandboxEnv, withSandbox } from './tmux.js';

if (!hasTmux) throw new Error('the dashboard e2e tests need tmux (apt-get install tmux)');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-hup-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Pane {
  sb: Sandbox;
  tm: Tmux;
  status: () => string | null;
  stderr: () => string;
  pid: () => number;
}

async function exited(p: Pane, ms = 15_000): Promise<string> {
  return poll('hutch to end', () => p.status() ?? undefined, ms, () => `stderr:\n${p.stderr()}`);
}

let n = 0;
/** The dashboard at 120×40 under the wrapper, for `body`; everything removed after. */
async function withDashboard(body: (p: Pane) => Promise<void>): Promise<void> {
  await withSandbox(async (tm, sb) => {
    const base = path.join(dir, String(n++));
    const [status, stderr, pidFile, wrapper] = ['status', 'stderr', 'pid', 'wrap.cjs'].map((f) => `${base}.${f}`);
    fs.writeFileSync(
      wrapper,
      `const fs = require('fs');
process.on('SIGHUP', () => {});
const c = require('child_process').spawn(process.execPath, [${JSON.stringify(HUTCH)}], { stdio: ['inherit', 'inherit', fs.openSync(${JSON.stringify(stderr)}, 'w')] });
fs.writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
c.on('exit', (code, sig) => fs.writeFileSync(${JSON.stringify(status)}, code + ' ' + sig));
`,
    );
    tm.start({ command: `${JSON.stringify(process.execPath)} ${JSON.stringify(wrapper)}; sleep 3600`, env: sandboxEnv(sb) });
    const p: Pane = {
      sb,
      tm,
      status: () => (fs.existsSync(status) ? fs.readFileSync(status, 'utf8') : null),
      stderr: () => (fs.existsSync(stderr) ? fs.readFileSync(stderr, 'utf8') : ''),
      pid: () => Number(fs.readFileSync(pidFile, 'utf8')),
    };
    try {
      await body(p);
    } finally {
      // The wrapper outlives the pane and writes hutch's status once the hangup has
      // ended it: wait for that, or it may write into the directory being removed.
      tm.close();
      if (fs.existsSync(pidFile)) await exited(p).catch(() => {});
    }
  });
}

/** Processes whose command line names this sandbox's root or container (monitors, shells). */
function processesOf(id: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const cg = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (cmd.includes(id) || cg.includes(id)) out.push(`${pid} ${cmd.trim()}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

test('a hangup ends the dashboard with status 129, no abort, and its containers keep running', async () => {
  await withDashboard(async (p) => {
    const run = p.sb.cli(['run', '-d', '--name', 'survivor', 'host', 'sleep', '1000']);
    assert.equal(run.status, 0, run.stderr);
    await p.tm.until('the table', (s) => /survivor/.test(s));
    p.tm.killPane();
    assert.equal(await exited(p), '129 null', `stderr:\n${p.stderr()}`);
    assert.doesNotMatch(p.stderr(), /Assertion failed|ResetStdio/);
    assert.equal((await p.sb.engine.inspect('survivor')).status, 'running');
  });
});

test('SIGTERM to hutch during a shell hand-off ends the shell and its monitor, then hutch (143)', async () => {
  await withDashboard(async (p) => {
    const run = p.sb.cli(['run', '-d', '--name', 'box', 'host', 'sleep', '1000']);
    assert.equal(run.status, 0, run.stderr);
    const id = run.stdout.trim();
    // Running, not just listed (see the typeahead test below).
    await p.tm.until('the table', (s) => /^\S*\s*box\s.*\brunning\b/m.test(s));
    p.tm.keys('e');
    await p.tm.until('the shell', (s) => /type exit to return/.test(s));
    p.tm.type('echo in-$((40+2))');
    p.tm.keys('Enter');
    await p.tm.until('the shell runs commands', (s) => /in-42/.test(s));
    const before = processesOf(id);
    assert.ok(before.some((l) => / exec /.test(l)), `the exec monitor runs:\n${before.join('\n')}`);
    process.kill(p.pid(), 'SIGTERM');
    assert.equal(await exited(p), '143 null', `stderr:\n${p.stderr()}`);
    // What may stay: the container's own init (sleep 1000), nothing of the hand-off.
    const handoff = () => processesOf(id).filter((l) => !/sleep 1000/.test(l) && !/hutch-monitor run /.test(l));
    // Up to 10 s for them to go; then the assertion names what is left.
    await poll('the hand-off to end', () => (handoff().length === 0 || undefined), 10_000).catch(() => {});
    assert.deepEqual(handoff(), [], 'the shell and its monitor are gone');
    assert.equal((await p.sb.engine.inspect('box')).status, 'running');
  });
});

// Not leaving, but the hand-off's other end: keys typed in the same write as `e` are
// the shell's first input (issue 11 §1), delivered through the exec's --input-fd.
test('keys typed with e in one write reach the shell as its first input', async () => {
  await withDashboard(async (p) => {
    const run = p.sb.cli(['run', '-d', '--name', 'typed', 'host', 'sleep', '1000']);
    assert.equal(run.status, 0, run.stderr);
    // Running, not just listed: a refresh between `run -d`'s create and its start shows
    // the row as created, and `e` on it explains instead of opening a shell (then the
    // rest of the write is dashboard keys).
    await p.tm.until('the table', (s) => /^\S*\s*typed\s.*\brunning\b/m.test(s));
    p.tm.type('eecho ta-$((6*7))\r');
    await p.tm.until('the typed command ran in the shell', (s) => /^ta-42$/m.test(s));
    p.tm.type('exit\r');
    await p.tm.until('back in the dashboard', (s) => /shell in typed exited/.test(s));
  });
});
