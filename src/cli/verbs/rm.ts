// hutch rm: removes containers; a running one only with -f; -v takes their anonymous volumes too.
import type { Verb } from '../context.js';
import { forEachContainer } from './common.js';

export const rm: Verb = {
  name: 'rm',
  summary: 'Remove one or more containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [
    { long: ['force'], short: 'f', kind: 'bool', help: 'Force the removal of a running container (uses SIGKILL)' },
    { long: ['volumes'], short: 'v', kind: 'bool', help: 'Remove anonymous volumes associated with the container' },
  ],
  minArgs: 1,
  examples: ['hutch rm -f web'],
  async run(ctx, p) {
    const force = p.bool('force');
    const volumes = p.bool('volumes');
    const engine = await ctx.engine();
    return forEachContainer(ctx, p.args, async (c) => {
      await engine.remove(c, { force, ...(volumes ? { volumes } : {}) });
    });
  },
};
