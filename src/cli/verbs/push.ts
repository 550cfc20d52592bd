// hutch push NAME[:TAG]: the image goes to the registry its name names (tag it
// there first: `hutch tag app 127.0.0.1:5000/app`).
import type { Verb } from '../context.js';
import { insecureOption, progressFor, quietOption } from './transfer.js';

export const push: Verb = {
  name: 'push',
  summary: 'Upload an image to a registry',
  usage: '[OPTIONS] NAME[:TAG]',
  options: [insecureOption, quietOption],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch tag app 127.0.0.1:5000/app:1.0 && hutch push --insecure 127.0.0.1:5000/app:1.0'],
  async run(ctx, p) {
    const name = p.args[0];
    const quiet = p.bool('quiet');
    const { parseReference, repoName } = await import('../../engine/images/oci/reference.js');
    // The built-in image: one line, before any other output.
    (await import('../../engine/images/host.js')).refuseBuiltin(name, 'pushed');
    const ref = parseReference(name);
    // A refused --insecure is bad input: one line, before any other output.
    if (p.bool('insecure')) (await import('../../engine/registry/endpoint.js')).endpointFor(ref.registry, true);
    if (!quiet) await ctx.out(`The push refers to repository [${repoName(ref)}]\n`);
    const progress = await progressFor(ctx, 'push', quiet);
    const engine = await ctx.engine();
    try {
      const r = await engine.push(name, { insecure: p.bool('insecure'), onProgress: progress.onProgress });
      progress.finish();
      if (quiet) await ctx.out(`${r.reference}\n`);
      else await ctx.out(`${ref.digest ?? ref.tag}: digest: ${r.digest} size: ${r.size}\n`);
      return 0;
    } finally {
      progress.finish();
    }
  },
};
