// `network create / ls / inspect / rm / prune` over the state files, the bridge and
// the firewall table. A network in use (a container holds an address on it) is
// never removed.
import type { Ctx } from '../container/context.js';
import { listIds } from '../container/context.js';
import { loadRecord } from '../container/record.js';
import { containerDir } from '../paths.js';
import { Conflict, InvalidArgument } from '../errors.js';
import { leases } from './ipam.js';
import { netDeps } from './start.js';
import { ensureNetwork, teardownNetwork } from './setup.js';
import { DEFAULT_NETWORK, deleteNetworkRecord, listNetworks, lockNetworks, mustFindNetwork, writeNewNetwork, type CreateNetworkOptions, type NetworkRecord } from './store.js';

export interface NetworkInfo extends NetworkRecord {
  /** Containers with an address on it. */
  containers: { id: string; name: string; ipAddress: string; macAddress: string }[];
}

function info(ctx: Ctx, n: NetworkRecord): NetworkInfo {
  const containers: NetworkInfo['containers'] = [];
  for (const [ip, id] of leases(ctx.paths, n)) {
    let rec = null;
    try {
      rec = loadRecord(containerDir(ctx.paths, id));
    } catch {
      /* a broken record still holds its lease */
    }
    containers.push({ id, name: rec?.name ?? '', ipAddress: ip, macAddress: rec?.endpoints?.find((e) => e.networkId === n.id)?.macAddress ?? '' });
  }
  return { ...n, containers };
}

export async function createNetwork(ctx: Ctx, o: CreateNetworkOptions): Promise<NetworkInfo> {
  return lockNetworks(ctx.native, ctx.paths, () => {
    const rec = writeNewNetwork(ctx.paths, o);
    try {
      ensureNetwork(netDeps(ctx), rec);
    } catch (e) {
      // Nothing half-made: the record goes, and whatever of the bridge was made.
      try {
        teardownNetwork(netDeps(ctx), rec);
      } catch {
        /* best effort: gc removes what is left */
      }
      deleteNetworkRecord(ctx.paths, rec);
      throw e;
    }
    return info(ctx, rec);
  });
}

export function listNetworkInfos(ctx: Ctx): NetworkInfo[] {
  return listNetworks(ctx.paths).map((n) => info(ctx, n));
}

export function inspectNetwork(ctx: Ctx, ref: string): NetworkInfo {
  return info(ctx, mustFindNetwork(ctx.paths, ref));
}

/** Leases whose container is gone are not "in use" (gc would take them). */
function users(ctx: Ctx, n: NetworkRecord): string[] {
  const ids = new Set(listIds(ctx));
  return [...leases(ctx.paths, n).values()].filter((id) => ids.has(id));
}

export async function removeNetwork(ctx: Ctx, ref: string): Promise<void> {
  await lockNetworks(ctx.native, ctx.paths, () => {
    const n = mustFindNetwork(ctx.paths, ref);
    const using = users(ctx, n);
    if (using.length > 0) {
      const names = using.map((id) => loadName(ctx, id)).join(', ');
      throw new Conflict(`error while removing network: network ${n.name} id ${n.id} has active endpoints (${names})`);
    }
    teardownNetwork(netDeps(ctx), n);
    deleteNetworkRecord(ctx.paths, n);
  });
}

function loadName(ctx: Ctx, id: string): string {
  try {
    return loadRecord(containerDir(ctx.paths, id))?.name ?? id.slice(0, 12);
  } catch {
    return id.slice(0, 12);
  }
}

/** Removes every unused user network (never the default); returns their names. */
export async function pruneNetworks(ctx: Ctx): Promise<string[]> {
  const out: string[] = [];
  for (const n of listNetworks(ctx.paths)) {
    if (n.name === DEFAULT_NETWORK || users(ctx, n).length > 0) continue;
    try {
      await removeNetwork(ctx, n.id);
      out.push(n.name);
    } catch {
      /* taken meanwhile */
    }
  }
  return out;
}

export function checkCreateOptions(o: CreateNetworkOptions): void {
  if (o.name === DEFAULT_NETWORK) throw new Conflict(`network with name ${o.name} already exists`);
  for (const [k] of Object.entries(o.labels ?? {})) if (!k) throw new InvalidArgument('invalid label: an empty key');
}
