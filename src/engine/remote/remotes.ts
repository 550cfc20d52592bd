// The remote machines of one dashboard: their RemoteHost streams, their rows as the
// dashboard's types (convert.ts), each container's CPU and memory history (the stream
// carries only the last figures), and the hosts' states for the status line. The
// composite engine and stats source (multi-engine.ts, multi-stats.ts) read from here.
import fs from 'node:fs';
import { spawn as nodeSpawn, spawnSync } from 'node:child_process';
import type { ContainerInfo } from '../types.js';
import type { ContainerSample, History } from '../stats/types.js';
import { Ring } from '../stats/ring.js';
import { remoteId, remoteInfo, remoteSample, splitRemoteId } from './convert.js';
import { RemoteHost, type Clock, type HostState, type SpawnFn } from './remote-host.js';
import type { StreamContainer } from '../stats/stream.js';
import { removeControlDir, sshExitArgv, type SshConfig } from './ssh.js';
import { withDetail, type RemoteDetail } from './remote-detail.js';

/** What the dashboard shows of a host: up, connecting or down (with why). */
export interface HostStatus {
  name: string;
  state: HostState;
  error?: string;
}

/** The hosts' states, for the UI (its status line, the greyed rows of a host that is down). */
export interface HostsSource {
  hosts(): readonly HostStatus[];
  /** Called when a host (`changed`) comes up, goes down or fails for another reason; returns the unsubscribe. */
  onHosts(cb: (hosts: readonly HostStatus[], changed: HostStatus) => void): () => void;
}

/** Samples kept per container: 5 minutes at 1 s, as the local sampler keeps. */
const HISTORY = 300;

interface HostRows {
  seq: number;
  rows: ContainerInfo[];
  samples: Map<string, ContainerSample>;
  /** Per container id: the stream row each was made from, to reuse what did not change. */
  made: Map<string, { from: StreamContainer; info: ContainerInfo; sample?: ContainerSample }>;
}

/** The stream fields a ContainerInfo is made of (the rest are figures, in the sample). */
const INFO_FIELDS = ['name', 'image', 'state', 'exitCode', 'created', 'startedAt', 'finishedAt', 'health', 'restarts', 'engine', 'network'] as const;

export interface RemotesOptions {
  ssh: SshConfig;
  intervalMs: number;
  spawn?: SpawnFn;
  clock?: Clock;
}

export class Remotes implements HostsSource {
  readonly hostList: RemoteHost[];
  readonly ssh: SshConfig;
  readonly spawn: SpawnFn;
  private readonly byName = new Map<string, RemoteHost>();
  private readonly built = new Map<string, HostRows>();
  private readonly cpu = new Map<string, Ring>();
  private readonly mem = new Map<string, Ring>();
  private readonly listeners = new Set<(hosts: readonly HostStatus[], changed: HostStatus) => void>();
  /** Per dashboard id: what `hutch inspect` there said (the detail view asked), merged into its row. */
  private readonly details = new Map<string, RemoteDetail>();
  private started = false;
  private closed = false;

  constructor(names: readonly string[], opts: RemotesOptions) {
    this.ssh = opts.ssh;
    this.spawn = opts.spawn ?? nodeSpawn;
    // A host named twice is one host.
    this.hostList = [...new Set(names)].map(
      (name) => new RemoteHost(name, { ssh: opts.ssh, intervalMs: opts.intervalMs, spawn: this.spawn, clock: opts.clock, onChange: (h) => this.changed(h) }),
    );
    for (const h of this.hostList) this.byName.set(h.name, h);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    for (const h of this.hostList) h.start();
  }

  host(name: string): RemoteHost | undefined {
    return this.byName.get(name);
  }

  /** The remote host and container id of a dashboard id, if it is a remote one of ours. */
  route(id: string): { host: RemoteHost; id: string } | undefined {
    const r = splitRemoteId(id);
    const host = r && this.byName.get(r.host);
    return host && r ? { host, id: r.id } : undefined;
  }

  hosts(): HostStatus[] {
    return this.hostList.map((h) => ({ name: h.name, state: h.state, ...(h.error ? { error: h.error } : {}) }));
  }

