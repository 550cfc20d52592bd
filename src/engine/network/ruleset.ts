// hutch's firewall: one nftables table, `ip hutch`, that hutch alone owns
// (`nft delete table ip hutch` undoes all of it). Rules never change per container:
// networks are elements of the sets below, published ports elements of the two
// maps, added and removed by each container's monitor over netlink (native/
// PROTOCOL.md). The rule set was tested on this kernel (research next-capabilities
// §1.3); the comments say what each rule is for.
import type { NetworkRecord } from './store.js';
import type { PortMapping } from './ports.js';

export const TABLE = 'hutch';

/** A published port of a running container, for rebuilding the table. */
export interface PortElement {
  port: PortMapping;
  containerIp: string;
}

const q = (s: string) => JSON.stringify(s);

/** The sets' elements for these networks (`add element` lines). */
export function networkElements(nets: readonly NetworkRecord[], verb: 'add' | 'delete' = 'add'): string {
  const lines: string[] = [];
  for (const n of nets) {
    lines.push(`${verb} element ip ${TABLE} bridges { ${q(n.bridge)} }`);
    lines.push(`${verb} element ip ${TABLE} samenet { ${q(n.bridge)} . ${q(n.bridge)} }`);
    lines.push(`${verb} element ip ${TABLE} subnets { ${n.subnet} }`);
    if (n.internal) lines.push(`${verb} element ip ${TABLE} internal { ${q(n.bridge)} }`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export function portElements(ports: readonly PortElement[]): string {
  return ports
    .map(({ port: p, containerIp }) =>
      p.hostIp === '0.0.0.0'
        ? `add element ip ${TABLE} pub_any { ${p.protocol} . ${p.hostPort} : ${containerIp} . ${p.containerPort} }`
        : `add element ip ${TABLE} pub_ip { ${p.hostIp} . ${p.protocol} . ${p.hostPort} : ${containerIp} . ${p.containerPort} }`,
    )
    .join('\n');
}

/** The whole table, created from nothing (`add table` + `delete table` first, so a half-made one goes). */
export function fullTable(nets: readonly NetworkRecord[], ports: readonly PortElement[]): string {
  return `add table ip ${TABLE}
delete table ip ${TABLE}
table ip ${TABLE} {
  set bridges { type ifname; }
  set internal { type ifname; }
  set samenet { type ifname . ifname; }
  set subnets { type ipv4_addr; flags interval; }
  map pub_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
  map pub_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }

  # Before routing: nothing from outside may reach 127.0.0.0/8 (a port published on
  # 127.0.0.1 would be reachable from the LAN through DNAT: moby #41872), nor send
  # straight to a container's address (only published ports lead in).
  chain guard {
    type filter hook prerouting priority raw; policy accept;
    ip daddr 127.0.0.0/8 iifname != "lo" drop
    ip daddr @subnets iifname != @bridges iifname != "lo" drop
  }

  # Published ports: packets to one of the host's own addresses, from outside
  # (prerouting) or from the host itself (output), go to the container.
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    fib daddr type local jump publish
  }
  chain out {
    type nat hook output priority -100; policy accept;
    fib daddr type local jump publish
  }
  chain publish {
    dnat ip to ip daddr . meta l4proto . th dport map @pub_ip
    dnat ip to meta l4proto . th dport map @pub_any
  }

  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    # host's 127.0.0.1 → a container (needs route_localnet on the bridge)
    ct status dnat ip saddr 127.0.0.0/8 masquerade
    # hairpin: a container to a published port of its own network, or its own
    ct status dnat ip saddr @subnets oifname @bridges masquerade
    # out of the host
    ip saddr @subnets oifname != @bridges masquerade
  }

  chain filter_fwd {
    type filter hook forward priority filter; policy accept;
    ct state established,related accept
    # --internal: nothing leaves the network and nothing from outside enters it
    iifname @internal oifname != @bridges drop
    oifname @internal iifname != @bridges drop
    # networks do not reach each other, except through published ports
    iifname @bridges oifname @bridges iifname . oifname != @samenet ct status & dnat == 0 drop
  }
}
${networkElements(nets)}${portElements(ports)}
`;
}
