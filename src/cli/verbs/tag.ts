// hutch tag: another name for an image.
import type { Verb } from '../context.js';

export const tag: Verb = {
  name: 'tag',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  options: [],
  minArgs: 2,
  maxArgs: 2,
  examples: ['hutch tag busybox localhost:5000/busybox:1'],
  async run(ctx, p) {
    await (await ctx.engine()).tagImage(p.args[0], p.args[1]);
    return 0;
  },
};
