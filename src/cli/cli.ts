// The command line: finds the verb, parses its flags, runs it, and turns errors
// into one line on stderr plus an exit status. No engine is opened for help,
// version, or usage errors; the dashboard is imported only when it is opened.
import os from 'node:os';
import tty from 'node:tty';
import type { EngineApi } from '../engine/types.js';
import { processSignals } from '../engine/signals.js';
import { parseArgs } from './args.js';
import { makeContext, type CliDeps } from './context.js';
import { UsageError } from './errors.js';
import { mainHelp, optionsWithHelp, verbHelp } from './help.js';
import { reportError } from './report.js';
import { findVerb } from './verbs/index.js';
import { versionLine } from './verbs/version.js';

export function defaultDeps(): CliDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    // isatty(0) rather than process.stdin, which would create a stream on fd 0
    // that an attached container's monitor is about to share.
    stdinIsTTY: tty.isatty(0),
    hostCpus: os.availableParallelism(),
    now: () => new Date(),
    async openEngine(): Promise<EngineApi> {
      const { openEngine } = await import('../engine/index.js');
      return openEngine();
    },
    relaySignals: (signals) => processSignals(signals),
  };
}

export async function main(argv: string[], deps: Partial<CliDeps> = {}): Promise<number> {
  const ctx = makeContext({ ...defaultDeps(), ...deps });
  try {
    const [first, ...rest] = argv;
    if (first === undefined || /^--(theme|interval|host)(=|$)/.test(first)) {
      // Imported when used: the dashboard's flags, config file and theme are of no use to the verbs.
      const { openDashboard } = await import('./dashboard.js');
      return await openDashboard(ctx, argv);
    }
    if (first === '-h' || first === '--help') {
      await ctx.out(mainHelp());
      return 0;
    }
    if (first === '-v' || first === '--version') {
      await ctx.out(`${versionLine()}\n`);
      return 0;
    }
    if (first === 'help') {
      const topic = rest[0] === undefined ? undefined : findVerb(rest[0]);
      if (rest[0] !== undefined && !topic) throw new UsageError(`unknown command: ${JSON.stringify(rest[0])}`);
      await ctx.out(topic ? verbHelp(topic) : mainHelp());
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown flag: ${first}`);
    const verb = findVerb(first);
    if (!verb) throw new UsageError(`${JSON.stringify(first)} is not a hutch command`);

    const parsed = parseArgs(rest, optionsWithHelp(verb), { stopAtPositional: verb.stopAtPositional, verb: verb.name });
    if (parsed.bool('help')) {
      await ctx.out(verbHelp(verb));
      return 0;
    }
    const n = parsed.args.length;
    if (verb.minArgs !== undefined && n < verb.minArgs) {
      throw new UsageError(`"hutch ${verb.name}" requires at least ${verb.minArgs} argument${verb.minArgs > 1 ? 's' : ''}`, verb.name);
    }
    if (verb.maxArgs !== undefined && n > verb.maxArgs) {
      const what = verb.maxArgs === 0 ? 'no arguments' : `at most ${verb.maxArgs} argument${verb.maxArgs > 1 ? 's' : ''}`;
      throw new UsageError(`"hutch ${verb.name}" accepts ${what}`, verb.name);
    }
    return await verb.run(ctx, parsed);
  } catch (err) {
    const { lines, exitCode } = reportError(err, ctx.env.HUTCH_DEBUG === '1');
    await ctx.err(lines);
    return exitCode;
  }
}
