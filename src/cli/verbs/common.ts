// Shared by the verbs that act on several containers (docker's behaviour: the
// name given is printed per success, each failure is one line on stderr, and
// the exit status is 1 when any failed).
import type { CliContext } from '../context.js';
import { oneLine } from '../report.js';
import { UsageError } from '../errors.js';

export async function forEachContainer(
  ctx: CliContext,
  names: readonly string[],
  action: (name: string) => Promise<string | void>,
): Promise<number> {
  let failed = false;
  for (const name of names) {
    try {
      const printed = await action(name);
      await ctx.out(`${printed ?? name}\n`);
    } catch (err) {
      failed = true;
      await ctx.err(`hutch: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
      if (ctx.env.HUTCH_DEBUG === '1' && err instanceof Error && err.stack) await ctx.err(`${err.stack}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** Integer option value, or the default when the flag is absent. */
export function intOption(value: string | undefined, flag: string, verb: string, dflt?: number): number | undefined {
  if (value === undefined) return dflt;
  if (!/^-?\d+$/.test(value.trim())) {
    throw new UsageError(`invalid argument "${value}" for "${flag}" flag: not an integer`, verb);
  }
  return Number(value);
}

/** One line from stdin: y or yes. Empty or closed stdin means no. */
export async function confirm(): Promise<boolean> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin });
  try {
    const line = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(line.trim());
  } finally {
    rl.close();
  }
}