  onHosts(cb: (hosts: readonly HostStatus[], changed: HostStatus) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private lastStates = new Map<string, string>();
  private changed(h: RemoteHost): void {
    if (h.state === 'up') this.record(h);
    // Each frame comes here, and each failed attempt: the UI hears of a change of state or
    // of reason only (the same error every few seconds would bury the status line).
    const key = `${h.state}\n${h.error ?? ''}`;
    if (this.lastStates.get(h.name) === key) return;
    this.lastStates.set(h.name, key);
    const list = this.hosts();
    const changed = list.find((x) => x.name === h.name)!;
    for (const cb of this.listeners) cb(list, changed);
  }

  /** A new frame of `h`: its running containers' figures go into their history. */
  private record(h: RemoteHost): void {
    const seen = new Set<string>();
    for (const c of h.containers.values()) {
      const id = remoteId(c.id, h.name);
      seen.add(id);
      if (c.state !== 'running') continue;
      let cpu = this.cpu.get(id);
      if (!cpu) {
        cpu = new Ring(HISTORY);
        this.cpu.set(id, cpu);
        this.mem.set(id, new Ring(HISTORY));
      }
      cpu.push(c.cpu);
      this.mem.get(id)!.push(c.mem);
    }
    const suffix = `@${h.name}`;
    for (const id of this.cpu.keys()) {
      if (id.endsWith(suffix) && !seen.has(id)) {
        this.cpu.delete(id);
        this.mem.delete(id);
      }
    }
    for (const id of this.details.keys()) if (id.endsWith(suffix) && !seen.has(id)) this.details.delete(id);
  }

  /** Keeps the remote inspect's fields of `dashId` for its row (rebuilt at the next look). */
  setDetail(dashId: string, d: RemoteDetail): void {
    const r = this.route(dashId);
    if (!r) return;
    this.details.set(dashId, d);
    const b = this.built.get(r.host.name);
    if (b) {
      b.made.delete(r.id);
      b.seq = -1;
    }
  }

  detail(dashId: string): RemoteDetail | undefined {
    return this.details.get(dashId);
  }

  /** Every remote host's rows and samples (built again only for a host with a new frame). */
  rows(): { rows: ContainerInfo[]; samples: Map<string, ContainerSample> }[] {
    return this.hostList.map((h) => {
      let b = this.built.get(h.name);
      if (!b || b.seq !== h.seq) {
        // 100s of rows a second per host: an unchanged container (the decoder keeps its
        // object) keeps its row and sample, a changed one keeps its row unless more than
        // its figures changed.
        const prev = b?.made;
        const rows: ContainerInfo[] = [];
        const samples = new Map<string, ContainerSample>();
        const made: HostRows['made'] = new Map();
        for (const c of h.containers.values()) {
          const old = prev?.get(c.id);
          const same = old && (old.from === c || INFO_FIELDS.every((k) => old.from[k] === c[k]));
          const info = same ? old.info : withDetail(remoteInfo(c, h.name), this.details.get(remoteId(c.id, h.name)));
          const live = c.state === 'running' || c.state === 'paused';
          const sample = !live ? undefined : old?.from === c && old.sample ? old.sample : remoteSample(c, info.id, h.t);
          rows.push(info);
          if (sample) samples.set(info.id, sample);
          made.set(c.id, { from: c, info, sample });
        }
        b = { seq: h.seq, rows, samples, made };
        this.built.set(h.name, b);
      }
      return b;
    });
  }

  /** The rows of all remote hosts, in host order. */
  allRows(): ContainerInfo[] {
    return this.rows().flatMap((r) => r.rows);
  }

  history(id: string): History | undefined {
    const cpu = this.cpu.get(id);
    return cpu ? { cpu: cpu.toArray(), mem: this.mem.get(id)!.toArray() } : undefined;
  }

  cpuTail(id: string, n: number): readonly number[] | undefined {
    return this.cpu.get(id)?.tail(n);
  }

  /** Ends every stream, asks each host's ssh master to exit, removes the control directory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.hostList) h.close();
    // Only where ssh made a master (its socket is in our directory).
    // Actions make a master too (a shell, a stop), with or without the stream started.
    if (hasSockets(this.ssh.controlDir)) {
      for (const h of this.hostList) {
        // Quick and local: the master is a process of ours listening on our socket.
        spawnSync(this.ssh.program, sshExitArgv(this.ssh, h.name), { stdio: 'ignore', timeout: 2000, env: this.ssh.env as NodeJS.ProcessEnv });
      }
    }
    removeControlDir(this.ssh);
  }
}

function hasSockets(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
