// Makes a network real on the host: hutch's nftables table (with every network's
// set elements and the published ports of running containers, when it has to be
// built from nothing), the bridge with the gateway address, and the sysctls that
// routing needs. Cheap when all is there: two netlink queries, no exec.
import type { Native } from '../native/native.js';
import { allowForward } from './coexist.js';
import type { NetworkRecord } from './store.js';
import { fullTable, networkElements, TABLE, type PortElement } from './ruleset.js';

/** The part of the kernel surface networks need (src/engine/native). */
export type NetNative = Pick<Native, 'linkExists' | 'createBridge' | 'deleteLink' | 'listLinks' | 'nftTableExists' | 'nftApply' | 'nftList' | 'writeSysctl'>;

export interface SetupDeps {
  native: NetNative;
  /** Every network (the table is rebuilt with all of them). */
  networks: () => NetworkRecord[];
  /** Published ports of running containers (their monitors added them before the table was lost). */
  activePorts: () => PortElement[];
}

/** The table, the network's elements and its bridge, each made if missing. */
export function ensureNetwork(d: SetupDeps, net: NetworkRecord): void {
  const nft = (script: string) => d.native.nftApply(script);
  const sysctl = (k: string, v: string) => d.native.writeSysctl(k, v);
  const bridgeUp = d.native.linkExists(net.bridge);
  if (!d.native.nftTableExists(TABLE)) {
    const all = d.networks();
    nft(fullTable(all.some((n) => n.id === net.id) ? all : [...all, net], d.activePorts()));
  } else if (!bridgeUp) {
    // Elements first, bridge second: a bridge that exists means its elements do.
    nft(networkElements([net]));
  }
  if (!bridgeUp) {
    const prefix = net.subnet.split('/')[1];
    try {
      d.native.createBridge(net.bridge, `${net.gateway}/${prefix}`);
    } catch (e) {
      // Another hutch made it meanwhile: fine.
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
    }
    // Packets to the host's 127.0.0.1 published ports are routed to the bridge.
    sysctl(`net.ipv4.conf.${net.bridge}.route_localnet`, '1');
    allowForward(d.native);
  }
  if (!net.internal) sysctl('net.ipv4.ip_forward', '1');
}

/** The bridge and the network's elements go (the network is being removed). */
export function teardownNetwork(d: SetupDeps, net: NetworkRecord): void {
  const nft = (script: string) => d.native.nftApply(script);
  if (d.native.nftTableExists(TABLE)) {
    try {
      nft(networkElements([net], 'delete'));
    } catch {
      // Elements already gone (a rebuilt table without this network): nothing to undo.
    }
  }
  try {
    d.native.deleteLink(net.bridge);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENODEV') throw e;
  }
}
