// The one tmux harness of the dashboard's end-to-end tests: a real terminal (tmux)
// with one pane, driven by keys and read back as text. Each Tmux is its own server
// (-L hutch-test-<random>), so tests never share a server nor touch the user's tmux,
// and it is removed even when a test fails (withTmux's finally, and at process exit).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { HUTCH, REPO, sandbox, type Sandbox } from '../integration/helpers.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * Why the tests of `what` cannot run here (a skip reason), or false. `needs` adds
 * prerequisites of their own ({ 'needs bash': hasBash }). In CI, where .ci/run installs
 * them all, a missing one throws instead: a skipped e2e test must never turn CI green.
 */
export function missing(what: string, needs: Record<string, boolean> = {}): string | false {
  const why =
    process.platform !== 'linux'
      ? 'Linux only'
      : process.getuid?.() !== 0
        ? 'needs root'
        : !hasTmux
          ? 'needs tmux'
          : (Object.entries(needs).find(([, ok]) => !ok)?.[0] ?? (!fs.existsSync(`${REPO}/dist/hutch.cjs`) ? 'needs a build (npm run build)' : false));
  if (process.env.CI && why) throw new Error(`${what} cannot run in CI: ${why}`);
  return why;
}

/** `node bin/hutch.cjs`, quoted for the pane's shell. */
export const HUTCH_COMMAND = `${JSON.stringify(process.execPath)} ${JSON.stringify(HUTCH)}`;

/** hutch, then its exit status printed, and the pane kept open so that the status can be read. */
export const HUTCH_THEN_STATUS = `${HUTCH_COMMAND}; echo "hutch exited: $?"; sleep 3600`;

/** What a dashboard on this sandbox needs: its state root, cgroup parent and a config dir of its own. */
export function sandboxEnv(sb: Sandbox): Record<string, string> {
  return { HUTCH_ROOT: sb.root, HUTCH_CGROUP_PARENT: sb.cgroupParent, XDG_CONFIG_HOME: `${sb.root}/config` };
}

/** Polls `probe` until it gives a value (not undefined); past `ms`, throws naming `what` and `detail()`. */
export async function poll<T>(what: string, probe: () => T | undefined, ms: number, detail = () => ''): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a screen is waited for: text it contains, a pattern it matches, or any test of it. */
export type ScreenTest = string | RegExp | ((screen: string) => boolean);

const live = new Set<Tmux>();
// A test cut short by its timeout may never reach its finally: no server outlives the run.
process.on('exit', () => live.forEach((tm) => tm.close()));

export interface PaneOptions {
  /** A shell command line (tmux hands it to its default shell). */
  command: string;
  /**
   * Added to the test process's environment, which the pane inherits through the
   * server and the pane's shell (tmux's default-shell -c): a bash there drops PS1, as
   * any non-interactive bash does, so a prompt goes in `command` itself.
   */
  env?: Record<string, string>;
  width?: number;
  height?: number;
}

export class Tmux {
  readonly socket = `hutch-test-${randomBytes(4).toString('hex')}`;
  private readonly pane = 'dash';

  /** A tmux command on this server (-f /dev/null: no user config changes keys or sizes). */
  run(...args: string[]): string {
    return this.tmux(args, process.env);
  }

  private tmux(args: string[], env: NodeJS.ProcessEnv): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
  }

  /** Starts the server with the one pane running `command`. */
  start({ command, env = {}, width = 120, height = 40 }: PaneOptions): void {
    // The server starting now copies this environment into every pane. CI must go:
    // Ink treats a set CI as a non-interactive terminal and draws nothing live.
    const paneEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete paneEnv.CI;
    delete paneEnv.CONTINUOUS_INTEGRATION;
    live.add(this);
    this.tmux(['new-session', '-d', '-s', this.pane, '-x', String(width), '-y', String(height), command], paneEnv);
  }

  screen(): string {
    return this.run('capture-pane', '-p', '-t', this.pane);
  }

  /** Keys by tmux name (Enter, Escape, C-z) or as single characters. */
  keys(...keys: string[]): void {
    this.run('send-keys', '-t', this.pane, ...keys);
  }

  /** Literal text, in one write to the terminal (-- so that text starting with - is not an option). */
  type(text: string): void {
    this.run('send-keys', '-t', this.pane, '-l', '--', text);
  }

  /** The pane's terminal device, to write to its screen behind the program's back. */
  tty(): string {
    return this.run('display-message', '-p', '-t', this.pane, '#{pane_tty}').trim();
  }

  resize(width: number, height: number): void {
    this.run('resize-window', '-t', this.pane, '-x', String(width), '-y', String(height));
  }

  /** Closes the pane's terminal: what runs in it gets the hangup, as from a dropped connection. */
  killPane(): void {
    this.run('kill-pane', '-t', this.pane);
  }

  /** The screen once `test` holds of it, looked at every 50 ms; past `ms`, throws with the screen. */
  async until(what: string, test: ScreenTest, ms = 20_000): Promise<string> {
    const holds = typeof test === 'function' ? test : typeof test === 'string' ? (s: string) => s.includes(test) : (s: string) => test.test(s);
    let s = '';
    return poll(what, () => (holds((s = this.screen())) ? s : undefined), ms, () => `screen:\n${s}`);
  }

  /** Ends the server and whatever still runs in it; safe to call twice. */
  close(): void {
    live.delete(this);
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
    // tmux does not always remove its socket when killed.
    const dir = path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`);
    fs.rmSync(path.join(dir, this.socket), { force: true });
  }
}

/** Runs `body` with a fresh Tmux, and removes its server however `body` ends. */
export async function withTmux<T>(body: (tm: Tmux) => Promise<T>): Promise<T> {
  const tm = new Tmux();
  try {
    return await body(tm);
  } finally {
    tm.close();
  }
}

/** withTmux with a sandbox (state root, cgroup parent) of its own: the server goes first, then the sandbox with its containers. */
export async function withSandbox<T>(body: (tm: Tmux, sb: Sandbox) => Promise<T>): Promise<T> {
  const sb = await sandbox();
  try {
    return await withTmux((tm) => body(tm, sb));
  } finally {
    await sb.cleanup();
  }
}

/** A whole dashboard frame: the header at the top, the key footer, the table header. */
export function dashboardDrawn(s: string): boolean {
  const lines = s.split('\n');
  return /^hutch · /.test(lines[0]) && lines.some((l) => /^\? help|^Esc back/.test(l)) && /NAME +(IMAGE +)?STATE/.test(s);
}

/** Narrows the table to one container with `/`, so that it is the selected row. */
export async function filter(tm: Tmux, name: string): Promise<void> {
  tm.keys('/');
  await tm.until('the filter prompt', 'filter: /');
  tm.type(name);
  await tm.until(`"${name}" typed`, `filter: /${name}`);
  tm.keys('Enter');
  await tm.until(`the filter "${name}"`, (s) => s.includes(`filter "${name}"`) && new RegExp(`› +${name}`).test(s));
}
