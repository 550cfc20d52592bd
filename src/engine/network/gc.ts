// Network leftovers for `gc`: leases of containers that no longer exist, host veths
// of containers that do not run, bridges of networks that are gone, and published
// port elements in hutch's table that no running container owns (a monitor killed
// with SIGKILL cannot remove its own). Bridge networking assumes one state root per
// network namespace (the table and the bridges are per namespace): gc judges the
// namespace's `hutch` links by this root's records.
import fs from 'node:fs';
import type { Ctx } from '../container/context.js';
import { listIds } from '../container/context.js';
import { creatorAlive } from '../container/create.js';
import { loadRecord } from '../container/record.js';
import { containerDir } from '../paths.js';
import { leases, leasesDir } from './ipam.js';
import { listNetworks } from './store.js';
import { namesDir } from './names.js';
import { runningPorts } from './start.js';
import { TABLE } from './ruleset.js';
import { portsAnnotation, type PortMapping } from './ports.js';
import { contains, ipToInt, parseCidr } from './subnet.js';

export function networkGc(ctx: Ctx): string[] {
  const removed: string[] = [];
  const ids = new Set(listIds(ctx));
  const nets = listNetworks(ctx.paths);
  for (const n of nets) {
    for (const [ip, id] of leases(ctx.paths, n)) {
      if (ids.has(id) || fs.existsSync(containerDir(ctx.paths, id)) || creatorAlive(ctx, id)) continue;
      try {
        fs.unlinkSync(`${leasesDir(ctx.paths, n)}/${ip}`);
        removed.push(`lease ${ip} on network ${n.name}`);
      } catch {
        /* gone meanwhile */
      }
    }
  }
  // Names whose address no lease holds any more (a create killed between the two).
  for (const n of nets) {
    if (!n.dns) continue;
    const held = new Set(leases(ctx.paths, n).keys());
    const dir = namesDir(ctx.paths, n.id);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        if (held.has(fs.readlinkSync(`${dir}/${name}`))) continue;
        fs.unlinkSync(`${dir}/${name}`);
        removed.push(`name ${name} on network ${n.name}`);
      } catch {
        /* gone meanwhile */
      }
    }
  }
  const running = new Set<string>();
  const stopped = new Set<string>();
  for (const id of ids) {
    try {
      (loadRecord(containerDir(ctx.paths, id))?.status === 'running' ? running : stopped).add(id.slice(0, 7));
    } catch {
      /* broken: the container gc removes it, its netns goes with its processes */
    }
  }
  let links: string[] = [];
  try {
    links = ctx.native.listLinks('hutch');
  } catch {
    /* no netlink (a fake): nothing to judge */
  }
  for (const l of links) {
    // hutchv + the container id's first 7 hex digits + 2 more (endpoint.ts vethName;
    // before it named eth1… with a letter g-z, those 2 were hex: both are matched).
    // Only this root's stopped containers' veths: another root's links are not ours
    // to judge (bridges are removed with their network, never by gc).
    const veth = /^hutchv([0-9a-f]{7})[0-9a-z]{2}$/.exec(l);
    if (!veth || !stopped.has(veth[1]) || running.has(veth[1])) continue;
    try {
      ctx.native.deleteLink(l);
      removed.push(`veth ${l}`);
    } catch {
      /* gone meanwhile */
    }
  }
  removed.push(...stalePorts(ctx));
  return removed;
}

interface NftElem {
  key: string;
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  ip: string;
  port: number;
}

/** Elements of the two port maps, from `nft -j list map`. */
function listPortElements(ctx: Ctx): NftElem[] {
  const out: NftElem[] = [];
  for (const map of ['pub_any', 'pub_ip']) {
    const text = ctx.native.nftList(['map', 'ip', TABLE, map]);
    if (!text) continue;
    try {
      const doc = JSON.parse(text) as { nftables: Array<{ map?: { elem?: unknown[] } }> };
      for (const item of doc.nftables) {
        for (const el of item.map?.elem ?? []) {
          // [ {concat: [key parts]}, {concat: [ip, port]} ]
          const [k, v] = el as [{ concat: (string | number)[] }, { concat: (string | number)[] }];
          const kp = k.concat;
          const [ip, port] = v.concat as [string, number];
          if (map === 'pub_any') out.push({ key: map, proto: kp[0] as 'tcp' | 'udp', hostIp: '0.0.0.0', hostPort: Number(kp[1]), ip, port: Number(port) });
          else out.push({ key: map, hostIp: String(kp[0]), proto: kp[1] as 'tcp' | 'udp', hostPort: Number(kp[2]), ip, port: Number(port) });
        }
      }
    } catch {
      /* an nft whose JSON we do not know: leave the elements */
    }
  }
  return out;
}

function stalePorts(ctx: Ctx): string[] {
  let tableThere: boolean;
  try {
    tableThere = ctx.native.nftTableExists(TABLE);
  } catch {
    return [];
  }
  if (!tableThere) return [];
  const live = new Set(runningPorts(ctx).map((e) => `${e.port.protocol}:${e.port.hostIp}:${e.port.hostPort}:${e.containerIp}:${e.port.containerPort}`));
  // Elements pointing into this root's subnets only: another root's are its own.
  const ours = listNetworks(ctx.paths).map((n) => parseCidr(n.subnet));
  const removed: string[] = [];
  for (const e of listPortElements(ctx)) {
    if (!ours.some((c) => contains(c, ipToInt(e.ip)))) continue;
    if (live.has(`${e.proto}:${e.hostIp}:${e.hostPort}:${e.ip}:${e.port}`)) continue;
    const p: PortMapping = { protocol: e.proto, hostIp: e.hostIp, hostPort: e.hostPort, containerPort: e.port };
    try {
      ctx.native.nftDeletePorts(TABLE, portsAnnotation([p]), e.ip);
      removed.push(`published port ${e.hostIp}:${e.hostPort}/${e.proto} -> ${e.ip}:${e.port}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}
