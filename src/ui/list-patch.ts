// Whether a new container list changes what the dashboard shows: an unchanged
// list (the usual sweep) keeps the old array so that nothing redraws, and marks
// on containers that went are dropped.
import type { ContainerInfo } from '../engine/types.js';
import { networkKey } from './network-text.js';

export function pruneSet(set: ReadonlySet<string>, containers: ContainerInfo[]): ReadonlySet<string> {
  if (set.size === 0) return set;
  const ids = new Set(containers.map((c) => c.id));
  let changed = false;
  for (const id of set) if (!ids.has(id)) changed = true;
  return changed ? new Set([...set].filter((id) => ids.has(id))) : set;
}

/** Same containers in the same states and on the same networks: what the table shows from the list did not change. */
export function sameList(a: readonly ContainerInfo[], b: readonly ContainerInfo[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.id !== y.id || x.status !== y.status || x.pid !== y.pid || x.exitCode !== y.exitCode || x.name !== y.name || x.startedAt !== y.startedAt || x.finishedAt !== y.finishedAt || x.oomKilled !== y.oomKilled || x.paused !== y.paused || x.restarting !== y.restarting || x.restartCount !== y.restartCount || x.health?.Status !== y.health?.Status || !x.healthcheck !== !y.healthcheck || networkKey(x) !== networkKey(y))
      return false;
  }
  return true;
}
