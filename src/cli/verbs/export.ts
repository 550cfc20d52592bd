// hutch export: a container's filesystem (its image and its own layer, no
// volumes) as a tar, to a file with -o or to stdout, running or stopped.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { outputStream } from './save.js';

export const exportVerb: Verb = {
  name: 'export',
  summary: "Export a container's filesystem as a tar archive",
  usage: '[OPTIONS] CONTAINER',
  options: [{ long: ['output'], short: 'o', kind: 'string', help: 'Write to a file, instead of STDOUT' }],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch export -o box.tar box', 'hutch export box | tar -t'],
  async run(ctx, p) {
    const file = p.string('output');
    if (file === '') throw new InvalidArgument('export: the output file name is empty');
    if (file === undefined && (ctx.stdout as { isTTY?: boolean }).isTTY)
      throw new InvalidArgument('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const engine = await ctx.engine();
    if (file !== undefined) await engine.exportContainer(p.args[0], file);
    else {
      const out = outputStream(ctx.stdout);
      await engine.exportContainer(p.args[0], out);
      await new Promise<void>((resolve) => out.end(resolve));
    }
    return 0;
  },
};
