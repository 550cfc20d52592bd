// One dashboard run for the bench rows in bench/dashboard.ts, in a process of its
// own so that its CPU time is the dashboard's alone. The real Controller and
// Session (Ink 6.8, incremental rendering, maxFps 15, alternate screen) draw on a
// fake terminal (a TTY-like stdout of 160×50 that records every write, and a
// TTY-like stdin that never sends a key), fed by the tests' one fake engine
// (test/support/fake-engine.ts, the fake the dashboard tests use and the conformance
// suite holds to the real engine) and a fake stats source with ring-buffer histories.
//
// bench/dashboard.ts runs it bundled (see there); by hand: node --import tsx
// bench/dashboard-child.ts … (expect ~0.35 % more CPU from tsx's loader).
//
//   dashboard-child render N
//     Ticks by hand, 120 ms apart (Ink draws at most 15 frames a second):
//     phase "all": every container's stats change each tick → the time from the
//     tick (the stats source calling its onSample listeners) to the end of the
//     last terminal write it caused; phase "one": only one visible container's
//     stats change each tick → the bytes written per tick.
//   dashboard-child cpu N SECONDS WARMUP [quiet]
//     The real 1 s interval (stats ticks and the controller's own refresh), every
//     container's stats jittering (quiet: none changing), frames written to
//     /dev/null; process.cpuUsage() over SECONDS after WARMUP seconds.
//
// Prints one JSON line on stdout at the end.

// Ink decides at import time (is-in-ci) that a set CI means "draw nothing live":
// unset it before anything imports Ink (as src/ui/main.ts importSession() does).
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

import fs from 'node:fs';
import { BenchTty, mountDashboard } from '../test/support/bench-dashboard.js';
import type { ContainerInfo } from '../src/engine/types.js';
import type { ContainerSample, History, HostInfo, HostSample, SampleListener, StatsSource } from '../src/engine/stats/types.js';
import { Ring } from '../src/engine/stats/ring.js';

const [mode = 'render', nArg = '500', secArg = '60', warmArg = '5', quiet] = process.argv.slice(2);
const N = Number(nArg);
const HISTORY = 300;

/** A stats source with per-container ring-buffer histories (the sampler's Ring), ticking by hand or on a timer. */
class BenchStats implements StatsSource {
  private listeners = new Set<SampleListener>();
  private histories = new Map<string, { cpu: Ring; mem: Ring }>();
  private timer?: NodeJS.Timeout;
  private seq = 0;
  /** Samples of the last tick, by id. */
  current = new Map<string, ContainerSample>();
  host: HostSample = { time: Date.now(), cpuPercent: 7.5, memUsed: 6 * 1024 ** 3, memTotal: 32 * 1024 ** 3, load: [0.42, 0.37, 0.3] };
  /** Called by start()'s timer before each tick. */
  onTimer?: () => void;

  /** The container list each sweep carries, as the real sampler's does. */
  constructor(private readonly containers: ContainerInfo[]) {
    this.ids = containers.map((c) => c.id);
    this.ids.forEach((id, i) => {
      const s = base(id, i);
      this.current.set(id, s);
      // Full histories: the sparklines are full width from the first frame.
      const h = { cpu: new Ring(HISTORY), mem: new Ring(HISTORY) };
      for (let k = 0; k < HISTORY; k++) {
        h.cpu.push(s.cpuPercent);
        h.mem.push(s.memUsage);
      }
      this.histories.set(id, h);
    });
  }

  readonly ids: string[];

