// `hutch` without a command, on the command line's side: the dashboard's flags
// (with $HUTCH_THEME, $NO_COLOR and the config file), checked before the engine
// opens, and `ps -a` with a hint when there is no terminal to draw on. Only then
// is the dashboard itself loaded: its first frame without Ink (src/ui/first-frame.ts),
// then Ink and React (src/ui/main.ts).
import { parseArgs, type OptionSpec } from './args.js';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import { renderPs } from './verbs/ps.js';
import { loadConfig } from '../ui/config.js';
import { parseInterval } from '../ui/format.js';
import { loadTheme } from '../ui/theme.js';
import type { DashboardOptions } from '../ui/main.js';
import type { StartOptions } from '../ui/first-frame.js';
import { checkHostName } from '../engine/remote/ssh.js';

type Env = Record<string, string | undefined>;

export const DASHBOARD_OPTIONS: OptionSpec[] = [
  { long: ['theme'], kind: 'string', value: 'NAME|PATH', help: 'Colour theme: dark, light, high-contrast, mono, or a JSON file (default: $HUTCH_THEME, the config file, dark)' },
  { long: ['interval'], kind: 'string', value: 'DURATION', help: 'Sampling interval, e.g. 1s, 500ms (default 1s)' },
  { long: ['host'], kind: 'list', value: 'NAME', help: "Also show this machine's containers, over ssh (repeatable; the config's \"hosts\" too)" },
];

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
  for (const h of p.list('host')) {
    const bad = checkHostName(h);
    if (bad) throw new UsageError(`invalid argument ${JSON.stringify(h)} for "--host" flag: ${bad}`);
  }
  config.hosts = [...config.hosts, ...p.list('host')];
  return { config, theme, intervalMs, env };
}

/** TERM=dumb (or emacs): no alternate screen, no cursor addressing. */
export function isDumbTerminal(env: Env): boolean {
  const term = env.TERM ?? '';
  return term === 'dumb' || term === 'emacs';
}

/** Opens the dashboard, or lists the containers when stdin or stdout is not a terminal (a pipe, CI). */
export async function openDashboard(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const options = dashboardOptions(argv, ctx.env);
  // A terminal without cursor addressing (TERM=dumb: Emacs' shell, some CI
  // consoles) cannot show a full-screen view: one line, before Ink or the engine loads.
  if (ctx.stdout.isTTY && ctx.stdinIsTTY && isDumbTerminal(ctx.env)) {
    await ctx.err(`hutch: the dashboard needs a terminal that can move the cursor (TERM=${ctx.env.TERM}); 'hutch ps -a' lists the containers\n`);
    return 1;
  }
  let engine = await ctx.engine();
  if (!ctx.stdout.isTTY || !ctx.stdinIsTTY) {
    await ctx.out(renderPs(await engine.list({ all: true }), {}, ctx.now()));
    await ctx.out("\nThe dashboard needs a terminal (stdin and stdout). 'hutch --help' lists the commands.\n");
    return 0;
  }
  // The first full frame goes out before Ink and React load (src/ui/first-frame.ts:
  // dist/first-frame.mjs, without them); the dashboard then carries on from it.
  const { openFirstFrame } = await import('../ui/first-frame.js');
  // Other machines (`--host`, the config's hosts): one engine and one stats source over all of them.
  let remote: Pick<StartOptions, 'stats' | 'hosts'> = {};
  if (options.config.hosts.length > 0) {
    const { createSampler } = await import('../engine/stats/sampler.js');
    const { withRemoteHosts } = await import('../engine/remote/index.js');
    const multi = withRemoteHosts({ engine, stats: createSampler(engine, { intervalMs: options.intervalMs, foreign: true }) }, options.config.hosts, options);
    engine = multi.engine;
    remote = { stats: multi.stats, hosts: multi.hosts };
  }
  const first = await openFirstFrame(engine, { ...options, ...remote });
  let dashboard: typeof import('../ui/main.js');
  try {
    dashboard = await (await import('../ui/load.js')).loadDashboard();
  } catch (e) {
    first.abandon();
    throw e;
  }
  return dashboard.runDashboard(engine, { ...options, first });
}
