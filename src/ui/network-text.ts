// How a container's networking reads in the dashboard: the network it is on (its
// endpoints' networks, else its mode: none, host, container:NAME) and its published
// ports as docker's PORTS column prints them (`0.0.0.0:8080->80/tcp, …`). Pure, and
// cached per container record: the table asks for them on every frame.
import type { ContainerInfo, PortMapping } from '../engine/types.js';
import { formatPortsColumn } from '../engine/network/ports.js';

const networkCache = new WeakMap<ContainerInfo, string>();
const portsCache = new WeakMap<ContainerInfo, string>();

/** The container's published ports: the engine's (host ports chosen), else those asked for. */
export function portsOf(c: ContainerInfo): readonly PortMapping[] {
  return c.ports ?? c.spec.ports ?? [];
}

/** "bridge", "front,back", "none", "host", "container:db". */
export function networkText(c: ContainerInfo): string {
  let t = networkCache.get(c);
  if (t === undefined) {
    const eps = c.endpoints ?? [];
    const mode = c.spec.network ?? 'none';
    t = eps.length > 0 ? eps.map((e) => e.network).join(',') : mode === 'default' ? 'bridge' : mode;
    networkCache.set(c, t);
  }
  return t;
}

/** "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp"; '' without published ports. */
export function portsText(c: ContainerInfo): string {
  let t = portsCache.get(c);
  if (t === undefined) {
    t = formatPortsColumn(portsOf(c));
    portsCache.set(c, t);
  }
  return t;
}

/** "0.0.0.0:8080->80/tcp": one mapping. */
export function portText(p: PortMapping): string {
  return formatPortsColumn([p]);
}

/** What the table shows of a container's networking, for telling whether a new list changes it. */
export function networkKey(c: ContainerInfo): string {
  return c.endpoints || c.ports ? `${networkText(c)}|${portsText(c)}|${(c.endpoints ?? []).map((e) => e.ipAddress).join(',')}` : (c.spec.network ?? '');
}
