// hutch inspect: a JSON array of container records, like docker inspect.
import type { Verb } from '../context.js';
import type { ContainerInfo } from '../../engine/types.js';
import { oneLine } from '../report.js';
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
    const found: (ContainerInfo & { NetworkSettings: unknown; Mounts: unknown })[] = [];
    let failed = false;
    for (const name of p.args) {
      try {
        const info = await engine.inspect(name);
        found.push({ ...info, Mounts: dockerMounts(info), NetworkSettings: networkSettings(info) });
      } catch (err) {
        failed = true;
        await ctx.err(`hutch: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
      }
    }
    await ctx.out(`${JSON.stringify(found, null, 2)}\n`);
    return failed ? 1 : 0;
  },
};
