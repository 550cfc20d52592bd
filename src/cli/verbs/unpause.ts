// hutch unpause: thaws the containers pause froze.
import type { Verb } from '../context.js';
import { eachContainer } from './pause.js';

export const unpause: Verb = {
  name: 'unpause',
  summary: 'Unpause all processes within one or more containers',
  usage: 'CONTAINER [CONTAINER...]',
  options: [],
  minArgs: 1,
  examples: ['hutch unpause web'],
  async run(ctx, p) {
    const engine = await ctx.engine();
    return eachContainer(ctx, p.args, (c) => engine.unpause(c));
  },
};
