// `network connect` / `disconnect`: a container joins or leaves a network. Its
// record and config.json change (the next start has the interface, or not); a
// running container gets or loses the interface at once through the monitor's
// net-attach / net-detach verbs (native/PROTOCOL.md). A running container's DNS
// server learns new names directories only at its next start.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { Ctx } from '../container/context.js';
import { lockContainer, mustLoad, resolveId } from '../container/context.js';
import { files, saveRecord, type ContainerRecord } from '../container/record.js';
import { parseErrorLine, setupError } from '../container/monitor.js';
import { reconcile } from '../container/reconcile.js';
import type { Endpoint } from '../types.js';
import { Conflict, InvalidArgument, NotFound } from '../errors.js';
import { interfaceSpec, makeEndpoint, networkAnnotations, networkMode, releaseEndpoint } from './endpoint.js';
import { dnsAnnotation, registerNames, unregisterNames, upstreams } from './names.js';
import { readHostResolv } from './etc-files.js';
import { ensureNetwork } from './setup.js';
import { netDeps } from './start.js';
import { findNetwork, mustFindNetwork } from './store.js';

/** Runs a monitor network verb; throws the setup error its sync line names. */
function monitorVerb(ctx: Ctx, args: string[], command: string): void {
  const r = spawnSync(ctx.native.monitorPath, [...args, '--sync-fd', '3'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });
  const sync = String(r.output?.[3] ?? '');
  if (r.status === 0 && sync.startsWith('ok')) return;
  const line = sync.split('\n').find((l) => l.startsWith('error ')) ?? `error ${command} EIO 5 ${(r.stderr ?? '').trim().split('\n')[0] || `exit ${r.status}`}`;
  throw setupError(parseErrorLine(line), command);
}

/** config.json's network annotations from the record's endpoints. */
function rewriteConfig(ctx: Ctx, rec: ContainerRecord): void {
  const file = files.config(rec.bundle);
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as { annotations: Record<string, string> };
  delete cfg.annotations['run.hutch.networks'];
  delete cfg.annotations['run.hutch.ports'];
  delete cfg.annotations['run.hutch.dns'];
  const eps = rec.endpoints ?? [];
  const internal = (e: Endpoint) => !!findNetwork(ctx.paths, e.networkId)?.internal;
  const resolv = readHostResolv();
  Object.assign(
    cfg.annotations,
    networkAnnotations(eps, rec.ports ?? [], internal),
    dnsAnnotation(ctx.paths, eps, (id) => findNetwork(ctx.paths, id), upstreams(rec.spec, resolv.host, resolv.upstream)),
  );
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2) + '\n');
}

export async function connectNetwork(ctx: Ctx, netRef: string, ref: string, opts: { ip?: string; aliases?: string[] } = {}): Promise<void> {
  const net = mustFindNetwork(ctx.paths, netRef);
  const id = resolveId(ctx, ref);
  await lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    const mode = networkMode(rec.spec);
    if (mode.kind !== 'network') throw new InvalidArgument(`container ${rec.name} cannot be connected to networks: its network mode is ${rec.spec.network}`);
    const eps = rec.endpoints ?? [];
    if (eps.some((e) => e.networkId === net.id)) throw new Conflict(`endpoint with name ${rec.name} already exists in network ${net.name}`);
    if (net.dns === false && opts.aliases?.length) throw new InvalidArgument('network-scoped aliases are only supported for user-defined networks');
    // The first index no endpoint uses: eth1, eth2… (a disconnected one's slot is reused).
    let index = 0;
    while (eps.some((e) => e.ifname === `eth${index}`)) index++;
    const e = makeEndpoint(ctx.paths, net, id, { ip: opts.ip, aliases: opts.aliases, name: rec.name, index });
    try {
      if (net.dns) registerNames(ctx.paths, e);
      if (rec.status === 'running') {
        ensureNetwork(netDeps(ctx), net);
        monitorVerb(ctx, ['net-attach', '--pid', String(rec.pid), '--network', interfaceSpec(e, eps.length === 0 && !net.internal)], 'net-attach');
      }
      const next = { ...rec, endpoints: [...eps, e] };
      rewriteConfig(ctx, next);
      saveRecord(next);
    } catch (err) {
      unregisterNames(ctx.paths, e);
      releaseEndpoint(ctx.paths, e, id);
      throw err;
    }
  });
}

export async function disconnectNetwork(ctx: Ctx, netRef: string, ref: string): Promise<void> {
  const net = mustFindNetwork(ctx.paths, netRef);
  const id = resolveId(ctx, ref);
  await lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    const e = (rec.endpoints ?? []).find((x) => x.networkId === net.id);
    if (!e) throw new NotFound(`container ${rec.name} is not connected to network ${net.name}`);
    if (rec.status === 'running') monitorVerb(ctx, ['net-detach', '--pid', String(rec.pid), '--veth', e.veth], 'net-detach');
    const next = { ...rec, endpoints: (rec.endpoints ?? []).filter((x) => x !== e) };
    rewriteConfig(ctx, next);
    saveRecord(next);
    unregisterNames(ctx.paths, e);
    releaseEndpoint(ctx.paths, e, id);
  });
}

/**
 * Before a start: host ends of attached interfaces (eth1…) that the kernel has not
 * removed yet since the container stopped (it does so lazily; the monitor removes
 * only those it made), so their names are free for the monitor.
 */
export function clearStaleVeths(ctx: Ctx, rec: ContainerRecord): void {
  for (const e of rec.endpoints ?? []) {
    if (e.ifname === 'eth0' || !ctx.native.linkExists(e.veth)) continue;
    try {
      ctx.native.deleteLink(e.veth);
    } catch {
      /* gone meanwhile */
    }
  }
}
