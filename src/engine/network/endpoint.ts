// A container's network at create: its mode checked, its address leased, its host
// ports chosen; at remove, the lease given back. Start (setup.ts) makes the bridge
// and the firewall real; the monitor does the rest (native/PROTOCOL.md).
import net from 'node:net';
import dgram from 'node:dgram';
import type { Paths } from '../paths.js';
import type { ContainerSpec, Endpoint } from '../types.js';
import { InvalidArgument, NotFound } from '../errors.js';
import { allocate, release } from './ipam.js';
import { checkDuplicates, portsAnnotation, type PortMapping } from './ports.js';
import { DEFAULT_NETWORK, findNetwork, lockNetworks, writeNewNetwork, type NetworkRecord } from './store.js';
import type { FlockApi } from '../state/lock.js';

export type ModeKind = 'none' | 'host' | 'container' | 'network';

export function networkMode(spec: Pick<ContainerSpec, 'network'>): { kind: ModeKind; name: string } {
  // docker's default: the `bridge` network.
  const m = spec.network ?? DEFAULT_NETWORK;
  if (m === 'none' || m === 'host') return { kind: m, name: m };
  if (m.startsWith('container:')) return { kind: 'container', name: m.slice('container:'.length) };
  return { kind: 'network', name: m === 'default' ? DEFAULT_NETWORK : m };
}

/** What a request may not combine (docker's messages); before anything is made. */
export function validateNetworkSpec(spec: ContainerSpec): void {
  const { kind, name } = networkMode(spec);
  if (kind === 'container' && !name) throw new InvalidArgument('invalid network mode container: (a container name is needed)');
  if (kind !== 'network') {
    if (spec.ip) throw new InvalidArgument(`--ip needs a user-defined or the default bridge network, not ${spec.network}`);
    if (spec.networkAliases?.length) throw new InvalidArgument('network-scoped aliases are only supported for user-defined networks');
  }
  if (kind === 'network' && name === DEFAULT_NETWORK && spec.networkAliases?.length)
    throw new InvalidArgument('network-scoped aliases are only supported for user-defined networks');
  if (kind === 'container' && (spec.hostname || spec.dns?.length || spec.addHosts?.length))
    throw new InvalidArgument('conflicting options: hostname, dns and add-host cannot be set with --network container:');
  if (kind === 'container' || kind === 'none') {
    if (spec.ports?.length || spec.publishAll) throw new InvalidArgument(`conflicting options: port publishing and the container type network mode ${spec.network}`);
  }
  checkDuplicates(spec.ports ?? []);
  for (const h of spec.addHosts ?? []) {
    if (!/^[^:\s]+:[0-9a-fA-F.:]+$/.test(h)) throw new InvalidArgument(`invalid argument "${h}" for "--add-host" flag: bad format for add-host: "${h}"`);
  }
}

/** The network a container joins, made on first use if it is the default one. */
export async function networkFor(native: FlockApi, paths: Paths, name: string): Promise<NetworkRecord> {
  const found = findNetwork(paths, name);
  if (found) return found;
  if (name !== DEFAULT_NETWORK) throw new NotFound(`network ${name} not found`);
  return lockNetworks(native, paths, () => findNetwork(paths, name) ?? writeNewNetwork(paths, { name }));
}

/** Leases the address; the caller releases it if the create fails later. */
export function makeEndpoint(paths: Paths, netRec: NetworkRecord, containerId: string, o: { ip?: string; aliases?: string[]; name: string; index: number }): Endpoint {
  const ip = allocate(paths, netRec, containerId, o.ip);
  const octets = ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
  return {
    network: netRec.name,
    networkId: netRec.id,
    ipAddress: ip,
    prefixLen: Number(netRec.subnet.split('/')[1]),
    gateway: netRec.gateway,
    // docker's scheme: 02:42 and the address, unique on the network.
    macAddress: ['02', '42', ...octets].join(':'),
    veth: vethName(containerId, o.index),
    ifname: `eth${o.index}`,
    bridge: netRec.bridge,
    aliases: netRec.dns ? [o.name, containerId.slice(0, 12), ...(o.aliases ?? [])] : [],
  };
}

