// The stats sampler: every interval, reads each running container's cgroup files
// (kept open, re-read at offset 0 through the addon) and its network counters, turns
// counters into rates, and keeps ring-buffer history per container. New and removed
// containers are picked up on the next sweep. No UI code here.
import fs from 'node:fs';
import os from 'node:os';
import type { ContainerInfo, EngineApi } from '../types.js';
import type { Native } from '../native/native.js';
import { parseMax } from '../cgroups/parse.js';
import { Ring } from './ring.js';
import { loadNative } from '../native/real.js';
import { flatKeyed, netTotals, statFiles, type StatFiles } from './files.js';
import type { ContainerSample, History, HostInfo, HostSample, SampleListener, StatsSource } from './types.js';

/** 10 minutes at 1 s. */
const HISTORY = 600;
/** Files read per container each sweep: cpu, mem, memStat, pids, io, net. */
const FILES = 6;
/** memory.stat is the one expensive file (the kernel formats ~40 lines). */
const LIMIT_REFRESH_SWEEPS = 10;

interface Tracked {
  info: ContainerInfo;
  files: StatFiles;
  fds: { cpu: number; mem: number; memStat: number; pids: number; net: number; io: number };
  memLimit: number | null;
  pidsLimit: number | null;
  lastCpuNs: number;
  lastTime: number;
  cpu: Ring;
  mem: Ring;
  sweeps: number;
}

/**
 * A container's first sample has no previous counter to compare with. One that
 * started within the last few seconds has its cgroup's whole life behind its
 * counter (a new cgroup counts from 0 at start): its average since the start is
 * its real CPU now, shown at once instead of a 0.0 until the next sweep. One
 * that has run longer starts at 0 as before (its life's average would mislead).
 */
const FRESH_MS = 5000;
/** Below this, the start time's rounding would swamp the figure. */
const MIN_AGE_MS = 100;

export function firstCpuPercent(cpuNs: number, info: Pick<ContainerInfo, 'startedAt'>, now: number): number {
  const started = info.startedAt ? Date.parse(info.startedAt) : NaN;
  const age = now - started;
  if (!Number.isFinite(age) || age < MIN_AGE_MS || age > FRESH_MS || !(cpuNs > 0)) return 0;
  return (cpuNs / 1e6 / age) * 100;
}

export interface SamplerOptions {
  intervalMs?: number;
  native?: Native;
  /** Also other engines' containers (EngineApi.listForeign): the dashboard's read-only group. */
  foreign?: boolean;
}

export function createSampler(engine: EngineApi, opts: SamplerOptions = {}): StatsSource {
  return new Sampler(engine, opts.native, opts.foreign);
}

export class Sampler implements StatsSource {
  private tracked = new Map<string, Tracked>();
  private listeners = new Set<SampleListener>();
  private timer: NodeJS.Timeout | null = null;
  private native: Native | null;
  private lastHost: { busy: number; total: number } | null = null;
  private sweeping = false;

  constructor(private readonly engine: EngineApi, native?: Native, private readonly foreign = false) {
    this.native = native ?? loadNative();
  }

  onSample(cb: SampleListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  history(id: string): History {
    const t = this.tracked.get(id);
    if (!t) return { cpu: [], mem: [] };
    // Each series is copied out only when read (and once per sweep: see Ring.toArray).
    return {
      get cpu() {
        return t.cpu.toArray();
      },
      get mem() {
        return t.mem.toArray();
      },
    };
  }

  cpuTail(id: string, n: number): readonly number[] {
    return this.tracked.get(id)?.cpu.tail(n) ?? [];
  }

  /** Static host facts from systeminformation (once; it reads /proc and /sys and
   * may run a helper, so never per tick). Falls back to node:os. */
  async hostInfo(): Promise<HostInfo> {
    const cpus = os.cpus();
    const base: HostInfo = { hostname: os.hostname(), os: `${os.type()} ${os.release()}`, cpuModel: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, memTotal: os.totalmem() };
    try {
      const si = await import('systeminformation');
      const [o, c, m] = await Promise.all([si.osInfo(), si.cpu(), si.mem()]);
      return {
        hostname: o.hostname || base.hostname,
        os: [o.distro, o.release].filter(Boolean).join(' ') || base.os,
        cpuModel: [c.manufacturer, c.brand].filter(Boolean).join(' ') || base.cpuModel,
        cores: c.cores || base.cores,
        memTotal: m.total || base.memTotal,
      };
    } catch {
      return base;
    }
  }

  start(intervalMs: number): void {
    if (this.timer) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.tracked.values()) this.close(t);
    this.tracked.clear();
  }

