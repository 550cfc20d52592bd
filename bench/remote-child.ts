// The dashboard with three remote hosts, for bench/remote.ts's CPU row, in a process
// of its own so that its CPU time is the dashboard's alone: the real Controller and
// Session (Ink) on a fake 160×50 terminal writing to /dev/null, the remote hosts
// through engine/remote (RemoteHost's ssh children: the `ssh` on PATH, a stand-in
// replaying a recorded stream), this machine with no containers (its stats source
// ticks every second with none, as the sampler would).
//
//   node remote-child.mjs SECONDS WARMUP      → one JSON line on stdout
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

import fs from 'node:fs';
import { BenchTty, mountDashboard } from '../test/support/bench-dashboard.js';
import type { ContainerSample, History, HostInfo, HostSample, SampleListener, StatsSource } from '../src/engine/stats/types.js';

const [secArg = '30', warmArg = '5'] = process.argv.slice(2);
const HOSTS = ['bench-1', 'bench-2', 'bench-3'];

/** This machine with no containers: an empty sweep every interval. */
class EmptyLocal implements StatsSource {
  private listeners = new Set<SampleListener>();
  private timer?: NodeJS.Timeout;
  host: HostSample = { time: Date.now(), cpuPercent: 5, memUsed: 6 * 1024 ** 3, memTotal: 32 * 1024 ** 3, load: [0.4, 0.3, 0.3] };
  onSample(cb: SampleListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  history(): History {
    return { cpu: [], mem: [] };
  }
  async hostInfo(): Promise<HostInfo> {
    return { hostname: 'benchhost', os: 'Linux', cpuModel: 'Bench CPU', cores: 16, memTotal: 32 * 1024 ** 3 };
  }
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      const samples = new Map<string, ContainerSample>();
      this.host = { ...this.host, time: Date.now() };
      for (const l of this.listeners) l(samples, this.host, []);
    }, intervalMs);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  process.env.NODE_ENV ??= 'production';
  const { FakeEngine } = await import('../test/support/fake-engine.js');
  const { withRemoteHosts } = await import('../src/engine/remote/index.js');

  const multi = withRemoteHosts({ engine: new FakeEngine(), stats: new EmptyLocal() }, HOSTS, { env: process.env, intervalMs: 1000 });
  const tty = new BenchTty(fs.openSync('/dev/null', 'w'));
  const { controller, finish } = await mountDashboard({ engine: multi.engine, stats: multi.stats, hosts: multi.hosts, tty, intervalMs: 1000 });
  await sleep(Number(warmArg) * 1000);
  const rows = controller.store.get().containers.length;
  const down = multi.hosts.hosts().filter((h) => h.state !== 'up');
  if (down.length) throw new Error(`hosts not up after the warm-up: ${down.map((h) => `${h.name} ${h.state} ${h.error ?? ''}`).join('; ')}`);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const b0 = tty.total;
  await sleep(Number(secArg) * 1000);
  const cpu = process.cpuUsage(c0);
  const wall = performance.now() - w0;
  const bytes = tty.total - b0;
  finish();
  process.stdout.write(
    `${JSON.stringify({ cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, seconds: wall / 1000, bytesPerSecond: bytes / (wall / 1000), rows })}\n`,
  );
  // Ink's stdin and timers would keep the process: the figures are out.
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
