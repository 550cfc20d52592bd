// hutch diff: what a container changed in its filesystem, docker's `A|C|D /path` lines.
import type { Verb } from '../context.js';

export const diff: Verb = {
  name: 'diff',
  summary: "Inspect changes to files or directories on a container's filesystem",
  usage: 'CONTAINER',
  options: [],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch diff web'],
  async run(ctx, p) {
    const changes = await (await ctx.engine()).diff(p.args[0]);
    await ctx.out(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
    return 0;
  },
};
