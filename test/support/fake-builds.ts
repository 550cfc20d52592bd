// The fake engine's running builds: in memory, as `hutch build` processes would
// have written their status files (src/engine/build/status.ts). A test starts one,
// moves it through its steps and ends it; the fake lists them as listBuilds does
// (oldest first, copies, so the dashboard never holds the fake's own objects).
import type { BuildInfo } from '../../src/engine/types.js';

export class FakeBuilds {
  private readonly running = new Map<number, BuildInfo>();
  private nextPid = 7000;

  /** A build that started `p.started` (default now), untagged unless told. */
  start(p: Partial<BuildInfo> = {}): BuildInfo {
    const b: BuildInfo = {
      pid: p.pid ?? this.nextPid++,
      startTime: 1,
      tags: [],
      context: '/nonexistent/context',
      dockerfile: 'Dockerfile',
      started: new Date().toISOString(),
      step: 1,
      steps: 1,
      current: 'FROM host',
      ...p,
    };
    this.running.set(b.pid, b);
    return b;
  }

  /** Its next step, as the writer's update does. */
  update(pid: number, p: Partial<BuildInfo>): void {
    const b = this.running.get(pid);
    if (!b) throw new Error(`fake builds: no build with pid ${pid}`);
    this.running.set(pid, { ...b, ...p });
  }

  /** The build ended: it is no longer listed. */
  end(pid: number): void {
    this.running.delete(pid);
  }

  list(): BuildInfo[] {
    return [...this.running.values()]
      .sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : a.pid - b.pid))
      .map((b) => ({ ...b, tags: [...b.tags] }));
  }
}
