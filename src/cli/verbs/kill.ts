// hutch kill: sends a signal (default KILL) to the container's init.
import type { Verb } from '../context.js';
import { forEachContainer } from './common.js';

export const kill: Verb = {
  name: 'kill',
  summary: 'Kill one or more running containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [{ long: ['signal'], short: 's', kind: 'string', help: 'Signal to send to the container (default "KILL")' }],
  minArgs: 1,
  examples: ['hutch kill -s HUP web'],
  async run(ctx, p) {
    const s = p.string('signal') ?? 'KILL';
    const signal = /^\d+$/.test(s) ? Number(s) : s;
    const engine = await ctx.engine();
    return forEachContainer(ctx, p.args, async (c) => {
      await engine.kill(c, signal);
    });
  },
};
