// hutch version
import type { Verb } from '../context.js';
import pkg from '../../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

export function versionLine(): string {
  return `hutch version ${VERSION}, node ${process.version}, ${process.platform}/${process.arch}`;
}

export const version: Verb = {
  name: 'version',
  summary: 'Show the hutch version information',
  usage: '',
  options: [],
  maxArgs: 0,
  async run(ctx) {
    await ctx.out(`${versionLine()}\n`);
    return 0;
  },
};
