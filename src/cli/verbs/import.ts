// hutch import: a root filesystem tarball (optionally gzip'd) becomes a one-layer image; prints its id.
import type { Verb } from '../context.js';

export const importVerb: Verb = {
  name: 'import',
  summary: 'Import a root filesystem tarball as an image',
  usage: 'ROOTFS.tar NAME[:TAG]',
  options: [],
  minArgs: 2,
  maxArgs: 2,
  examples: ['hutch import alpine-minirootfs.tar.gz alpine && hutch run --rm alpine cat /etc/os-release'],
  async run(ctx, p) {
    const info = await (await ctx.engine()).importImage(p.args[0], p.args[1]);
    await ctx.out(`${info.id}\n`);
    return 0;
  },
};
