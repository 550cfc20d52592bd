// hutch load: images from an OCI or docker-save archive (gzip'd or not), from a file
// with -i or from stdin.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';

export const load: Verb = {
  name: 'load',
  summary: 'Load images from an OCI or docker archive (read from STDIN by default)',
  usage: '[OPTIONS]',
  options: [
    { long: ['input'], short: 'i', kind: 'string', help: 'Read from an archive file, instead of STDIN' },
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Suppress the load output' },
  ],
  maxArgs: 0,
  examples: ['hutch load -i busybox.tar', 'skopeo copy docker-archive:x.tar oci-archive:/dev/stdout | hutch load'],
  async run(ctx, p) {
    const file = p.string('input');
    if (file === undefined && ctx.stdinIsTTY) throw new InvalidArgument('requested load from stdin, but stdin is empty');
    const engine = await ctx.engine();
    const lines = await engine.loadImages(file ?? process.stdin);
    if (!p.bool('quiet')) await ctx.out(lines.map((l) => `${l}\n`).join(''));
    return 0;
  },
};
