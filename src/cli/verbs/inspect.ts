// hutch inspect: a JSON array of container records, like docker inspect.
import type { Verb } from '../context.js';
import { inspectEach } from '../each.js';
import { networkSettings } from '../format/network.js';
import { dockerMounts } from '../format/mounts.js';

export const inspect: Verb = {
  name: 'inspect',
  summary: 'Return low-level information on containers as JSON',
  usage: 'CONTAINER [CONTAINER...]',
  options: [],
  minArgs: 1,
  examples: ['hutch inspect web'],
  async run(ctx, p) {
    const engine = await ctx.engine();
    return inspectEach(ctx, p.args, async (name) => {
      const info = await engine.inspect(name);
      return { ...info, Mounts: dockerMounts(info), NetworkSettings: networkSettings(info) };
    });
  },
};
