// The loop of the verbs that take several names (docker's behaviour, kept in one place
// so that `rm`, `rmi`, `network` and `volume` cannot drift apart; every `inspect` has its
// own in format/inspect-output.ts): a failure on one name is a line on stderr and the
// rest still run.
import type { CliContext } from './context.js';
import { oneLine } from './report.js';
import { InvalidArgument } from '../engine/errors.js';

/** The line a failure prints when the verb goes on with the next name. */
export async function printFailure(ctx: CliContext, err: unknown): Promise<void> {
  await ctx.err(`hutch: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
}

/**
 * One name: its failure is the command's own error (reportError's one line and exit
 * code). Several: each failure is one line, the others still run, and the status is 1
 * when any failed.
 */
export async function eachName(ctx: CliContext, names: readonly string[], action: (name: string) => Promise<void>): Promise<number> {
  if (names.length === 1) {
    await action(names[0]);
    return 0;
  }
  let failed = false;
  for (const name of names) {
    try {
      await action(name);
    } catch (err) {
      failed = true;
      await printFailure(ctx, err);
    }
  }
  return failed ? 1 : 0;
}

/** `K=V` flags (`--label`, `--opt`) as a record; a bare `K` is `K=`, an empty key is refused. */
export function keyValues(list: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const i = l.indexOf('=');
    const k = i < 0 ? l : l.slice(0, i);
    if (!k) throw new InvalidArgument(`invalid ${what} "${l}": an empty key`);
    out[k] = i < 0 ? '' : l.slice(i + 1);
  }
  return out;
}
