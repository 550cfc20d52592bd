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
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { HUTCH, sandbox, type Sandbox } from '../integration/helpers.js';

if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('the dashboard e2e tests need tmux (apt-get install tmux)');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-hup-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Pane {
  sb: Sandbox;
  tmux: (...a: string[]) => string;
  screen: () => string;
  until: (what: string, cond: (s: string) => boolean, ms?: number) => Promise<void>;
  status: () => string | null;
  stderr: () => string;
  pid: () => number;
  close: () => Promise<void>;
}

let n = 0;
async function dashboard(): Promise<Pane> {
  const sb = await sandbox();
  const socket = `hutch-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
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
  const env = `env -u CI -u CONTINUOUS_INTEGRATION HUTCH_ROOT=${sb.root} HUTCH_CGROUP_PARENT=${sb.cgroupParent} XDG_CONFIG_HOME=${sb.root}/config`;
  tmux('new-session', '-d', '-s', 'dash', '-x', '120', '-y', '40', `${env} ${JSON.stringify(process.execPath)} ${JSON.stringify(wrapper)}; sleep 3600`);
  const screen = () => tmux('capture-pane', '-p', '-t', 'dash');
  return {
    sb,
    tmux,
    screen,
    async until(what, cond, ms = 20_000) {
      const end = Date.now() + ms;
      while (!cond(screen())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    status: () => (fs.existsSync(status) ? fs.readFileSync(status, 'utf8') : null),
    stderr: () => (fs.existsSync(stderr) ? fs.readFileSync(stderr, 'utf8') : ''),
    pid: () => Number(fs.readFileSync(pidFile, 'utf8')),
    async close() {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
      fs.rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
      await sb.cleanup();
    },
  };
}

async function exited(p: Pane, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  let s: string | null;
  while ((s = p.status()) === null) {
    assert.ok(Date.now() < end, `hutch ended; stderr:\n${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return s;
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
  const p = await dashboard();
  try {
    const run = p.sb.cli(['run', '-d', '--name', 'survivor', 'host', 'sleep', '1000']);
    assert.equal(run.status, 0, run.stderr);
    await p.until('the table', (s) => /survivor/.test(s));
    p.tmux('kill-server');
    assert.equal(await exited(p), '129 null', `stderr:\n${p.stderr()}`);
    assert.doesNotMatch(p.stderr(), /Assertion failed|ResetStdio/);
    assert.equal((await p.sb.engine.inspect('survivor')).status, 'running');
  } finally {
    await p.close();
  }
});

test('SIGTERM to hutch during a shell hand-off ends the shell and its monitor, then hutch (143)', async () => {
  const p = await dashboard();
  try {
    const run = p.sb.cli(['run', '-d', '--name', 'box', 'host', 'sleep', '1000']);
    assert.equal(run.status, 0, run.stderr);
    const id = run.stdout.trim();
    await p.until('the table', (s) => /box/.test(s));
    p.tmux('send-keys', '-t', 'dash', 'e');
    await p.until('the shell', (s) => /type exit to return/.test(s));
    p.tmux('send-keys', '-t', 'dash', '-l', 'echo in-$((40+2))');
    p.tmux('send-keys', '-t', 'dash', 'Enter');
    await p.until('the shell runs commands', (s) => /in-42/.test(s));
    const before = processesOf(id);
    assert.ok(before.some((l) => / exec /.test(l)), `the exec monitor runs:\n${before.join('\n')}`);
    process.kill(p.pid(), 'SIGTERM');
    assert.equal(await exited(p), '143 null', `stderr:\n${p.stderr()}`);
    const end = Date.now() + 10_000;
    let left: string[] = [];
    for (;;) {
      // What may stay: the container's own init (sleep 1000), nothing of the hand-off.
      left = processesOf(id).filter((l) => !/sleep 1000/.test(l) && !/hutch-monitor run /.test(l));
      if (left.length === 0 || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(left, [], 'the shell and its monitor are gone');
    assert.equal((await p.sb.engine.inspect('box')).status, 'running');
  } finally {
    await p.close();
  }
});

// Not leaving, but the hand-off's other end: keys typed in the same write as `e` are
// the shell's first input (issue 11 §1), delivered through the exec's --input-fd.
test('keys typed with e in one write reach the shell as its first input', async () => {
  const p = await dashboard();
  try {
    const run = p.sb.cli(['run', '-d', '--name', 'typed', 'host', 'sleep', '1000']);
    assert.equal(run.status, 0, run.stderr);
    await p.until('the table', (s) => /typed/.test(s));
    p.tmux('send-keys', '-t', 'dash', '-l', 'eecho ta-$((6*7))\r');
    await p.until('the typed command ran in the shell', (s) => /^ta-42$/m.test(s));
    p.tmux('send-keys', '-t', 'dash', '-l', 'exit\r');
    await p.until('back in the dashboard', (s) => /shell in typed exited/.test(s));
  } finally {
    await p.close();
  }
});
