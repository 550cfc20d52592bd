// hutch start: starts stopped containers in the background.
import type { Verb } from '../context.js';
import { forEachContainer } from './common.js';

export const start: Verb = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: 'CONTAINER [CONTAINER...]',
  options: [],
  minArgs: 1,
  examples: ['hutch start web'],
  async run(ctx, p) {
    const engine = await ctx.engine();
    return forEachContainer(ctx, p.args, async (c) => {
      await engine.start(c);
    });
  },
};