/** Endpoints a container can have past eth0: 20 letters g-z × 36 digits (vethName). */
export const MAX_EXTRA_ENDPOINTS = 20 * 36;

/**
 * The host side's name, 15 characters (IFNAMSIZ): `hutchv` + the id's first 9 hex
 * digits for eth0; for ethN, the id's first 7 then two characters whose first is a
 * letter g-z, so never all hex: an ethN name cannot be any container's eth0 name (an
 * id whose 8th and 9th digits were "01" once gave eth0 and eth1 the same name).
 */
export function vethName(containerId: string, index: number): string {
  if (index === 0) return `hutchv${containerId.slice(0, 9)}`;
  if (!Number.isInteger(index) || index < 1 || index > MAX_EXTRA_ENDPOINTS) {
    throw new InvalidArgument(`a container can be on at most ${MAX_EXTRA_ENDPOINTS + 1} networks (interface eth${index})`);
  }
  const n = index - 1;
  return `hutchv${containerId.slice(0, 7)}${String.fromCharCode(0x67 + Math.floor(n / 36))}${(n % 36).toString(36)}`;
}

export function releaseEndpoint(paths: Paths, e: Endpoint, containerId: string): void {
  const netRec = findNetwork(paths, e.network);
  if (netRec && netRec.id === e.networkId) release(paths, netRec, e.ipAddress, containerId);
}

/** A port nobody holds now, from the kernel's ephemeral range (docker picks from it too). */
function freePort(hostIp: string, protocol: 'tcp' | 'udp'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.bind(0, hostIp, () => {
        const port = s.address().port;
        s.close(() => resolve(port));
      });
      return;
    }
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: hostIp, port: 0, exclusive: true }, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `-p` and `-P` with every host port chosen. `exposed`: the image's ExposedPorts keys ("80/tcp"). */
export async function resolvePorts(spec: ContainerSpec, exposed: readonly string[]): Promise<PortMapping[]> {
  const asked = [...(spec.ports ?? [])];
  if (spec.publishAll) {
    for (const e of exposed) {
      const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(e);
      if (!m) continue;
      const protocol = (m[2] ?? 'tcp') as 'tcp' | 'udp';
      if (!asked.some((p) => p.containerPort === Number(m[1]) && p.protocol === protocol))
        asked.push({ hostIp: '0.0.0.0', hostPort: 0, containerPort: Number(m[1]), protocol });
    }
  }
  const out: PortMapping[] = [];
  for (const p of asked) out.push(p.hostPort ? p : { ...p, hostPort: await freePort(p.hostIp, p.protocol) });
  checkDuplicates(out);
  return out;
}

/** One interface of the monitor's `run.hutch.networks` (native/PROTOCOL.md); `gateway`: give it the default route. */
export function interfaceSpec(e: Endpoint, gateway: boolean): string {
  return [`bridge=${e.bridge}`, `veth=${e.veth}`, `ifname=${e.ifname}`, `address=${e.ipAddress}/${e.prefixLen}`, ...(gateway ? [`gateway=${e.gateway}`] : []), `mac=${e.macAddress}`].join(',');
}

/** config.json annotations for the monitor. `internal(e)`: its network has no way out (no default route there). */
export function networkAnnotations(endpoints: readonly Endpoint[], ports: readonly PortMapping[], internal: (e: Endpoint) => boolean): Record<string, string> {
  if (endpoints.length === 0) return {};
  return {
    'run.hutch.networks': endpoints.map((e) => interfaceSpec(e, !internal(e))).join(';'),
    ...(ports.length ? { 'run.hutch.ports': portsAnnotation(ports) } : {}),
  };
}
