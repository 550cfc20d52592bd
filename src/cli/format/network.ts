// docker's JSON shape of `network inspect`, from the engine's NetworkInfo.
import type { NetworkInfo } from '../../engine/types.js';
import { endpointId } from '../../engine/container/inspect-docker.js';

export function dockerNetwork(n: NetworkInfo): Record<string, unknown> {
  const prefix = n.subnet.split('/')[1];
  // The default network as docker shows its own (no IPAM options, marked default_bridge).
  const isDefault = n.name === 'bridge';
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: isDefault ? null : {}, Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      n.containers.map((c) => [c.id, { Name: c.name, EndpointID: endpointId(c.id, n.id), MacAddress: c.macAddress, IPv4Address: `${c.ipAddress}/${prefix}`, IPv6Address: '' }]),
    ),
    Options: { ...(isDefault ? { 'com.docker.network.bridge.default_bridge': 'true' } : {}), 'com.docker.network.bridge.name': n.bridge },
    Labels: n.labels,
  };
}
