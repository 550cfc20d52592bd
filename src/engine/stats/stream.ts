// `hutch stats --json`: newline-delimited JSON, a stable interface (the dashboard's
// remote view reads it over ssh; README "stats --json").
//
//   {"stream":"hutch-stats","version":1,"hutch":"0.1.0","host":"web-1","interval":1000}
//   {"t":1796616000123,"host":{"cpu":12.5,"mem":812000000,"memTotal":4100000000,"load":[0.2,0.1,0.05]},
//    "containers":[{"id":"…","name":"web","state":"running","cpu":1.2,"mem":10485760,…}],"gone":["…"]}
//
// After the first line, one object per interval. `containers` carries what changed
// since the previous object: a container seen for the first time comes whole, with a
// small number `n` the stream gives it (never reused within the stream); a known one
// as its `n` and only the fields whose value changed (a 64-digit id in every change
// would be most of the bytes); `gone` lists the ids that are no longer there. A reader
// keeps a map by id, and one from n to id, and merges. Unknown fields are to be
// ignored; a field's meaning never changes within a version. Figures: cpu is percent of
// one core (0.1 steps), mem/limit/net/blk are bytes (counters since the container
// started, net and blk), null where there is no limit.
import type { ContainerInfo } from '../types.js';
import type { ContainerSample, HostSample } from './types.js';
import { formatPortsColumn } from '../network/ports.js';

export const STREAM_NAME = 'hutch-stats';
export const STREAM_VERSION = 1;

export interface StreamHeader {
  stream: typeof STREAM_NAME;
  version: number;
  hutch: string;
  host: string;
  interval: number;
}

/** One container in the stream: docker's words for its state, hutch's figures. */
export interface StreamContainer {
  id: string;
  name: string;
  image: string;
  /** created, running, paused, restarting, exited, unknown. */
  state: string;
  exitCode: number | null;
  created: string;
  startedAt: string;
  finishedAt: string;
  /** starting, healthy, unhealthy; null without a check. */
  health: string | null;
  restarts: number;
  /** Another engine's container (runc, docker, kubernetes…); null for hutch's own. */
  engine: string | null;
  network: string;
  ports: string;
  cpu: number;
  mem: number;
  limit: number | null;
  pids: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
}

export interface StreamHost {
  cpu: number;
  mem: number;
  memTotal: number;
  load: [number, number, number];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

function stateOf(c: ContainerInfo): string {
  if (c.status === 'running') return c.paused ? 'paused' : 'running';
  if (c.status === 'exited' && c.restarting) return 'restarting';
  return c.status;
}

export function streamContainer(c: ContainerInfo, s: ContainerSample | undefined): StreamContainer {
  const running = c.status === 'running' && s;
  return {
    id: c.id,
    name: c.name,
    image: c.image,
    state: stateOf(c),
    exitCode: c.exitCode,
    created: c.created,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    health: c.healthcheck ? (c.health?.Status ?? 'starting') : null,
    restarts: c.restartCount ?? 0,
    engine: c.engine ?? null,
    network: c.endpoints?.map((e) => e.network).join(',') || c.spec.network || '',
    ports: formatPortsColumn(c.ports ?? []),
    cpu: running ? round1(s.cpuPercent) : 0,
    mem: running ? s.memUsage : 0,
    limit: running ? s.memLimit : null,
    pids: running ? s.pids : 0,
    netRx: running ? s.netRx : 0,
    netTx: running ? s.netTx : 0,
    blkRead: running ? s.blkRead : 0,
    blkWrite: running ? s.blkWrite : 0,
  };
}

export function streamHost(h: HostSample): StreamHost {
  return { cpu: round1(h.cpuPercent), mem: h.memUsed, memTotal: h.memTotal, load: [round2(h.load[0]), round2(h.load[1]), round2(h.load[2])] };
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Turns each interval's full picture into the lines of the stream (what changed only). */
export class StatsStreamEncoder {
  private last = new Map<string, StreamContainer>();
  private handles = new Map<string, number>();
  private next = 1;

  header(h: Omit<StreamHeader, 'stream' | 'version'>): string {
    return `${JSON.stringify({ stream: STREAM_NAME, version: STREAM_VERSION, ...h })}\n`;
  }

  frame(t: number, host: StreamHost, containers: readonly StreamContainer[]): string {
    const out: Partial<StreamContainer>[] = [];
    const seen = new Set<string>();
    for (const c of containers) {
      seen.add(c.id);
      const prev = this.last.get(c.id);
      this.last.set(c.id, c);
      if (!prev) {
        const n = this.next++;
        this.handles.set(c.id, n);
        out.push({ n, ...c } as Partial<StreamContainer>);
        continue;
      }
      const diff: Record<string, unknown> = { n: this.handles.get(c.id) };
      let changed = false;
      for (const k of Object.keys(c) as (keyof StreamContainer)[]) {
        if (k !== 'id' && !same(prev[k], c[k])) {
          diff[k] = c[k];
          changed = true;
        }
      }
      if (changed) out.push(diff as Partial<StreamContainer>);
    }
    const gone = [...this.last.keys()].filter((id) => !seen.has(id));
    for (const id of gone) {
      this.last.delete(id);
      this.handles.delete(id);
    }
    return `${JSON.stringify({ t, host, containers: out, ...(gone.length ? { gone } : {}) })}\n`;
  }
}

/** The reader's side: merges the stream's objects into the full picture (the remote view, tests). */
export class StatsStreamDecoder {
  readonly containers = new Map<string, StreamContainer>();
  private ids = new Map<number, string>();
  header: StreamHeader | null = null;
  host: StreamHost | null = null;
  t = 0;

  /** One line; throws on a line that is not the stream's (a wrong program, an older version). */
  push(line: string): void {
    const v = JSON.parse(line) as Record<string, unknown>;
    if (!this.header) {
      if (v.stream !== STREAM_NAME) throw new Error('not a hutch stats stream');
      if (v.version !== STREAM_VERSION) throw new Error(`hutch stats stream version ${String(v.version)} (this hutch reads ${STREAM_VERSION})`);
      this.header = v as unknown as StreamHeader;
      return;
    }
    this.t = Number(v.t);
    this.host = v.host as StreamHost;
    for (const raw of (v.containers ?? []) as (Partial<StreamContainer> & { n?: number })[]) {
      const { n, ...c } = raw;
      const id = c.id ?? (n !== undefined ? this.ids.get(n) : undefined);
      if (id === undefined) throw new Error(`hutch stats stream: a change for container ${String(n)}, never seen whole`);
      if (c.id !== undefined && n !== undefined) this.ids.set(n, c.id);
      const prev = this.containers.get(id);
      this.containers.set(id, prev ? { ...prev, ...c, id } : ({ ...c, id } as StreamContainer));
    }
    for (const id of (v.gone ?? []) as string[]) {
      this.containers.delete(id);
      for (const [n, x] of this.ids) if (x === id) this.ids.delete(n);
    }
  }
}
