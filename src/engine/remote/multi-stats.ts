// The dashboard's one StatsSource over this machine and the remote ones: each local
// sweep is handed on with the remote hosts' last rows and figures added (after the
// local rows, in host order), so the table redraws once per interval whatever the
// number of hosts; a remote host's frame waits for the next sweep (at most one
// interval). History and the sparkline's tail come from Remotes for remote ids.
import type { ContainerSample, History, HostInfo, SampleListener, StatsSource } from '../stats/types.js';
import type { Remotes } from './remotes.js';

export class MultiHostStats implements StatsSource {
  constructor(
    private readonly local: StatsSource,
    private readonly remotes: Remotes,
  ) {}

  onSample(cb: SampleListener): () => void {
    return this.local.onSample((samples, host, containers) => {
      const remote = this.remotes.rows();
      if (remote.every((r) => r.rows.length === 0)) return cb(samples, host, containers);
      const all = new Map<string, ContainerSample>(samples);
      const rows = containers.slice();
      for (const r of remote) {
        for (const c of r.rows) rows.push(c);
        for (const [id, s] of r.samples) all.set(id, s);
      }
      cb(all, host, rows);
    });
  }

  history(id: string): History {
    return this.remotes.history(id) ?? this.local.history(id);
  }

  cpuTail(id: string, n: number): readonly number[] {
    const remote = this.remotes.cpuTail(id, n);
    if (remote) return remote;
    return this.local.cpuTail ? this.local.cpuTail(id, n) : this.local.history(id).cpu.slice(-n);
  }

  hostInfo(): Promise<HostInfo> {
    return this.local.hostInfo();
  }

  start(intervalMs: number): void {
    this.remotes.start();
    this.local.start(intervalMs);
  }

  stop(): void {
    try {
      this.local.stop();
    } finally {
      this.remotes.close();
    }
  }
}
