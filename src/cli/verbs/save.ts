// hutch save: images to an OCI archive (podman, skopeo and docker load it), to a file
// with -o or to stdout.
import { Writable } from 'node:stream';
import type { Output, Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';

/** A Writable over the CLI's stdout (which may be a test's buffer). */
export function outputStream(out: Output): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if ((out as { write(c: Buffer | string): boolean }).write(chunk) || !out.once) cb();
      else out.once('drain', () => cb());
    },
  });
}

export const save: Verb = {
  name: 'save',
  summary: 'Save one or more images to an OCI archive (streamed to STDOUT by default)',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  options: [{ long: ['output'], short: 'o', kind: 'string', help: 'Write to a file, instead of STDOUT' }],
  minArgs: 1,
  examples: ['hutch save -o busybox.tar busybox', 'hutch save busybox | gzip > busybox.tar.gz'],
  async run(ctx, p) {
    const file = p.string('output');
    if (file === '') throw new InvalidArgument('save: the output file name is empty');
    if (file === undefined && (ctx.stdout as { isTTY?: boolean }).isTTY)
      throw new InvalidArgument('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const engine = await ctx.engine();
    if (file !== undefined) await engine.saveImages(p.args, file);
    else {
      const out = outputStream(ctx.stdout);
      await engine.saveImages(p.args, out);
      await new Promise<void>((resolve) => out.end(resolve));
    }
    return 0;
  },
};
