// hutch logout [SERVER]: forgets the stored credentials (docker's messages; exit 0
// also when there were none).
import type { Verb } from '../context.js';

export const logout: Verb = {
  name: 'logout',
  summary: 'Log out from a registry',
  usage: '[SERVER]',
  options: [],
  maxArgs: 1,
  async run(ctx, p) {
    const { defaultRegistry } = await import('../../engine/images/oci/reference.js');
    const { normalizeRegistryName } = await import('../../engine/registry/endpoint.js');
    const server = normalizeRegistryName(p.args[0] ?? defaultRegistry(ctx.env));
    const removed = await (await ctx.engine()).logout(server);
    await ctx.out(removed ? `Removing login credentials for ${server}\n` : `Not logged in to ${server}\n`);
    return 0;
  },
};
