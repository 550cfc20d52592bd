// hutch start: starts stopped containers in the background; with -a, one container
// in the foreground (its output here, its status as ours), as docker start -a.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { RELAYED_SIGNALS } from '../../engine/signals.js';
import { forEachContainer } from './common.js';

export const start: Verb = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [
    { long: ['attach'], short: 'a', kind: 'bool', help: "Attach STDOUT/STDERR and forward signals" },
    { long: ['interactive'], short: 'i', kind: 'bool', help: "Attach container's STDIN" },
  ],
  minArgs: 1,
  examples: ['hutch start web', 'hutch start -ai box'],
  async run(ctx, p) {
    const attach = p.bool('attach') || p.bool('interactive');
    if (!attach) {
      const engine = await ctx.engine();
      return forEachContainer(ctx, p.args, async (c) => {
        await engine.start(c);
      });
    }
    if (p.args.length > 1) throw new InvalidArgument('you cannot start and attach multiple containers at once');
    const engine = await ctx.engine();
    const signals = ctx.relaySignals(RELAYED_SIGNALS);
    try {
      const info = await engine.start(p.args[0], { attach: true, interactive: p.bool('interactive'), signals });
      return (await engine.wait(info.id)).exitCode;
    } finally {
      signals.close();
    }
  },
};