  /** One pass over every running container; public for tests and the benchmark. */
  async sweep(): Promise<Map<string, ContainerSample>> {
    if (this.sweeping) return new Map();
    this.sweeping = true;
    try {
      const all = await this.engine.list({ all: true });
      if (this.foreign) all.push(...(await this.engine.listForeign().catch(() => [])));
      const seen = new Set<string>();
      const now = Date.now();
      const out = new Map<string, ContainerSample>();
      const sampled: Tracked[] = [];
      for (const info of all) {
        if (info.status !== 'running') continue;
        seen.add(info.id);
        let t = this.tracked.get(info.id);
        if (t && t.info.pid !== info.pid) {
          this.close(t); // restarted: new cgroup, new netns
          t = undefined;
        }
        if (!t) {
          t = this.open(info) ?? undefined;
          if (!t) continue;
          this.tracked.set(info.id, t);
        }
        sampled.push(t);
      }
      // Every file of every container in one call into the addon (not one per file).
      const fds = new Int32Array(sampled.length * FILES);
      sampled.forEach((t, i) => fds.set([t.fds.cpu, t.fds.mem, t.fds.memStat, t.fds.pids, t.fds.io, t.fds.net], i * FILES));
      const texts = this.readAll(fds);
      sampled.forEach((t, i) => out.set(t.info.id, this.read(t, now, texts, i * FILES)));
      for (const [id, t] of this.tracked) {
        if (!seen.has(id)) {
          this.close(t);
          this.tracked.delete(id);
        }
      }
      const host = this.host(now);
      for (const cb of this.listeners) cb(out, host, all);
      return out;
    } catch {
      return new Map(); // a failed sweep is skipped; the next one retries
    } finally {
      this.sweeping = false;
    }
  }

  private nat(): Native {
    if (!this.native) throw new Error('sampler: native addon not loaded');
    return this.native;
  }

  private openFd(p: string): number {
    if (!p) return -1;
    try {
      return this.nat().openRead(p);
    } catch {
      return -1;
    }
  }

  /** The files' contents, '' for any that could not be read (closed fd, removed cgroup). */
  private readAll(fds: Int32Array): string[] {
    if (fds.length === 0) return [];
    try {
      return this.nat().readMany(fds).map((t) => t ?? '');
    } catch {
      return Array.from(fds, () => '');
    }
  }

  private open(info: ContainerInfo): Tracked | null {
    const files = statFiles(info.cgroupPaths);
    if (!files) return null;
    const t: Tracked = {
      info,
      files,
      fds: {
        cpu: this.openFd(files.cpu),
        mem: this.openFd(files.mem),
        memStat: this.openFd(files.memStat),
        pids: this.openFd(files.pids),
        io: this.openFd(files.io),
        net: this.openFd(info.pid ? `/proc/${info.pid}/net/dev` : ''),
      },
      memLimit: null,
      pidsLimit: null,
      lastCpuNs: -1,
      lastTime: 0,
      cpu: new Ring(HISTORY),
      mem: new Ring(HISTORY),
      sweeps: 0,
    };
    this.refreshLimits(t);
    return t;
  }

  private refreshLimits(t: Tracked): void {
    const read = (p: string) => {
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        return '';
      }
    };
    t.memLimit = t.files.memLimit ? t.files.parseLimit(read(t.files.memLimit)) : null;
    t.pidsLimit = t.files.pidsMax ? parseMax(read(t.files.pidsMax)) : null;
  }

  /** One container's sample from its files' texts (texts[at…], in the order sweep() lists the fds). */
  private read(t: Tracked, now: number, texts: string[], at: number): ContainerSample {
    if (++t.sweeps % LIMIT_REFRESH_SWEEPS === 0) this.refreshLimits(t);
    const cpuNs = t.files.cpuNs(texts[at]);
    const usage = Number(texts[at + 1].trim()) || 0;
    const inactive = flatKeyed(texts[at + 2], t.files.inactiveKey) ?? 0;
    const memUsage = Math.max(0, usage - inactive);
    const pids = Number(texts[at + 3].trim()) || 0;
    const io = t.files.ioTotals(texts[at + 4]);
    const net = netTotals(texts[at + 5]);
    let cpuPercent = 0;
    if (t.lastCpuNs >= 0 && now > t.lastTime) cpuPercent = ((cpuNs - t.lastCpuNs) / 1e6 / (now - t.lastTime)) * 100;
    else if (t.lastCpuNs < 0) cpuPercent = firstCpuPercent(cpuNs, t.info, now);
    t.lastCpuNs = cpuNs;
    t.lastTime = now;
    cpuPercent = Math.max(0, cpuPercent);
    t.cpu.push(cpuPercent);
    t.mem.push(memUsage);
    const cpus = t.info.spec.cpus;
    return {
      id: t.info.id,
      time: now,
      cpuPercent,
      cpuLimitPercent: cpus ? cpuPercent / cpus : null,
      memUsage,
      memLimit: t.memLimit,
      pids,
      pidsLimit: t.pidsLimit,
      blkRead: io.read,
      blkWrite: io.write,
      netRx: net.rx,
      netTx: net.tx,
    };
  }

  private close(t: Tracked): void {
    for (const fd of Object.values(t.fds)) if (fd >= 0) this.native?.closeFd(fd);
  }

  private host(now: number): HostSample {
    let cpuPercent = 0;
    let memUsed = 0;
    let memTotal = os.totalmem();
    try {
      const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = (f[3] ?? 0) + (f[4] ?? 0);
      const total = f.reduce((a, b) => a + b, 0);
      if (this.lastHost && total > this.lastHost.total)
        cpuPercent = ((total - idle - this.lastHost.busy) / (total - this.lastHost.total)) * 100;
      this.lastHost = { busy: total - idle, total };
      const mi = fs.readFileSync('/proc/meminfo', 'utf8');
      const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(mi)?.[1] ?? 0) * 1024;
      memTotal = kb('MemTotal') || memTotal;
      memUsed = memTotal - kb('MemAvailable');
    } catch {
      /* not Linux /proc: leave zeros */
    }
    const l = os.loadavg();
    return { time: now, cpuPercent, memUsed, memTotal, load: [l[0], l[1], l[2]] };
  }
}
