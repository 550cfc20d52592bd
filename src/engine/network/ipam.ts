// Addresses of containers on a network: one symlink per lease,
// <root>/networks/<network id>/leases/<ip> -> <container id>. symlink(2) is atomic,
// so two hutch processes never get one address and no lock is needed; a lease
// lives as long as its container (a restarted container keeps its address), and
// gc removes the leases of containers that no longer exist.
import fs from 'node:fs';
import path from 'node:path';
import type { Paths } from '../paths.js';
import { Conflict, InvalidArgument } from '../errors.js';
import { networksDir, type NetworkRecord } from './store.js';
import { contains, hostRange, intToIp, ipToInt, parseCidr } from './subnet.js';
import { isIpv4 } from './ports.js';

export function leasesDir(paths: Paths, net: NetworkRecord): string {
  return path.join(networksDir(paths), net.id, 'leases');
}

/** ip → container id of every lease. */
export function leases(paths: Paths, net: NetworkRecord): Map<string, string> {
  const dir = leasesDir(paths, net);
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    try {
      out.set(n, fs.readlinkSync(path.join(dir, n)));
    } catch {
      /* removed meanwhile */
    }
  }
  return out;
}

/** Leases `requested` (or the first free address) to the container. */
export function allocate(paths: Paths, net: NetworkRecord, containerId: string, requested?: string): string {
  const dir = leasesDir(paths, net);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const subnet = parseCidr(net.subnet);
  const [first, last] = hostRange(subnet);
  const gateway = ipToInt(net.gateway);
  if (requested !== undefined) {
    if (!isIpv4(requested)) throw new InvalidArgument(`invalid IP address: ${requested}`);
    const n = ipToInt(requested);
    if (!contains(subnet, n) || n < first || n > last || n === gateway)
      throw new InvalidArgument(`invalid address ${requested}: it is not a free host address of network ${net.name} (${net.subnet}, gateway ${net.gateway})`);
    if (!claim(dir, requested, containerId)) throw new Conflict(`Address already in use: ${requested} on network ${net.name}`);
    return requested;
  }
  const used = new Set(fs.readdirSync(dir));
  for (let n = first; n <= last; n++) {
    if (n === gateway) continue;
    const ip = intToIp(n);
    if (!used.has(ip) && claim(dir, ip, containerId)) return ip;
  }
  throw new Conflict(`no available IPv4 addresses on network ${net.name} (${net.subnet})`);
}

function claim(dir: string, ip: string, containerId: string): boolean {
  try {
    fs.symlinkSync(containerId, path.join(dir, ip));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Gives the address back, if the container still holds it. */
export function release(paths: Paths, net: NetworkRecord, ip: string, containerId: string): void {
  const link = path.join(leasesDir(paths, net), ip);
  try {
    if (fs.readlinkSync(link) === containerId) fs.unlinkSync(link);
  } catch {
    /* gone already */
  }
}
