// hutch load: images from an OCI or docker-save archive (gzip'd or not), from a file
// with -i or from stdin. On a terminal each layer gets docker's "Loading layer" bar;
// on a pipe only the "Loaded image" lines, as docker prints.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { progressFor } from './transfer.js';

export const load: Verb = {
  name: 'load',
  summary: 'Load images from an OCI or docker archive (read from STDIN by default)',
  usage: '[OPTIONS]',
  options: [
    { long: ['input'], short: 'i', kind: 'string', help: 'Read from an archive file, instead of STDIN' },
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Suppress the load output' },
  ],
  maxArgs: 0,
  examples: ['hutch load -i busybox.tar', 'skopeo copy docker-archive:x.tar oci-archive:x-oci.tar && hutch load -i x-oci.tar', 'gzip -dc busybox.tar.gz | hutch load'],
  async run(ctx, p) {
    const file = p.string('input');
    if (file === undefined && ctx.stdinIsTTY) throw new InvalidArgument('requested load from stdin, but stdin is empty');
    const engine = await ctx.engine();
    const quiet = p.bool('quiet');
    const tty = (ctx.stdout as { isTTY?: boolean }).isTTY === true;
    const progress = tty && !quiet ? await progressFor(ctx, 'load', false) : undefined;
    const onProgress = progress?.onProgress;
    try {
      const lines = await engine.loadImages(
        file ?? process.stdin,
        onProgress ? { onProgress: (e) => onProgress({ id: e.layer.replace(/^sha256:/, '').slice(0, 12), digest: e.layer, phase: 'extracting', current: e.bytes, total: e.total }) } : undefined,
      );
      progress?.finish();
      if (!quiet) await ctx.out(lines.map((l) => `${l}\n`).join(''));
      return 0;
    } finally {
      progress?.finish();
    }
  },
};
