// What the remote-host integration tests share: a second state root with its own
// engine (the "remote" machine's hutch; with the sandbox and the ssh stand-in as
// web-1's, set up around a file's tests), the composite engine and stats source of a
// dashboard over some hosts, and a wait for a condition.
import { before, after } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers.js';
import { makeSshStandin } from '../support/ssh-standin.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { createSampler } from '../../src/engine/stats/sampler.js';
import { Remotes } from '../../src/engine/remote/remotes.js';
import { MultiHostStats } from '../../src/engine/remote/multi-stats.js';
import { multiHostEngine } from '../../src/engine/remote/multi-engine.js';
import { createSshConfig, type SshConfig } from '../../src/engine/remote/ssh.js';
import type { EngineApi } from '../../src/engine/types.js';
import { Controller } from '../../src/ui/controller.js';
import { defaultConfig } from '../../src/ui/config.js';
import { loadTheme } from '../../src/ui/theme.js';

export interface SecondRoot {
  root: string;
  engine: Engine;
  /** Its containers removed, its leftovers collected, the root deleted. */
  cleanup(): Promise<void>;
}

export async function secondRoot(prefix: string): Promise<SecondRoot> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const engine = await openEngine({ root });
  return {
    root,
    engine,
    async cleanup() {
      for (const c of (await engine.list({ all: true }).catch(() => [])) ?? []) await engine.remove(c.id, { force: true }).catch(() => {});
      await engine.gc().catch(() => {});
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface Web1 {
  sb: Sandbox;
  web1: SecondRoot;
  standin: ReturnType<typeof makeSshStandin>;
}

/** This machine's sandbox, a second root as host web-1 and the ssh stand-in reaching it:
 * made before the file's tests, removed after them (whatever happened). */
export function web1Fixture(prefix: string): Web1 {
  const f = {} as Web1;
  before(async () => {
    f.sb = await sandbox();
    f.web1 = await secondRoot(prefix);
    f.standin = makeSshStandin({ 'web-1': f.web1.root });
  });
  after(async () => {
    await f.web1?.cleanup();
    f.standin?.remove();
    await f.sb?.cleanup();
  });
  return f;
}

/** The dashboard's composite over `local` and `hosts`, reached with the ssh on env's PATH. */
export function remoteDashboard(local: Engine, hosts: string[], env: NodeJS.ProcessEnv, intervalMs = 500): { ssh: SshConfig; remotes: Remotes; stats: MultiHostStats; engine: EngineApi } {
  const ssh = createSshConfig(env);
  const remotes = new Remotes(hosts, { ssh, intervalMs });
  return { ssh, remotes, stats: new MultiHostStats(createSampler(local), remotes), engine: multiHostEngine(local, remotes) };
}

/** The dashboard's controller over a composite (every container shown; no terminal to hand off). */
export function remoteController(d: { engine: EngineApi; stats: MultiHostStats; remotes: Remotes }): Controller {
  return new Controller({
    engine: d.engine,
    stats: d.stats,
    hosts: d.remotes,
    config: { ...defaultConfig(), showAll: true },
    theme: loadTheme('dark'),
    intervalMs: 500,
    handoff: () => Promise.reject(new Error('no terminal in this test')),
    quit: () => {},
  });
}

export async function until<T>(what: string, f: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
