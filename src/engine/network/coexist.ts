// Living beside docker (or any firewall whose forward chain drops by default).
// With nftables every base chain on a hook sees the packet, and a drop in any one
// of them is final: an accept in hutch's own table cannot save a container's
// packet from docker's `FORWARD` policy DROP (canonical/lxd #8716, moby #39439).
// So, where such a chain exists, hutch inserts two rules in it — in docker's
// DOCKER-USER chain when there is one, as docker documents for exactly this —
// accepting what comes from or goes to hutch's links (`hutch*`). Nothing new can
// reach a container that way: hutch's guard chain drops direct routing to
// container addresses before routing. The rules carry the comment "hutch".
import type { Native } from '../native/native.js';

interface NftChain {
  family: string;
  table: string;
  name: string;
  hook?: string;
  policy?: string;
}

interface NftRule {
  family: string;
  table: string;
  chain: string;
  comment?: string;
}

function items<T>(json: string, key: string): T[] {
  try {
    return (JSON.parse(json) as { nftables: Record<string, T>[] }).nftables.filter((x) => key in x).map((x) => x[key]);
  } catch {
    return [];
  }
}

/** The chains that would drop forwarded container traffic, as `family table chain` to insert into. */
export function dropChains(chainsJson: string): NftChain[] {
  const chains = items<NftChain>(chainsJson, 'chain').filter((c) => c.table !== 'hutch');
  const out: NftChain[] = [];
  for (const c of chains) {
    if (c.hook !== 'forward' || c.policy !== 'drop') continue;
    const user = chains.find((x) => x.family === c.family && x.table === c.table && x.name === 'DOCKER-USER');
    out.push(user ?? c);
  }
  return out;
}

export function allowForward(native: Pick<Native, 'nftList' | 'nftApply'>): string[] {
  const done: string[] = [];
  for (const c of dropChains(native.nftList(['chains']))) {
    const rules = items<NftRule>(native.nftList(['chain', c.family, c.table, c.name]), 'rule');
    if (rules.some((r) => r.comment === 'hutch')) continue;
    // nft 1.0.6 takes no quoted chain name here; names of other shapes are left alone.
    if (![c.family, c.table, c.name].every((x) => /^[A-Za-z0-9_.-]+$/.test(x))) continue;
    const at = `${c.family} ${c.table} ${c.name}`;
    native.nftApply(`insert rule ${at} oifname "hutch*" accept comment "hutch"\ninsert rule ${at} iifname "hutch*" accept comment "hutch"\n`);
    done.push(`${c.family} ${c.table} ${c.name}`);
  }
  return done;
}
