// The terminal dashboard, opened by `hutch` without a command once the command
// line has resolved its options and seen a terminal (src/cli/dashboard.ts). This
// module stays free of Ink and React (they load from ./session.js), then runs
// the dashboard until `q`, Ctrl+C or a signal, restoring the terminal on every
// way out.
import type { EngineApi } from '../engine/types.js';
import { exitAfterHangup, exitIfHungUp } from '../engine/hangup.js';
import type { StatsSource } from '../engine/stats/types.js';
import type { DashboardConfig } from './config.js';
import { startController, type FirstFrame } from './first-frame.js';
import { importForInk } from './load.js';
import type { Theme } from './theme.js';
import type { Session } from './session.js';

type Env = Record<string, string | undefined>;

/** What the dashboard runs with: resolved from flags, the environment and the config file. */
export interface DashboardOptions {
  config: DashboardConfig;
  theme: Theme;
  intervalMs: number;
  env: Env;
}

export interface RunOptions extends DashboardOptions {
  stats?: StatsSource;
  /** A terminal (default: process.stdout). */
  stdout?: NodeJS.WriteStream;
  /** Drawn by the command line before this module loaded (first-frame.ts): its controller goes on. */
  first?: FirstFrame;
}

/** The Ink part, imported as Ink must be (see load.ts); when the CLI's bundle
 * loaded this module through loadDashboard, that happened already. */
const importSession = () => importForInk(() => import('./session.js'));

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export async function runDashboard(engine: EngineApi, opts: RunOptions): Promise<number> {
  const { env } = opts;
  const stdout = opts.stdout ?? process.stdout;
  const first = opts.first;

  let session!: Session;
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  // Started by the first frame already, or here: the container list and the first
  // stats sweep are read while Ink and React load (issue 11 item 18).
  const started = first ?? (await startController(engine, opts));
  const { controller } = started;
  started.bind({ handoff: (banner, task) => session.handoff(banner, task), quit: () => quit() });
  try {
    const { Session } = await importSession();
    const colors = env.TERM !== 'dumb';
    session = new Session({ stdout, colors, altScreen: first?.drawn, firstStdin: first?.stdin });
  } catch (e) {
    if (first) first.abandon();
    else controller.stop();
    throw e;
  }
  // From here the session's handlers below put the terminal back.
  first?.handOver();

  let cleaned = false;
  // Set when the dashboard ends on purpose (q, a signal, an error): an exit without
  // it is the terminal going away (stdin at EOF, nothing left to wait for).
  let ended = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    try {
      controller.stop();
    } catch {
      // keep restoring the terminal
    }
    try {
      session.restore();
    } catch {
      // the terminal may be gone (SIGHUP)
    }
  };
  let leaving: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    // During a hand-off Ctrl+C belongs to the shell.
    if (sig === 'SIGINT' && session.handingOff) return;
    // Told to go during a hand-off: the shell (or foreground container) got it too,
    // relayed (container-actions.ts relaying): leave once it has ended, so neither it
    // nor its monitor is left running with nobody at the terminal (5 s at most).
    if (session.handingOff) {
      if (leaving) return;
      leaving = sig;
      const since = Date.now();
      const poll = setInterval(() => {
        if (session.handingOff && Date.now() - since < 5000) return;
        clearInterval(poll);
        leaving = undefined;
        session.handingOff = false;
        onSignal(sig);
      }, 20);
      return;
    }
    cleanup();
    // The terminal is gone: Node's own reset of it at exit would abort the process.
    if (sig === 'SIGHUP') exitAfterHangup(128 + (SIGNAL_NUMBERS[sig] ?? 1));
    ended = true;
    process.exit(128 + (SIGNAL_NUMBERS[sig] ?? 0));
  };
  const onFatal = (err: unknown) => {
    cleanup();
    // A write to a terminal that hung up: that is a hangup, not a failure of ours.
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EIO' || code === 'ENXIO') exitAfterHangup(129);
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`hutch: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
    if (env.HUTCH_DEBUG === '1' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    ended = true;
    process.exit(125);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  process.on('exit', cleanup);
  // A hangup can end the process with no code of ours running (stdin at EOF, the
  // event loop empty): the last say is the exit event. The terminal's hangup may not
  // have reached our fds yet (the kernel does it a moment later), so the probe alone
  // would miss it, and Node's reset of the terminal after this event would abort.
  process.on('exit', () => {
    cleanup();
    if (!ended) exitAfterHangup(129);
    exitIfHungUp();
  });

  try {
    session.enterAltScreen();
    session.mount(controller);
    await quitting;
  } finally {
    ended = true;
    cleanup();
    for (const s of signals) process.off(s, onSignal);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
    process.off('exit', cleanup);
  }
  // Ended by its terminal going away (stdin at EOF, or the hangup's signal lost)?
  exitIfHungUp();
  return 0;
}

/**
 * For test/unit/dashboard-bundle.test.ts: Ink's render and Text, React's
 * createElement and the Output patch, as this module has them — in
 * dist/dashboard.mjs, the bundled copies the dashboard draws with.
 */
export async function inkAsBundled() {
  const [ink, react, cache] = await importForInk(() => Promise.all([import('ink'), import('react'), import('./ink-output-cache.js')]));
  const patch = await cache.installOutputCache();
  return { render: ink.render, Text: ink.Text, createElement: react.createElement, patch, status: cache.outputCacheStatus(), source: cache.outputCacheSource() };
}
