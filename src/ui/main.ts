// `hutch` without a command: the terminal dashboard. This module stays free of
// Ink and React (they load from ./session.js once we know we have a terminal),
// validates the options first (flags, config file, theme: one-line errors, exit
// 125), then runs the dashboard until `q`, Ctrl+C or a signal, restoring the
// terminal on every way out.
import tty from 'node:tty';
import type { EngineApi } from '../engine/types.js';
import type { StatsSource } from '../engine/stats/types.js';
import { parseArgs, type OptionSpec } from '../cli/args.js';
import { UsageError } from '../cli/errors.js';
import { renderPs } from '../cli/verbs/ps.js';
import { loadConfig, type DashboardConfig } from './config.js';
import { importForInk } from './load.js';
import { Controller } from './controller.js';
import { parseInterval } from './format.js';
import { loadTheme, type Theme } from './theme.js';

type Env = Record<string, string | undefined>;

export const DASHBOARD_OPTIONS: OptionSpec[] = [
  { long: ['theme'], kind: 'string', value: 'NAME|PATH', help: 'Colour theme: dark, light, high-contrast, mono, or a JSON file (default: $HUTCH_THEME, the config file, dark)' },
  { long: ['interval'], kind: 'string', value: 'DURATION', help: 'Sampling interval, e.g. 1s, 500ms (default 1s)' },
];

export interface DashboardOptions {
  config: DashboardConfig;
  theme: Theme;
  intervalMs: number;
  env: Env;
}

/** Resolves flags, $HUTCH_THEME, $NO_COLOR and the config file. Throws one-line errors (exit 125). */
export function dashboardOptions(argv: readonly string[], env: Env): DashboardOptions {
  const p = parseArgs(argv, DASHBOARD_OPTIONS);
  if (p.args.length > 0) throw new UsageError(`${JSON.stringify(p.args[0])} is not a hutch command`);
  const config = loadConfig(env);
  let intervalMs = config.intervalMs ?? 1000;
  const flag = p.string('interval');
  if (flag !== undefined) {
    const ms = parseInterval(flag);
    if (ms === undefined || ms < 100) {
      throw new UsageError(`invalid argument "${flag}" for "--interval" flag: expected a duration of at least 100ms (e.g. 1s, 500ms)`);
    }
    intervalMs = ms;
  }
  const name = p.string('theme') ?? (env.HUTCH_THEME || undefined) ?? config.theme ?? 'dark';
  let theme = loadTheme(name);
  // https://no-color.org: set and not empty → no colour (bold and reverse video stay).
  if (env.NO_COLOR) theme = loadTheme('mono');
  return { config, theme, intervalMs, env };
}

export interface RunOptions extends Partial<DashboardOptions> {
  argv?: string[];
  stats?: StatsSource;
  stdout?: NodeJS.WriteStream;
}

type Writer = { write(chunk: string): unknown };

function isWriter(o: unknown): o is Writer {
  return typeof (o as Writer | undefined)?.write === 'function';
}

/** The Ink part, imported as Ink must be (see load.ts); when the CLI's bundle
 * loaded this module through loadDashboard, that happened already. */
const importSession = () => importForInk(() => import('./session.js'));

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export async function runDashboard(engine: EngineApi, options: RunOptions | Writer = {}): Promise<number> {
  // Older callers pass an output stream only.
  const opts: RunOptions = isWriter(options) ? { stdout: options as NodeJS.WriteStream } : options;
  const env = opts.env ?? process.env;
  const resolved =
    opts.config && opts.theme && opts.intervalMs ? (opts as DashboardOptions) : dashboardOptions(opts.argv ?? [], env);
  const stdout = opts.stdout ?? process.stdout;

  if (!stdout.isTTY || !tty.isatty(0)) {
    // No terminal to draw on (a pipe, CI): print the list instead.
    const list = await engine.list({ all: true });
    stdout.write(renderPs(list, {}, new Date()));
    stdout.write("\nThe dashboard needs a terminal (stdin and stdout). 'hutch --help' lists the commands.\n");
    return 0;
  }

  let stats = opts.stats;
  if (!stats) {
    const { createSampler } = await import('../engine/stats/sampler.js');
    stats = createSampler(engine, { intervalMs: resolved.intervalMs });
  }
  const { Session } = await importSession();
  const colors = env.TERM !== 'dumb';
  const session = new Session({ stdout, colors });

  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  const controller = new Controller({
    engine,
    stats,
    config: resolved.config,
    theme: resolved.theme,
    intervalMs: resolved.intervalMs,
    handoff: (banner, task) => session.handoff(banner, task),
    quit: () => quit(),
  });

  let cleaned = false;
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
  const onSignal = (sig: NodeJS.Signals) => {
    // During a hand-off Ctrl+C belongs to the shell.
    if (sig === 'SIGINT' && session.handingOff) return;
    cleanup();
    process.exit(128 + (SIGNAL_NUMBERS[sig] ?? 0));
  };
  const onFatal = (err: unknown) => {
    cleanup();
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`hutch: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
    if (env.HUTCH_DEBUG === '1' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(125);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  process.on('exit', cleanup);

  try {
    session.enterAltScreen();
    controller.start();
    session.mount(controller);
    await quitting;
  } finally {
    cleanup();
    for (const s of signals) process.off(s, onSignal);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
    process.off('exit', cleanup);
  }
  return 0;
}
