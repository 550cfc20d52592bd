// What the stats sampler produces. The dashboard reads these through the store;
// units are raw (bytes, nanoseconds, percent of one core) and humanised only in the UI.

import type { ContainerInfo } from '../types.js';

export interface ContainerSample {
  id: string;
  /** Wall-clock time of the sample, ms since the epoch. */
  time: number;
  /** CPU use over the last interval, percent of one core (200 = two cores busy). */
  cpuPercent: number;
  /** Percent of the container's CPU limit (--cpus), or null when unlimited. */
  cpuLimitPercent: number | null;
  /** Memory in use minus inactive file cache, as docker reports it. */
  memUsage: number;
  memLimit: number | null;
  pids: number;
  pidsLimit: number | null;
  blkRead: number;
  blkWrite: number;
  netRx: number;
  netTx: number;
}

export interface HostSample {
  time: number;
  /** Busy share of the whole host, 0–100. */
  cpuPercent: number;
  memUsed: number;
  memTotal: number;
  load: [number, number, number];
}

export interface HostInfo {
  hostname: string;
  os: string;
  cpuModel: string;
  cores: number;
  memTotal: number;
}

/** Fixed-size history per series (≥ 5 minutes at the default 1 s interval), oldest first; read-only. */
export interface History {
  readonly cpu: readonly number[];
  readonly mem: readonly number[];
}

/** `samples` is a new map each sweep, never changed after it is handed over (readers keep it as it is). */
export type SampleListener = (samples: ReadonlyMap<string, ContainerSample>, host: HostSample, containers: ContainerInfo[]) => void;

export interface StatsSource {
  /**
   * Called after every sweep with the samples of all running containers and the
   * container list the sweep read (all containers, exited ones too), so a reader
   * that shows the list does not read every record a second time.
   */
  onSample(cb: SampleListener): () => void;
  history(id: string): History;
  /** The last `n` CPU samples of a container (what a table's sparkline shows) without copying its whole history. */
  cpuTail?(id: string, n: number): readonly number[];
  hostInfo(): Promise<HostInfo>;
  start(intervalMs: number): void;
  stop(): void;
}
