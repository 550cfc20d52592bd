// The fake engine's networks: in memory, checked with the engine's own parsers
// (subnet.ts, ports.ts) and its messages, held to the real engine by the
// conformance suite. No bridge, no firewall: addresses come from a counter.
import type { ContainerInfo, CreateNetworkOptions, Endpoint, NetworkInfo, NetworkRecord } from '../../src/engine/types.js';
import { Conflict, InvalidArgument, NotFound } from '../../src/engine/errors.js';
import { NAME_RE } from '../../src/engine/ids.js';
import { contains, formatCidr, hostRange, intToIp, ipToInt, overlaps, parseCidr } from '../../src/engine/network/subnet.js';
import { isIpv4 } from '../../src/engine/network/ports.js';
import { vethName } from '../../src/engine/network/endpoint.js';

export class FakeNetworks {
  readonly records = new Map<string, NetworkRecord>();
  /** network name → ip → container id */
  readonly leases = new Map<string, Map<string, string>>();
  private seq = 0;

  find(ref: string): NetworkRecord | undefined {
    return this.records.get(ref) ?? [...this.records.values()].find((n) => n.id.startsWith(ref) && /^[0-9a-f]+$/.test(ref));
  }

  /** The network a container joins; the default one is made on first use. */
  forContainer(name: string): NetworkRecord {
    const n = this.find(name === 'default' ? 'bridge' : name) ?? (name === 'bridge' || name === 'default' ? this.create({ name: 'bridge' }, true) : undefined);
    if (!n) throw new NotFound(`network ${name} not found`);
    return n;
  }

  create(o: CreateNetworkOptions, allowDefault = false): NetworkRecord {
    if (!NAME_RE.test(o.name) || o.name.length > 64) throw new InvalidArgument(`invalid network name "${o.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (['none', 'host', 'default'].includes(o.name)) throw new InvalidArgument(`network name ${o.name} is reserved: it is a network mode`);
    if (this.records.has(o.name) || (o.name === 'bridge' && !allowDefault)) throw new Conflict(`network with name ${o.name} already exists`);
    const n = ++this.seq;
    const subnet = o.subnet ? parseCidr(o.subnet) : o.name === 'bridge' ? parseCidr('10.77.0.0/16') : parseCidr(`10.78.${n}.0/24`);
    const clash = [...this.records.values()].find((r) => overlaps(parseCidr(r.subnet), subnet));
    if (clash) throw new Conflict(`invalid pool request: Pool overlaps with other one on this address space (network ${clash.name}, ${clash.subnet})`);
    const [first, last] = hostRange(subnet);
    let gw = first;
    if (o.gateway !== undefined) {
      if (!isIpv4(o.gateway)) throw new InvalidArgument(`invalid gateway ${o.gateway}: not an IPv4 address`);
      gw = ipToInt(o.gateway);
      if (!contains(subnet, gw) || gw < first || gw > last) throw new InvalidArgument(`invalid gateway ${o.gateway}: not a host address of subnet ${formatCidr(subnet)}`);
    }
    const id = n.toString(16).padStart(2, '0').repeat(32);
    const rec: NetworkRecord = {
      id,
      name: o.name,
      driver: 'bridge',
      bridge: o.name === 'bridge' ? 'hutch0' : `hutchbr${id.slice(0, 8)}`,
      subnet: formatCidr(subnet),
      gateway: intToIp(gw),
      internal: !!o.internal,
      labels: o.labels ?? {},
      created: new Date().toISOString(),
      dns: o.name !== 'bridge',
    };
    this.records.set(o.name, rec);
    this.leases.set(o.name, new Map());
    return rec;
  }

  lease(n: NetworkRecord, containerId: string, requested?: string): string {
    const l = this.leases.get(n.name)!;
    const subnet = parseCidr(n.subnet);
    const [first, last] = hostRange(subnet);
    if (requested !== undefined) {
      const v = isIpv4(requested) ? ipToInt(requested) : NaN;
      if (!isIpv4(requested)) throw new InvalidArgument(`invalid IP address: ${requested}`);
      if (!contains(subnet, v) || v < first || v > last || requested === n.gateway)
        throw new InvalidArgument(`invalid address ${requested}: it is not a free host address of network ${n.name} (${n.subnet}, gateway ${n.gateway})`);
      if (l.has(requested)) throw new Conflict(`Address already in use: ${requested} on network ${n.name}`);
      l.set(requested, containerId);
      return requested;
    }
    for (let v = first; v <= last; v++) {
      const ip = intToIp(v);
      if (ip !== n.gateway && !l.has(ip)) {
        l.set(ip, containerId);
        return ip;
      }
    }
    throw new Conflict(`no available IPv4 addresses on network ${n.name} (${n.subnet})`);
  }

  /** The container's endpoint on `n` (eth<index>), its address leased. */
  endpoint(n: NetworkRecord, c: ContainerInfo, index: number, o: { ip?: string; aliases?: string[] } = {}): Endpoint {
    const ip = this.lease(n, c.id, o.ip);
    return { network: n.name, networkId: n.id, ipAddress: ip, prefixLen: Number(n.subnet.split('/')[1]), gateway: n.gateway, macAddress: '02:42:00:00:00:00', veth: vethName(c.id, index), ifname: `eth${index}`, bridge: n.bridge, aliases: n.dns ? [c.name, ...(o.aliases ?? [])] : [] };
  }

  connect(netRef: string, c: ContainerInfo, o: { ip?: string; aliases?: string[] }): void {
    const n = this.find(netRef);
    if (!n) throw new NotFound(`network ${netRef} not found`);
    if (!c.spec.network || ['none', 'host'].includes(c.spec.network) || c.spec.network.startsWith('container:'))
      throw new InvalidArgument(`container ${c.name} cannot be connected to networks: its network mode is ${c.spec.network}`);
    const eps = c.endpoints ?? [];
    if (eps.some((e) => e.networkId === n.id)) throw new Conflict(`endpoint with name ${c.name} already exists in network ${n.name}`);
    let index = 0;
    while (eps.some((e) => e.ifname === `eth${index}`)) index++;
    c.endpoints = [...eps, this.endpoint(n, c, index, o)];
  }

  disconnect(netRef: string, c: ContainerInfo): void {
    const n = this.find(netRef);
    if (!n) throw new NotFound(`network ${netRef} not found`);
    const e = c.endpoints?.find((x) => x.networkId === n.id);
    if (!e) throw new NotFound(`container ${c.name} is not connected to network ${n.name}`);
    c.endpoints = c.endpoints!.filter((x) => x !== e);
    this.leases.get(n.name)?.delete(e.ipAddress);
  }

  release(containerId: string): void {
    for (const l of this.leases.values()) for (const [ip, id] of l) if (id === containerId) l.delete(ip);
  }

  info(n: NetworkRecord, names: (id: string) => string): NetworkInfo {
    return { ...n, containers: [...(this.leases.get(n.name) ?? new Map<string, string>())].map(([ip, id]) => ({ id, name: names(id), ipAddress: ip, macAddress: '' })) };
  }

  remove(ref: string, names: (id: string) => string): void {
    const n = this.find(ref);
    if (!n) throw new NotFound(`network ${ref} not found`);
    const users = [...(this.leases.get(n.name)?.values() ?? [])];
    if (users.length > 0) throw new Conflict(`error while removing network: network ${n.name} id ${n.id} has active endpoints (${users.map(names).join(', ')})`);
    this.records.delete(n.name);
    this.leases.delete(n.name);
  }
}
