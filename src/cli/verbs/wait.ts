// hutch wait: blocks until the containers stop, printing each exit code.
import type { Verb } from '../context.js';
import { forEachContainer } from './common.js';

export const wait: Verb = {
  name: 'wait',
  summary: 'Block until one or more containers stop, then print their exit codes',
  usage: 'CONTAINER [CONTAINER...]',
  options: [],
  minArgs: 1,
  examples: ['hutch wait web'],
  async run(ctx, p) {
    const engine = await ctx.engine();
    return forEachContainer(ctx, p.args, async (c) => String((await engine.wait(c)).exitCode));
  },
};
