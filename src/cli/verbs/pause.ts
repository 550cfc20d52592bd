// hutch pause: freezes every process of the containers (the cgroup freezer).
import type { CliContext, Verb } from '../context.js';
import { forEachContainer } from './common.js';

/** One container: its failure is the command's own (one line, 125). Several: docker's
 * per-name lines and status 1. Each success prints the name given. */
export async function eachContainer(ctx: CliContext, names: readonly string[], action: (name: string) => Promise<unknown>): Promise<number> {
  if (names.length === 1) {
    await action(names[0]);
    await ctx.out(`${names[0]}\n`);
    return 0;
  }
  return forEachContainer(ctx, names, async (n) => {
    await action(n);
  });
}

export const pause: Verb = {
  name: 'pause',
  summary: 'Pause all processes within one or more containers',
  usage: 'CONTAINER [CONTAINER...]',
  options: [],
  minArgs: 1,
  examples: ['hutch pause web', 'hutch unpause web'],
  async run(ctx, p) {
    const engine = await ctx.engine();
    return eachContainer(ctx, p.args, (c) => engine.pause(c));
  },
};
