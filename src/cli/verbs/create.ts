// hutch create: like run -d without starting; prints the id.
import type { Verb } from '../context.js';
import { buildSpec, checkCidfile, containerOptions, writeCidfile } from './container-options.js';
import { createPulling, pullMode } from './image-for-run.js';

export const create: Verb = {
  name: 'create',
  summary: 'Create a new container without starting it',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  options: containerOptions,
  stopAtPositional: true,
  minArgs: 1,
  examples: ['hutch create --name box host sleep 1000 && hutch start box'],
  async run(ctx, p) {
    const spec = buildSpec(ctx, p);
    const pull = pullMode(p.string('pull'));
    const cidfile = p.string('cidfile');
    if (cidfile !== undefined) checkCidfile(cidfile);
    const info = await createPulling(ctx, await ctx.engine(), spec, pull);
    if (cidfile !== undefined) writeCidfile(cidfile, info.id);
    await ctx.out(`${info.id}\n`);
    return 0;
  },
};
