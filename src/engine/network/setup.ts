// Makes a network real on the host: hutch's nftables table (with every network's
// set elements and the published ports of running containers, when it has to be
// built from nothing), the bridge with the gateway address, and the sysctls that
// routing needs. Cheap when all is there: two netlink queries, no exec.
import fs from 'node:fs';
import { SystemError } from '../errors.js';
import type { NetworkRecord } from './store.js';
import { fullTable, networkElements, TABLE, type PortElement } from './ruleset.js';
import { runNft } from './nft.js';

/** The part of the addon networks need (src/engine/native). */
export interface NetNative {
  linkExists(name: string): boolean;
  createBridge(name: string, addressCidr: string, mtu?: number): void;
  deleteLink(name: string): void;
  listLinks(prefix: string): string[];
  nftTableExists(table: string): boolean;
}

export interface SetupDeps {
  native: NetNative;
  /** Every network (the table is rebuilt with all of them). */
  networks: () => NetworkRecord[];
  /** Published ports of running containers (their monitors added them before the table was lost). */
  activePorts: () => PortElement[];
  /** Applies an nft script (runNft; a fake in tests). */
  nft?: (script: string) => void;
  /** Writes a sysctl (tests: a fake). */
  sysctl?: (key: string, value: string) => void;
}

function writeSysctl(key: string, value: string): void {
  const file = `/proc/sys/${key.replace(/\./g, '/')}`;
  try {
    if (fs.readFileSync(file, 'utf8').trim() === value) return;
    fs.writeFileSync(file, value);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SystemError(`setting sysctl ${key}=${value}: ${err.code ?? err.message}`, err.code, err.errno, 'write', file);
  }
}

/** The table, the network's elements and its bridge, each made if missing. */
export function ensureNetwork(d: SetupDeps, net: NetworkRecord): void {
  const nft = d.nft ?? runNft;
  const sysctl = d.sysctl ?? writeSysctl;
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
  }
  if (!net.internal) sysctl('net.ipv4.ip_forward', '1');
}

/** The bridge and the network's elements go (the network is being removed). */
export function teardownNetwork(d: SetupDeps, net: NetworkRecord): void {
  const nft = d.nft ?? runNft;
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
