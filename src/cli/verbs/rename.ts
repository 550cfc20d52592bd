// hutch rename: a container's new name (docker prints nothing on success).
import type { Verb } from '../context.js';

export const rename: Verb = {
  name: 'rename',
  summary: 'Rename a container',
  usage: 'CONTAINER NEW_NAME',
  options: [],
  minArgs: 2,
  maxArgs: 2,
  examples: ['hutch rename web web-old'],
  async run(ctx, p) {
    const [container, newName] = p.args;
    await (await ctx.engine()).rename(container, newName);
    return 0;
  },
};
