// docker's JSON shape of `network inspect`, from the engine's NetworkInfo.
import type { ContainerInfo, NetworkInfo } from '../../engine/types.js';

export function dockerNetwork(n: NetworkInfo): Record<string, unknown> {
  const prefix = n.subnet.split('/')[1];
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      n.containers.map((c) => [c.id, { Name: c.name, EndpointID: '', MacAddress: c.macAddress, IPv4Address: `${c.ipAddress}/${prefix}`, IPv6Address: '' }]),
    ),
    Options: { 'com.docker.network.bridge.name': n.bridge },
    Labels: n.labels,
  };
}

/** docker's `NetworkSettings` of a container (inspect). */
export function networkSettings(c: ContainerInfo): Record<string, unknown> {
  const e = c.endpoints?.[0];
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const p of c.ports ?? []) (ports[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  return {
    IPAddress: e?.ipAddress ?? '',
    IPPrefixLen: e?.prefixLen ?? 0,
    Gateway: e?.gateway ?? '',
    MacAddress: e?.macAddress ?? '',
    Ports: ports,
    Networks: Object.fromEntries(
      (c.endpoints ?? []).map((x) => [x.network, { NetworkID: x.networkId, IPAddress: x.ipAddress, IPPrefixLen: x.prefixLen, Gateway: x.gateway, MacAddress: x.macAddress, Aliases: x.aliases.length ? x.aliases : null }]),
    ),
  };
}
