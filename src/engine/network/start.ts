// What a container's network needs as it starts: its bridge and hutch's firewall
// table present (made again after a reboot or a flushed ruleset), or, for
// `--network container:NAME`, the other container's namespace named in config.json.
import fs from 'node:fs';
import type { Ctx } from '../container/context.js';
import { listIds, resolveId } from '../container/context.js';
import { files, loadRecord, type ContainerRecord } from '../container/record.js';
import { containerDir } from '../paths.js';
import { Conflict, NotFound } from '../errors.js';
import { networkMode } from './endpoint.js';
import { ensureNetwork } from './setup.js';
import { findNetwork, listNetworks } from './store.js';
import type { PortElement } from './ruleset.js';
import { clearStaleVeths } from './connect.js';

/** Published ports of the containers that run now (to rebuild a lost table with). */
export function runningPorts(ctx: Ctx): PortElement[] {
  const out: PortElement[] = [];
  for (const id of listIds(ctx)) {
    let rec: ContainerRecord | null;
    try {
      rec = loadRecord(containerDir(ctx.paths, id));
    } catch {
      continue;
    }
    const primary = rec?.endpoints?.[0];
    if (rec?.status === 'running' && primary) for (const port of rec.ports ?? []) out.push({ port, containerIp: primary.ipAddress });
  }
  return out;
}

export function netDeps(ctx: Ctx) {
  return {
    native: ctx.native,
    networks: () => listNetworks(ctx.paths),
    activePorts: () => runningPorts(ctx),
  };
}

export function networkAtStart(ctx: Ctx, rec: ContainerRecord): void {
  const mode = networkMode(rec.spec);
  if (mode.kind === 'network') {
    for (const e of rec.endpoints ?? []) {
      const net = findNetwork(ctx.paths, e.network);
      if (!net || net.id !== e.networkId) throw new NotFound(`network ${e.network} not found`);
      ensureNetwork(netDeps(ctx), net);
    }
    clearStaleVeths(ctx, rec);
  } else if (mode.kind === 'container') {
    const targetId = resolveId(ctx, mode.name);
    const target = loadRecord(containerDir(ctx.paths, targetId));
    if (!target || target.status !== 'running' || !target.pid)
      throw new Conflict(`cannot join network namespace of a non running container: ${mode.name}`);
    const cfgFile = files.config(rec.bundle);
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as { linux: { namespaces: Array<{ type: string; path?: string }> } };
    cfg.linux.namespaces = cfg.linux.namespaces.map((n) => (n.type === 'network' ? { type: 'network', path: `/proc/${target.pid}/ns/net` } : n));
    fs.writeFileSync(cfgFile, JSON.stringify(cfg, null, 2) + '\n');
  }
}
