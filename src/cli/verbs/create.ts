// hutch create: like run -d without starting; prints the id.
import type { Verb } from '../context.js';
import { buildSpec, containerOptions } from './container-options.js';

export const create: Verb = {
  name: 'create',
  summary: 'Create a new container without starting it',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  options: containerOptions,
  stopAtPositional: true,
  minArgs: 1,
  examples: ['hutch create --name box host sleep 1000 && hutch start box'],
  async run(ctx, p) {
    const info = await (await ctx.engine()).create(buildSpec(ctx, p));
    await ctx.out(`${info.id}\n`);
    return 0;
  },
};
