// The dashboard end to end: `node bin/hutch.cjs` in a real terminal (tmux) against
// the real engine. Each run gets its own tmux server (-L hutch-test-<random>), state
// root and cgroup parent, and removes all of them with every container it made.
// Needs root, tmux and a built dist/ (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { HUTCH, REPO, sandbox, type Sandbox } from '../integration/helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
// In CI every prerequisite is installed by .ci/run: a missing one fails there
// instead of skipping (a skipped e2e test must never turn a CI run green).
const missing =
  process.platform !== 'linux'
    ? 'Linux only'
    : process.getuid?.() !== 0
      ? 'needs root'
      : !hasTmux
        ? 'needs tmux'
        : !fs.existsSync(`${REPO}/dist/hutch.cjs`)
          ? 'needs a build (npm run build)'
          : false;
const skip = process.env.CI && missing ? false : missing;
if (process.env.CI && missing) throw new Error(`dashboard e2e cannot run in CI: ${missing}`);

class Tmux {
  readonly socket = `hutch-test-${randomBytes(4).toString('hex')}`;

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(width: number, height: number, sb: Sandbox): void {
    // The tmux server copies our environment: CI must go (Ink draws nothing live with CI set).
    const cmd = [
      'env -u CI -u CONTINUOUS_INTEGRATION',
      `HUTCH_ROOT=${sb.root}`,
      `HUTCH_CGROUP_PARENT=${sb.cgroupParent}`,
      `XDG_CONFIG_HOME=${sb.root}/config`,
      `${JSON.stringify(process.execPath)} ${JSON.stringify(HUTCH)}`,
      '; echo "hutch exited: $?"; sleep 3600',
    ].join(' ');
    this.run('new-session', '-d', '-s', 'dash', '-x', String(width), '-y', String(height), cmd);
  }

  screen(): string {
    return this.run('capture-pane', '-p', '-t', 'dash');
  }

  /** Keys by tmux name (Enter, Escape) or literal text with `literal`. */
  keys(...keys: string[]): void {
    this.run('send-keys', '-t', 'dash', ...keys);
  }

  type(text: string): void {
    this.run('send-keys', '-t', 'dash', '-l', text);
  }

  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // already gone
    }
    // tmux does not always remove its socket when killed.
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
    await new Promise((r) => setTimeout(r, 100));
  }
}

const has = (re: RegExp | string) => (s: string) => (typeof re === 'string' ? s.includes(re) : re.test(s));

/** The dashboard is drawn: header at the top, key footer at the bottom, rows in between. */
function dashboardDrawn(s: string, rows: number): boolean {
  const lines = s.split('\n');
  return /^hutch · /.test(lines[0]) && lines.slice(0, rows).some((l) => /^\? help|^Esc back/.test(l)) && /NAME +(IMAGE +)?STATE/.test(s);
}

/** Narrows the table to one container (so it is the selected row) with `/`. */
async function filter(tm: Tmux, name: string): Promise<void> {
  tm.keys('/');
  await until(tm, 'the filter prompt', has('filter: /'));
  tm.type(name);
  await until(tm, `"${name}" typed`, has(`filter: /${name}`));
  tm.keys('Enter');
  await until(tm, `the filter "${name}"`, has(`filter "${name}"`));
}

function cpuOf(s: string, name: string): number {
  const m = new RegExp(`${name} .*?running \\d+\\w +(\\d+(?:\\.\\d)?)`).exec(s);
  return m ? Number(m[1]) : -1;
}

async function scenario(width: number, height: number, handoffs: number): Promise<void> {
  const sb = await sandbox();
  const tm = new Tmux();
  try {
    tm.start(width, height, sb);
    await until(tm, 'the empty state', has('No containers yet.'));
    tm.keys('D');
    await until(tm, 'the demo set', has(/demo: started demo-cpu, demo-mem, demo-idle/));

    // The busy loop shows above 50 % of a core.
    await until(tm, 'demo-cpu above 50 %', (s) => cpuOf(s, 'demo-cpu') > 50, 20_000);

    // Stop it with the key: narrow the list to it first, so it is the selected row.
    await filter(tm, 'demo-cpu');
    tm.keys('a'); // show exited containers too, to see the state change
    tm.keys('x');
    // x asks first, as d does (one key to confirm).
    await until(tm, 'the stop question', has(/[Ss]top .*y\/N/));
    tm.keys('y');
    await until(tm, 'demo-cpu stopped', has(/demo-cpu .*exited/), 30_000);
    tm.keys('Escape'); // clears the filter
    await until(tm, 'all rows back', (s) => /demo-idle .*running/.test(s) && !s.includes('filter "'));

    // Shell hand-offs into demo-idle.
    const idle = (await sb.engine.list({ all: true })).find((c) => c.name === 'demo-idle');
    assert.ok(idle, 'demo-idle exists');
    const short = idle.id.slice(0, 12);
    await filter(tm, 'demo-idle');
    await until(tm, 'demo-idle selected', has(/› +demo-idle/));
    let showingAll = true;
    for (let i = 0; i < handoffs; i++) {
      tm.keys('e');
      await until(tm, `shell ${i + 1} banner`, has('hutch: shell in demo-idle'));
      tm.type('hostname');
      tm.keys('Enter');
      await until(tm, `hostname ${i + 1}`, has(new RegExp(`^${short}$`, 'm')));
      tm.type('exit');
      tm.keys('Enter');
      const back = await until(tm, `dashboard back ${i + 1}`, (s) => dashboardDrawn(s, height) && s.includes('shell in demo-idle exited'));
      assert.match(back, /› +demo-idle/, 'same view, same selection');
      // The first key after coming back is acted on.
      tm.keys('a');
      showingAll = !showingAll;
      await until(tm, `first key after hand-off ${i + 1}`, has(showingAll ? 'showing exited containers' : 'hiding exited containers'), 5000);
      assert.ok(dashboardDrawn(tm.screen(), height), `no blank screen after hand-off ${i + 1}`);
    }

    tm.keys('q');
    const end = await until(tm, 'hutch to exit', has('hutch exited: '));
    assert.match(end, /hutch exited: 0/);
    // The main screen is back: the alternate screen's rows are gone.
    assert.doesNotMatch(end, /\? help/);
  } finally {
    tm.kill();
    await sb.cleanup();
  }
}

test('dashboard at 120×40: live CPU, stop with a key, 20 shell hand-offs', { skip, timeout: 240_000 }, async () => {
  await scenario(120, 40, 20);
});

test('dashboard at 80×24: the same with 5 hand-offs', { skip, timeout: 180_000 }, async () => {
  await scenario(80, 24, 5);
});
