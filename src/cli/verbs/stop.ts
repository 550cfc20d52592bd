// hutch stop: SIGTERM, then SIGKILL after the grace period.
import type { OptionSpec } from '../args.js';
import type { Verb } from '../context.js';
import { forEachContainer, intOption } from './common.js';

export const timeoutOption: OptionSpec = {
  long: ['time', 'timeout'],
  short: 't',
  kind: 'string',
  value: 'int',
  help: 'Seconds to wait before killing the container (default 10)',
};

export const stop: Verb = {
  name: 'stop',
  summary: 'Stop one or more running containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [timeoutOption],
  minArgs: 1,
  examples: ['hutch stop -t 2 web'],
  async run(ctx, p) {
    const timeout = intOption(p.string('time'), '--time', 'stop');
    const engine = await ctx.engine();
    return forEachContainer(ctx, p.args, async (c) => {
      await engine.stop(c, timeout);
    });
  },
};
