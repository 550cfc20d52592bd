// hutch restart: stop (with the grace period) then start.
import type { Verb } from '../context.js';
import { forEachContainer, intOption } from './common.js';
import { timeoutOption } from './stop.js';

export const restart: Verb = {
  name: 'restart',
  summary: 'Restart one or more containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [timeoutOption],
  minArgs: 1,
  examples: ['hutch restart web'],
  async run(ctx, p) {
    const timeout = intOption(p.string('time'), '--time', 'restart');
    const engine = await ctx.engine();
    return forEachContainer(ctx, p.args, async (c) => {
      await engine.restart(c, timeout);
    });
  },
};
