// What the stats sampler produces. The dashboard reads these through the store;
// units are raw (bytes, nanoseconds, percent of one core) and humanised only in the UI.

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

/** Fixed-size history per series (≥ 5 minutes at the default 1 s interval). */
export interface History {
  cpu: number[];
  mem: number[];
}

export interface StatsSource {
  /** Called after every sweep with the samples of all running containers. */
  onSample(cb: (samples: Map<string, ContainerSample>, host: HostSample) => void): () => void;
  history(id: string): History;
  hostInfo(): Promise<HostInfo>;
  start(intervalMs: number): void;
  stop(): void;
}
