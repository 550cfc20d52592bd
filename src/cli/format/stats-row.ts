// docker stats' row (its formatter.StatsEntry) from hutch's samples: CPU % of one core
// (docker's figure: 100 % per busy core), memory as binary units against the limit
// (the host's memory when the container has none), network and block I/O as decimal
// units, as docker prints each of them.
import type { ContainerInfo } from '../../engine/types.js';
import type { ContainerSample } from '../../engine/stats/types.js';

export interface StatsRow {
  ID: string;
  Container: string;
  Name: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

export const STATS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
export const STATS_HEADER: Record<string, string> = {
  ID: 'CONTAINER ID',
  Container: 'CONTAINER',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

/** docker's units.BytesSize (1024-based: KiB, MiB…), two decimals trimmed as Go's %.4g does. */
export function binarySize(n: number): string {
  return scaled(n, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']);
}

/** docker's units.HumanSizeWithPrecision(n, 3) (1000-based: kB, MB…). */
export function decimalSize(n: number): string {
  return scaled(n, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB']);
}

function scaled(n: number, base: number, units: string[]): string {
  let i = 0;
  while (n >= base && i < units.length - 1) {
    n /= base;
    i++;
  }
  return `${Number(n.toPrecision(i === 0 ? Math.max(1, String(Math.round(n)).length) : 3))}${units[i]}`;
}

const pct = (x: number) => `${x.toFixed(2)}%`;

export function statsRow(c: ContainerInfo, s: ContainerSample | undefined, hostMem: number): StatsRow {
  const limit = s?.memLimit ?? hostMem;
  const used = s?.memUsage ?? 0;
  return {
    ID: c.id.slice(0, 12),
    Container: c.id.slice(0, 12),
    Name: c.name,
    CPUPerc: s ? pct(s.cpuPercent) : '--',
    MemUsage: s ? `${binarySize(used)} / ${binarySize(limit)}` : '-- / --',
    MemPerc: s ? pct(limit > 0 ? (used / limit) * 100 : 0) : '--',
    NetIO: s ? `${decimalSize(s.netRx)} / ${decimalSize(s.netTx)}` : '-- / --',
    BlockIO: s ? `${decimalSize(s.blkRead)} / ${decimalSize(s.blkWrite)}` : '-- / --',
    PIDs: s ? String(s.pids) : '--',
  };
}
