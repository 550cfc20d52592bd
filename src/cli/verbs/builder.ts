// hutch builder prune: docker's verb for the build cache (engine/build/executor/cache.ts).
import type { Verb } from '../context.js';
import { managementVerb } from './subcommands.js';
import { humanSize } from '../format/size.js';

export const builderPrune: Verb = {
  name: 'builder prune',
  summary: 'Remove the build cache',
  usage: '[OPTIONS]',
  options: [
    { long: ['all'], short: 'a', kind: 'bool', help: 'Remove all build cache (the only kind hutch keeps)' },
    { long: ['force'], short: 'f', kind: 'bool', help: 'Do not prompt for confirmation (hutch does not prompt)' },
  ],
  maxArgs: 0,
  examples: ['hutch builder prune -f'],
  async run(ctx) {
    const r = await (await ctx.engine()).pruneBuildCache();
    await ctx.out(`Deleted build cache records: ${r.records}\nTotal reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

export const builder: Verb = managementVerb('builder', 'Manage builds (prune)', { prune: builderPrune }, ['hutch builder prune -f']);
