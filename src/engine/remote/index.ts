// Several hosts in one dashboard (`hutch --host NAME`, the config's "hosts"): the local
// engine and stats source wrapped so that the dashboard, which talks to one EngineApi
// and one StatsSource, sees the remote machines' containers too (README "Several hosts").
import type { EngineApi } from '../types.js';
import type { StatsSource } from '../stats/types.js';
import { MultiHostStats } from './multi-stats.js';
import { multiHostEngine } from './multi-engine.js';
import { Remotes, type HostsSource } from './remotes.js';
import type { Clock, SpawnFn } from './remote-host.js';
import { createSshConfig } from './ssh.js';

export type { HostStatus, HostsSource } from './remotes.js';
export { checkHostName } from './ssh.js';

export interface MultiHost {
  engine: EngineApi;
  stats: StatsSource;
  hosts: HostsSource;
}

export function withRemoteHosts(
  local: { engine: EngineApi; stats: StatsSource },
  names: readonly string[],
  opts: { env: Record<string, string | undefined>; intervalMs: number; spawn?: SpawnFn; clock?: Clock },
): MultiHost {
  const remotes = new Remotes(names, { ssh: createSshConfig(opts.env), intervalMs: opts.intervalMs, spawn: opts.spawn, clock: opts.clock });
  return { engine: multiHostEngine(local.engine, remotes), stats: new MultiHostStats(local.stats, remotes), hosts: remotes };
}
