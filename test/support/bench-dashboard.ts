// The dashboard as the bench children run it (bench/dashboard-child.ts, bench/
// remote-child.ts): the real Controller and Session (Ink) on a fake 160×50 terminal
// that counts what is written (and may copy it to a file, /dev/null for the CPU rows),
// with the tests' fake stdin that never sends a key. The UI is imported here, after
// NODE_ENV is set, as the shipped dashboard does (src/ui/main.ts importSession); the
// children unset CI before anything imports Ink.
import fs from 'node:fs';
import { FakeTtyOut, fakeStdin } from './fake-tty.js';
import type { EngineApi } from '../../src/engine/types.js';
import type { StatsSource } from '../../src/engine/stats/types.js';
import type { HostsSource } from '../../src/engine/remote/remotes.js';
import type { DashboardConfig } from '../../src/ui/config.js';
import type { Controller } from '../../src/ui/controller.js';

/** A TTY-like stdout of 160×50: each write's time and size, their total; copied to `fd` if given. */
export class BenchTty extends FakeTtyOut {
  writes: { t: number; bytes: number }[] = [];
  total = 0;
  constructor(private readonly fd?: number) {
    super(160, 50);
  }
  protected override record(chunk: string | Uint8Array): void {
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (this.fd !== undefined) fs.writeSync(this.fd, chunk as string);
    this.total += bytes;
    this.writes.push({ t: performance.now(), bytes });
  }
}

export interface BenchDashboard {
  controller: Controller;
  /** Stops the controller and gives the terminal back. */
  finish(): void;
}

/** The dashboard over `engine` and `stats`, drawing on `tty` in the alternate screen. */
export async function mountDashboard(opts: { engine: EngineApi; stats: StatsSource; hosts?: HostsSource; tty: BenchTty; intervalMs: number; config?: Partial<DashboardConfig> }): Promise<BenchDashboard> {
  process.env.NODE_ENV ??= 'production';
  const [{ Controller }, { defaultConfig }, { loadTheme }, { Session }] = await Promise.all([
    import('../../src/ui/controller.js'),
    import('../../src/ui/config.js'),
    import('../../src/ui/theme.js'),
    import('../../src/ui/session.js'),
  ]);
  const session = new Session({ stdout: opts.tty as unknown as NodeJS.WriteStream, stdin: fakeStdin(), colors: true });
  const controller = new Controller({
    engine: opts.engine,
    stats: opts.stats,
    ...(opts.hosts ? { hosts: opts.hosts } : {}),
    config: { ...defaultConfig(), ...opts.config },
    theme: loadTheme('dark'),
    intervalMs: opts.intervalMs,
    handoff: async () => {},
    quit: () => {},
  });
  session.enterAltScreen();
  controller.start();
  session.mount(controller);
  return {
    controller,
    finish: () => {
      controller.stop();
      session.restore();
    },
  };
}
