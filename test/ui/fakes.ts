// The dashboard tests' fakes: the engine is the one shared fake (test/support/
// fake-engine.ts, under the name these tests know it by), and a stats source the test
// drives by hand.
import type { ContainerSample, History, HostInfo, HostSample, SampleListener, StatsSource } from '../../src/engine/stats/types.js';
import { FakeEngine } from '../support/fake-engine.js';

export { FakeEngine as UiFakeEngine };

export function sample(id: string, p: Partial<ContainerSample> = {}): ContainerSample {
  return {
    id,
    time: Date.now(),
    cpuPercent: 0,
    cpuLimitPercent: null,
    memUsage: 0,
    memLimit: null,
    pids: 1,
    pidsLimit: null,
    blkRead: 0,
    blkWrite: 0,
    netRx: 0,
    netTx: 0,
    ...p,
  };
}

export class FakeStats implements StatsSource {
  private listeners = new Set<SampleListener>();
  histories = new Map<string, { cpu: number[]; mem: number[] }>();
  started?: number;
  stopped = false;
  host: HostSample = { time: Date.now(), cpuPercent: 12.5, memUsed: 2 * 1024 ** 3, memTotal: 8 * 1024 ** 3, load: [0.5, 0.25, 0.1] };

  /** The engine whose container list each sweep carries, as the real sampler's does. */
  constructor(private readonly engine: FakeEngine) {}

  onSample(cb: SampleListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Sends one sweep; each sample is also appended to the history. */
  emit(samples: ContainerSample[]): void {
    for (const s of samples) {
      const h = this.histories.get(s.id) ?? { cpu: [], mem: [] };
      h.cpu.push(s.cpuPercent);
      h.mem.push(s.memUsage);
      this.histories.set(s.id, h);
    }
    const m = new Map(samples.map((s) => [s.id, s]));
    for (const l of this.listeners) l(m, this.host, [...this.engine.containers]);
  }

  history(id: string): History {
    return this.histories.get(id) ?? { cpu: [], mem: [] };
  }

  async hostInfo(): Promise<HostInfo> {
    return { hostname: 'testhost', os: 'Linux', cpuModel: 'Test CPU', cores: 4, memTotal: 8 * 1024 ** 3 };
  }

  start(intervalMs: number): void {
    this.started = intervalMs;
  }

  stop(): void {
    this.stopped = true;
  }
}