  onSample(cb: SampleListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Changes the stats of `changed` (default: all), appends every sample to its history, calls the listeners. */
  tick(changed?: readonly string[]): void {
    this.seq++;
    const now = Date.now();
    const next = new Map<string, ContainerSample>();
    const set = changed ? new Set(changed) : undefined;
    // Like the sampler: a fresh sample object per container and a new map each sweep.
    this.ids.forEach((id, i) => {
      const prev = this.current.get(id)!;
      const s = !set || set.has(id) ? jitter(prev, i, this.seq, now) : moved(prev, now, prev.cpuPercent, 0, 0, 0);
      next.set(id, s);
      const h = this.histories.get(id)!;
      h.cpu.push(s.cpuPercent);
      h.mem.push(s.memUsage);
    });
    this.current = next;
    if (!set) this.host = { ...this.host, time: now, cpuPercent: 5 + (this.seq % 7) };
    for (const l of this.listeners) l(next, this.host, this.containers);
  }

  history(id: string): History {
    const h = this.histories.get(id);
    return h ? { cpu: h.cpu.toArray(), mem: h.mem.toArray() } : { cpu: [], mem: [] };
  }

  cpuTail(id: string, n: number): readonly number[] {
    return this.histories.get(id)?.cpu.tail(n) ?? [];
  }

  async hostInfo(): Promise<HostInfo> {
    return { hostname: 'benchhost', os: 'Linux', cpuModel: 'Bench CPU', cores: 16, memTotal: 32 * 1024 ** 3 };
  }

  start(intervalMs: number): void {
    if (mode !== 'cpu') return; // the render phases tick by hand
    this.timer = setInterval(() => {
      this.onTimer?.();
      this.tick(quiet === 'quiet' ? [] : undefined);
    }, intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

function base(id: string, i: number): ContainerSample {
  return {
    id,
    time: Date.now(),
    cpuPercent: (i % 13) * 0.7,
    cpuLimitPercent: null,
    memUsage: (20 + (i % 50)) * 1024 * 1024,
    memLimit: i % 3 === 0 ? 512 * 1024 * 1024 : null,
    pids: 1 + (i % 9),
    pidsLimit: null,
    blkRead: 0,
    blkWrite: 0,
    netRx: 1000 * i,
    netTx: 500 * i,
  };
}

/** The next sample of a container whose numbers move: CPU, memory and network counters.
 * Spelled out field by field (no spread): the fake source should cost next to nothing. */
function jitter(s: ContainerSample, i: number, seq: number, time: number): ContainerSample {
  const wobble = ((i * 7919 + seq * 104729) % 1000) / 1000; // deterministic, 0–1
  const cpu = Math.round(wobble * 400) / 10;
  return moved(s, time, cpu, Math.round((wobble - 0.5) * 4096 * 64), Math.round(wobble * 20000), Math.round(wobble * 9000));
}

/** A new sample object: `s` at `time` with CPU at `cpu` and the other figures moved by the deltas. */
function moved(s: ContainerSample, time: number, cpu: number, dMem: number, dRx: number, dTx: number): ContainerSample {
  return {
    id: s.id,
    time,
    cpuPercent: cpu,
    cpuLimitPercent: s.cpuLimitPercent,
    memUsage: s.memUsage + dMem,
    memLimit: s.memLimit,
    pids: s.pids,
    pidsLimit: s.pidsLimit,
    blkRead: s.blkRead,
    blkWrite: s.blkWrite,
    netRx: s.netRx + dRx,
    netTx: s.netTx + dTx,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

async function main(): Promise<void> {
  process.env.NODE_ENV ??= 'production';
  const { FakeEngine } = await import('../test/support/fake-engine.js');

  const engine = new FakeEngine();
  const started = new Date(Date.now() - 3 * 3600_000).toISOString(); // "running 3h": steady over the run
  for (let i = 0; i < N; i++) {
    engine.add({ name: `svc-${String(i).padStart(4, '0')}`, image: i % 4 ? 'host' : 'busybox', startedAt: started, created: started });
  }
  const stats = new BenchStats(engine.containers);
  // The fake engine records every call (the dashboard lists once a second): keep that from growing.
  stats.onTimer = () => {
    engine.calls.length = 0;
  };
  const tty = new BenchTty(mode === 'cpu' ? fs.openSync('/dev/null', 'w') : undefined);
  const { controller, finish } = await mountDashboard({
    engine,
    stats,
    tty,
    intervalMs: mode === 'cpu' ? 1000 : 3_600_000, // render: only our ticks draw
    // Sorted by name: "1 row moves" measures one changing row in place. Under the
    // default CPU sort a changing row also changes places, or leaves the screen.
    config: { sort: { key: 'name', desc: false } },
  });

  if (mode === 'cpu') {
    const seconds = Number(secArg);
    const warmup = Number(warmArg);
    await sleep(warmup * 1000);
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const b0 = tty.total;
    const frames0 = tty.writes.length;
    await sleep(seconds * 1000);
    const cpu = process.cpuUsage(c0);
    const wall = performance.now() - w0;
    const bytes = tty.total - b0;
    finish();
    out({
      mode,
      containers: N,
      quiet: quiet === 'quiet',
      seconds: wall / 1000,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
      userMs: cpu.user / 1000,
      systemMs: cpu.system / 1000,
      bytesPerSecond: bytes / (wall / 1000),
      writes: tty.writes.length - frames0,
    });
    return;
  }

  // render: let the first frame, the host info and the first list land.
  stats.tick();
  await sleep(300);
  const GAP = 120;
  const measure = async (ticks: number, changed?: () => string[]) => {
    const lat: number[] = [];
    const bytes: number[] = [];
    let empty = 0;
    for (let i = 0; i < ticks; i++) {
      const ids = changed?.();
      const from = tty.writes.length;
      const t0 = performance.now();
      stats.tick(ids);
      await sleep(GAP);
      const ws = tty.writes.slice(from);
      if (ws.length === 0) {
        empty++;
        bytes.push(0);
        continue;
      }
      lat.push(ws[ws.length - 1].t - t0);
      bytes.push(ws.reduce((n, w) => n + w.bytes, 0));
    }
    return { lat, bytes, empty };
  };
  // Warm-up (JIT), not recorded.
  await measure(10);
  const all = await measure(Number(process.env.BENCH_DASH_FRAMES ?? 80));
  // One visible container (the sixth row on screen) changes each tick; the rest stay put.
  const visible = controller.visible(controller.store.get());
  const one = visible[Math.min(5, visible.length - 1)].id;
  // The other rows settle first: each sparkline keeps moving until the "all" phase's
  // jitter has scrolled out of it, one cell a tick, and a sparkline grows up to 60
  // cells on a wide screen (GROW in src/ui/views/table.ts).
  await measure(64, () => [one]);
  const single = await measure(40, () => [one]);
  const fullFrame = Math.max(0, ...tty.writes.map((w) => w.bytes));
  finish();
  const stat = (xs: number[]) => ({ p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: Math.max(...xs), n: xs.length });
  out({
    mode,
    containers: N,
    rowsOnScreen: controller.pageRows,
    largestWrite: fullFrame,
    all: { ms: stat(all.lat), bytes: stat(all.bytes), empty: all.empty },
    one: { ms: stat(single.lat), bytes: stat(single.bytes), empty: single.empty },
  });
}

function out(o: unknown): void {
  process.stdout.write(`${JSON.stringify(o)}\n`, () => process.exit(0));
}

main().catch((e) => {
  process.stderr.write(`dashboard-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
