// A remote host's stream rows (engine/stats/stream.ts) as the dashboard's own types:
// a ContainerInfo with `host` set and a ContainerSample. The id is made unique across
// machines (`<id>@<host>`: two hosts may run the same image's container, `--host
// localhost` shows this machine's twice), while its first 12 characters stay the
// container's short id, which is what the table shows.
import type { ContainerInfo, ContainerStatus } from '../types.js';
import type { ContainerSample } from '../stats/types.js';
import type { StreamContainer } from '../stats/stream.js';

/** The dashboard's id of `id` on `host`. */
export function remoteId(id: string, host: string): string {
  return `${id}@${host}`;
}

/** The container's own id and its host from a dashboard id; undefined for a local one. */
export function splitRemoteId(id: string): { id: string; host: string } | undefined {
  const at = id.indexOf('@');
  return at > 0 ? { id: id.slice(0, at), host: id.slice(at + 1) } : undefined;
}

const STATUS: Record<string, ContainerStatus> = { created: 'created', running: 'running', paused: 'running', restarting: 'exited', exited: 'exited' };

/** A health check's result without its settings: the table only asks whether there is one. */
const SOME_CHECK = { Test: ['NONE'], Interval: 0, Timeout: 0, StartPeriod: 0, StartInterval: 0, Retries: 0 };

export function remoteInfo(c: StreamContainer, host: string): ContainerInfo {
  const status = STATUS[c.state] ?? 'unknown';
  const info: ContainerInfo = {
    id: remoteId(c.id, host),
    name: c.name,
    image: c.image,
    command: [],
    created: c.created,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    status,
    // Not ours to signal: the remote pids mean nothing here. 1 while running keeps the
    // table's "changed?" check (list-patch.ts) noticing a stop.
    pid: status === 'running' ? 1 : 0,
    monitorPid: 0,
    exitCode: c.exitCode,
    oomKilled: false,
    spec: { image: c.image, name: c.name, ...(c.network ? { network: c.network } : {}) },
    bundle: '',
    logPath: '',
    cgroupPaths: {},
    restartCount: c.restarts,
    host,
  };
  if (c.state === 'paused') info.paused = true;
  if (c.state === 'restarting') info.restarting = true;
  if (c.engine) info.engine = c.engine;
  if (c.health) {
    info.healthcheck = SOME_CHECK;
    info.health = { Status: c.health as 'starting' | 'healthy' | 'unhealthy', FailingStreak: 0, Log: [] };
  }
  return info;
}

export function remoteSample(c: StreamContainer, id: string, time: number): ContainerSample {
  return {
    id,
    time,
    cpuPercent: c.cpu,
    cpuLimitPercent: null,
    memUsage: c.mem,
    memLimit: c.limit,
    pids: c.pids,
    pidsLimit: null,
    blkRead: c.blkRead,
    blkWrite: c.blkWrite,
    netRx: c.netRx,
    netTx: c.netTx,
  };
}
