// hutch pull NAME[:TAG|@DIGEST]: docker's output — the layers' progress, the
// digest, whether anything new came, and the full reference last.
import type { Verb } from '../context.js';
import { insecureOption, progressFor, quietOption } from './transfer.js';

export const pull: Verb = {
  name: 'pull',
  summary: 'Download an image from a registry',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  options: [insecureOption, quietOption],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch pull busybox', 'hutch pull --insecure 127.0.0.1:5000/team/app:1.2'],
  async run(ctx, p) {
    const name = p.args[0];
    const quiet = p.bool('quiet');
    const { parseReference } = await import('../../engine/images/oci/reference.js');
    // The built-in image: one line, before any other output.
    (await import('../../engine/images/host.js')).refuseBuiltin(name, 'pulled');
    const ref = parseReference(name);
    // A refused --insecure is bad input: one line, before any other output.
    if (p.bool('insecure')) (await import('../../engine/registry/endpoint.js')).endpointFor(ref.registry, true);
    const tagged = !name.includes('@') && name.lastIndexOf(':') > name.lastIndexOf('/');
    const shown = ref.digest ? name : tagged ? name : `${name}:${ref.tag}`;
    if (!quiet) {
      if (!tagged && !ref.digest) await ctx.out(`Using default tag: ${ref.tag}\n`);
      await ctx.out(`${ref.digest ?? ref.tag}: Pulling from ${ref.repository}\n`);
    }
    const progress = await progressFor(ctx, 'pull', quiet);
    const engine = await ctx.engine();
    try {
      const r = await engine.pull(name, { insecure: p.bool('insecure'), onProgress: progress.onProgress });
      progress.finish();
      if (!quiet) {
        await ctx.out(`Digest: ${r.digest}\n`);
        await ctx.out(`Status: ${r.updated ? 'Downloaded newer image' : 'Image is up to date'} for ${shown}\n`);
      }
      await ctx.out(`${r.reference}\n`);
      return 0;
    } finally {
      progress.finish();
    }
  },
};
