// hutch rmi: untags images and deletes those left without a tag; refuses an image a
// container uses unless -f. One image: a failure is the usual one line and exit 125;
// several: each failure is a line and the status is 1, as for `rm`.
import type { Verb } from '../context.js';
import { eachName } from '../each.js';

export const rmi: Verb = {
  name: 'rmi',
  summary: 'Remove one or more images',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  options: [{ long: ['force'], short: 'f', kind: 'bool', help: 'Force removal of the image (also when a container uses it)' }],
  minArgs: 1,
  examples: ['hutch rmi busybox', 'hutch rmi -f 3f4fad804008'],
  async run(ctx, p) {
    const engine = await ctx.engine();
    const force = p.bool('force');
    return eachName(ctx, p.args, async (name) => {
      const lines = await engine.removeImage(name, { force });
      await ctx.out(lines.map((l) => `${l}\n`).join(''));
    });
  },
};
