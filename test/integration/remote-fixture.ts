// What the remote-host integration tests share: a second state root with its own
// engine (the "remote" machine's hutch), the composite engine and stats source of a
// dashboard over some hosts, and a wait for a condition.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { createSampler } from '../../src/engine/stats/sampler.js';
import { Remotes } from '../../src/engine/remote/remotes.js';
import { MultiHostStats } from '../../src/engine/remote/multi-stats.js';
import { multiHostEngine } from '../../src/engine/remote/multi-engine.js';
import { createSshConfig, type SshConfig } from '../../src/engine/remote/ssh.js';
import type { EngineApi } from '../../src/engine/types.js';

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

/** The dashboard's composite over `local` and `hosts`, reached with the ssh on env's PATH. */
export function remoteDashboard(local: Engine, hosts: string[], env: NodeJS.ProcessEnv, intervalMs = 500): { ssh: SshConfig; remotes: Remotes; stats: MultiHostStats; engine: EngineApi } {
  const ssh = createSshConfig(env);
  const remotes = new Remotes(hosts, { ssh, intervalMs });
  return { ssh, remotes, stats: new MultiHostStats(createSampler(local), remotes), engine: multiHostEngine(local, remotes) };
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
