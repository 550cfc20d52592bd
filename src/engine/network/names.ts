// Names on user networks: one symlink per name, <root>/networks/<id>/names/<name>
// -> <address>, made with the container's lease and removed with it. Each
// container's monitor answers DNS queries on 127.0.0.11 from these directories
// (native/PROTOCOL.md, run.hutch.dns), so a start costs the same on a network of
// 500 containers as on an empty one: nothing else is rewritten.
import fs from 'node:fs';
import path from 'node:path';
import type { Paths } from '../paths.js';
import type { ContainerSpec, Endpoint } from '../types.js';
import { networksDir, type NetworkRecord } from './store.js';

export function namesDir(paths: Paths, networkId: string): string {
  return path.join(networksDir(paths), networkId, 'names');
}

/** A DNS name as the monitor looks it up: lower case, one directory entry. */
function entry(name: string): string | undefined {
  const n = name.toLowerCase();
  return /^[a-z0-9_-][a-z0-9_.-]{0,252}$/.test(n) && !n.includes('..') && !n.endsWith('.') ? n : undefined;
}

/** Registers the endpoint's aliases (name, short id, --network-alias); a name taken by another container stays theirs. */
export function registerNames(paths: Paths, e: Endpoint): void {
  const dir = namesDir(paths, e.networkId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const a of e.aliases) {
    const n = entry(a);
    if (!n) continue;
    try {
      fs.symlinkSync(e.ipAddress, path.join(dir, n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Removes the names that point at the endpoint's address. */
export function unregisterNames(paths: Paths, e: Endpoint): void {
  const dir = namesDir(paths, e.networkId);
  for (const a of e.aliases) {
    const n = entry(a);
    if (!n) continue;
    const link = path.join(dir, n);
    try {
      if (fs.readlinkSync(link) === e.ipAddress) fs.unlinkSync(link);
    } catch {
      /* not ours or gone */
    }
  }
}

/** The host's nameservers, loopback ones included: the monitor forwards from the host's namespace. */
export function upstreams(spec: Pick<ContainerSpec, 'dns'>, hostResolv: string, systemdResolv: string): string[] {
  if (spec.dns?.length) return spec.dns;
  const ns = (text: string) => text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[0] === 'nameserver' && /^[\d.]+$/.test(f[1] ?? '')).map((f) => f[1]);
  const host = ns(hostResolv);
  // systemd-resolved's stub forwards too; its upstream list is the same answer one hop earlier.
  const up = host.length === 1 && host[0] === '127.0.0.53' ? ns(systemdResolv) : [];
  return up.length ? up : host.length ? host : ['8.8.8.8', '8.8.4.4'];
}

/** The monitor's `run.hutch.dns` annotation for the container's DNS networks (none: no server). */
export function dnsAnnotation(paths: Paths, endpoints: readonly Endpoint[], nets: (id: string) => NetworkRecord | undefined, servers: readonly string[]): Record<string, string> {
  const dirs = endpoints.filter((e) => nets(e.networkId)?.dns).map((e) => `names=${namesDir(paths, e.networkId)}`);
  if (dirs.length === 0) return {};
  return { 'run.hutch.dns': [...dirs, ...servers.map((s) => `upstream=${s}`)].join(',') };
}
