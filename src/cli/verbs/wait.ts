// hutch wait: blocks until the containers stop (or, with --condition, until their
// next exit or their removal), printing each exit code.
import type { Verb } from '../context.js';
import type { WaitCondition } from '../../engine/types.js';
import { checkCondition } from '../../engine/container/wait-condition.js';
import { forEachContainer } from './common.js';

export const wait: Verb = {
  name: 'wait',
  summary: 'Block until one or more containers stop, then print their exit codes',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [{ long: ['condition'], kind: 'string', value: 'string', help: 'Wait until the container is not-running (default), reaches its next-exit, or is removed' }],
  minArgs: 1,
  examples: ['hutch wait web', 'hutch wait --condition removed web'],
  async run(ctx, p) {
    const c = p.string('condition');
    const condition: WaitCondition | undefined = c === undefined ? undefined : checkCondition(c);
    const engine = await ctx.engine();
    return forEachContainer(ctx, p.args, async (name) => String((await engine.wait(name, condition ? { condition } : undefined)).exitCode));
  },
};
