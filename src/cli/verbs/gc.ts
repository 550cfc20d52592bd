// hutch gc: removes leftovers of crashed runs and prints what went.
import type { Verb } from '../context.js';

export const gc: Verb = {
  name: 'gc',
  summary: 'Remove leftovers of crashed runs (cgroups, mounts, state)',
  usage: '',
  options: [],
  maxArgs: 0,
  async run(ctx) {
    const removed = await (await ctx.engine()).gc();
    await ctx.out(removed.map((l) => `${l}\n`).join(''));
    return 0;
  },
};
