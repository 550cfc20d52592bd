// Networks as state files: <root>/networks/<name>.json, written atomically, created
// and removed under <root>/networks/.lock. The default network `bridge` is made on
// first use with the first free subnet of a pool that avoids docker's 172.17/16,
// podman's 10.88/16 and every route the host already has.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Paths } from '../paths.js';
import { Conflict, InvalidArgument, NotFound } from '../errors.js';
import { NAME_RE, newId } from '../ids.js';
import { writeFileAtomic } from '../state/atomic.js';
import { withLock, type FlockApi } from '../state/lock.js';
import { contains, formatCidr, hostRange, hostRoutes, intToIp, ipToInt, overlaps, parseCidr, type Cidr } from './subnet.js';
import { isIpv4 } from './ports.js';

export interface NetworkRecord {
  id: string;
  name: string;
  driver: 'bridge';
  /** The host bridge's name (≤ 15 characters, `hutch` prefix). */
  bridge: string;
  subnet: string;
  gateway: string;
  /** No route out of the network (`--internal`). */
  internal: boolean;
  labels: Record<string, string>;
  created: string;
  /** Containers resolve each other by name and alias (user networks; not the default `bridge`, as docker). */
  dns: boolean;
}

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_BRIDGE = 'hutch0';
/** /16s tried in turn for the default network. */
const DEFAULT_POOL = ['10.77.0.0/16', '10.79.0.0/16', '10.81.0.0/16', '172.29.0.0/16', '192.168.77.0/24'];
/** User networks get /24s from 10.78.0.0/16 (then 10.80.0.0/16). */
const USER_POOLS = ['10.78.0.0/16', '10.80.0.0/16'];
/** Names docker reserves: `--network` means something else by them. */
const RESERVED = new Set(['none', 'host', 'default']);

export function networksDir(paths: Paths): string {
  return path.join(paths.root, 'networks');
}

function file(paths: Paths, name: string): string {
  return path.join(networksDir(paths), `${name}.json`);
}

export function listNetworks(paths: Paths): NetworkRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(networksDir(paths)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const out: NetworkRecord[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(networksDir(paths), n), 'utf8')) as NetworkRecord);
    } catch {
      /* half-written by a crashed create: atomic writes make this a leftover temp, not a record */
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** By name, full id or unique id prefix (docker's rules). */
export function findNetwork(paths: Paths, ref: string): NetworkRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file(paths, ref), 'utf8')) as NetworkRecord;
  } catch {
    /* not a name */
  }
  if (!/^[0-9a-f]+$/.test(ref)) return undefined;
  const hits = listNetworks(paths).filter((n) => n.id.startsWith(ref));
  if (hits.length > 1) throw new Conflict(`network ${ref} is ambiguous (${hits.length} matches found on id)`);
  return hits[0];
}

export function mustFindNetwork(paths: Paths, ref: string): NetworkRecord {
  const n = findNetwork(paths, ref);
  if (!n) throw new NotFound(`network ${ref} not found`);
  return n;
}

export interface CreateNetworkOptions {
  name: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: Record<string, string>;
}

export function lockNetworks<T>(native: FlockApi, paths: Paths, fn: () => Promise<T> | T): Promise<T> {
  fs.mkdirSync(networksDir(paths), { recursive: true, mode: 0o700 });
  return withLock(native, path.join(networksDir(paths), '.lock'), fn);
}

/** Checks and writes the record (under lockNetworks); the bridge and firewall come from setup.ts. */
export function writeNewNetwork(paths: Paths, o: CreateNetworkOptions, routeFile = '/proc/net/route'): NetworkRecord {
  if (!NAME_RE.test(o.name) || o.name.length > 64) throw new InvalidArgument(`invalid network name "${o.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (RESERVED.has(o.name)) throw new InvalidArgument(`network name ${o.name} is reserved: it is a network mode`);
  if (findNetwork(paths, o.name)?.name === o.name) throw new Conflict(`network with name ${o.name} already exists`);
  const existing = listNetworks(paths);
  const taken = existing.map((n) => parseCidr(n.subnet));
  let subnet: Cidr;
  if (o.subnet) {
    subnet = parseCidr(o.subnet);
    const clash = existing.find((n) => overlaps(parseCidr(n.subnet), subnet));
    if (clash) throw new Conflict(`invalid pool request: Pool overlaps with other one on this address space (network ${clash.name}, ${clash.subnet})`);
  } else {
    subnet = pickSubnet(o.name === DEFAULT_NETWORK ? DEFAULT_POOL.map(parseCidr) : userSlices(), [...taken, ...hostRoutes(routeFile, (f) => fs.readFileSync(f, 'utf8'))]);
  }
  const [first, last] = hostRange(subnet);
  let gateway = first;
  if (o.gateway !== undefined) {
    if (!isIpv4(o.gateway)) throw new InvalidArgument(`invalid gateway ${o.gateway}: not an IPv4 address`);
    gateway = ipToInt(o.gateway);
    if (!contains(subnet, gateway) || gateway < first || gateway > last)
      throw new InvalidArgument(`invalid gateway ${o.gateway}: not a host address of subnet ${formatCidr(subnet)}`);
  }
  const id = newId();
  const rec: NetworkRecord = {
    id,
    name: o.name,
    driver: 'bridge',
    bridge: o.name === DEFAULT_NETWORK ? defaultBridge(paths) : `hutchbr${id.slice(0, 8)}`,
    subnet: formatCidr(subnet),
    gateway: intToIp(gateway),
    internal: !!o.internal,
    labels: o.labels ?? {},
    created: new Date().toISOString(),
    dns: o.name !== DEFAULT_NETWORK,
  };
  fs.mkdirSync(networksDir(paths), { recursive: true, mode: 0o700 });
  writeFileAtomic(file(paths, o.name), JSON.stringify(rec, null, 2) + '\n', 0o644);
  return rec;
}

/**
 * `hutch0` for the default state root; another root (a test's, a second install)
 * gets its own default bridge, named from its cgroup parent, so two roots never
 * share one bridge with two address plans.
 */
export function defaultBridge(paths: Paths): string {
  if (paths.cgroupParent === 'hutch') return DEFAULT_BRIDGE;
  // node:crypto only here (~2 ms to load): the default root never needs it.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return `hutchd${createHash('sha256').update(paths.cgroupParent).digest('hex').slice(0, 9)}`;
}

export function deleteNetworkRecord(paths: Paths, rec: NetworkRecord): void {
  fs.rmSync(file(paths, rec.name), { force: true });
  fs.rmSync(path.join(networksDir(paths), rec.id), { recursive: true, force: true });
}

function* userSlices(): Generator<Cidr> {
  for (const pool of USER_POOLS) {
    const p = parseCidr(pool);
    for (let i = 0; i < 256; i++) yield { base: p.base + i * 256, prefix: 24 };
  }
}

function pickSubnet(candidates: Iterable<Cidr>, taken: Cidr[]): Cidr {
  for (const c of candidates) if (!taken.some((t) => overlaps(t, c))) return c;
  throw new Conflict('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network (give one with --subnet)');
}
