// The stats sampler: every interval, reads each running container's cgroup files
// (kept open, re-read at offset 0 through the addon) and its network counters, turns
// counters into rates, and keeps ring-buffer history per container. New and removed
// containers are picked up on the next sweep. No UI code here.
import fs from 'node:fs';
import os from 'node:os';
import type { ContainerInfo, EngineApi } from '../types.js';
import type { Native } from '../native/native.js';
import { parseFlatKeyed, parseMax } from '../cgroups/parse.js';
import { Ring } from './ring.js';
import { loadNative } from '../native/real.js';
import { netTotals, statFiles, type StatFiles } from './files.js';
import type { ContainerSample, History, HostInfo, HostSample, SampleListener, StatsSource } from './types.js';

/** 10 minutes at 1 s. */
const HISTORY = 600;
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

export interface SamplerOptions {
  intervalMs?: number;
  native?: Native;
}

export function createSampler(engine: EngineApi, opts: SamplerOptions = {}): StatsSource {
  return new Sampler(engine, opts.native);
}

export class Sampler implements StatsSource {
  private tracked = new Map<string, Tracked>();
  private listeners = new Set<SampleListener>();
  private timer: NodeJS.Timeout | null = null;
  private native: Native | null;
  private lastHost: { busy: number; total: number } | null = null;
  private sweeping = false;

  constructor(private readonly engine: EngineApi, native?: Native) {
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
      const seen = new Set<string>();
      const now = Date.now();
      const out = new Map<string, ContainerSample>();
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
        out.set(info.id, this.read(t, now));
      }
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

  private readFd(fd: number): string {
    if (fd < 0) return '';
    try {
      return this.nat().preadString(fd);
    } catch {
      return '';
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

  private read(t: Tracked, now: number): ContainerSample {
    if (++t.sweeps % LIMIT_REFRESH_SWEEPS === 0) this.refreshLimits(t);
    const cpuNs = t.files.cpuNs(this.readFd(t.fds.cpu));
    const usage = Number(this.readFd(t.fds.mem).trim()) || 0;
    const inactive = parseFlatKeyed(this.readFd(t.fds.memStat))[t.files.inactiveKey] ?? 0;
    const memUsage = Math.max(0, usage - inactive);
    const pids = Number(this.readFd(t.fds.pids).trim()) || 0;
    const io = t.files.ioTotals(this.readFd(t.fds.io));
    const net = netTotals(this.readFd(t.fds.net));
    let cpuPercent = 0;
    if (t.lastCpuNs >= 0 && now > t.lastTime) cpuPercent = ((cpuNs - t.lastCpuNs) / 1e6 / (now - t.lastTime)) * 100;
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
