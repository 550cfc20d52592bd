// hutch cp: files between a container (running or stopped) and the host, with
// docker's grammar: CONTAINER:PATH on exactly one side, `-` for a tar stream
// on stdin (source) or stdout (destination). A local path holding a colon is
// written with a leading `./` or `/`, as docker asks.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { outputStream } from './save.js';

export interface CpArg {
  container?: string;
  path: string;
}

/** `CONTAINER:PATH` or a local path (`-`, or anything starting with `/` or `.`, or without a colon). */
export function parseCpArg(arg: string): CpArg {
  if (arg === '-' || arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i < 0) return { path: arg };
  const container = arg.slice(0, i);
  if (!container) throw new InvalidArgument(`invalid container name in "${arg}": empty`);
  return { container, path: arg.slice(i + 1) || '/' };
}

export const cp: Verb = {
  name: 'cp',
  summary: 'Copy files/folders between a container and the local filesystem',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       hutch cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  options: [
    { long: ['archive'], short: 'a', kind: 'bool', help: 'Archive mode (copy all uid/gid information)' },
    { long: ['follow-link'], short: 'L', kind: 'bool', help: 'Always follow symbol link in SRC_PATH' },
  ],
  minArgs: 2,
  maxArgs: 2,
  examples: ['hutch cp ./site web:/usr/share/nginx/html', 'hutch cp web:/etc/nginx/nginx.conf .', 'hutch cp web:/var/log - | tar -t'],
  async run(ctx, p) {
    const src = parseCpArg(p.args[0]);
    const dst = parseCpArg(p.args[1]);
    if (src.container && dst.container) throw new InvalidArgument('copying between containers is not supported');
    if (!src.container && !dst.container) throw new InvalidArgument('must specify at least one container source');
    const opts = { archive: p.bool('archive'), follow: p.bool('follow-link') };
    if (src.path === '' || dst.path === '') throw new InvalidArgument('path cannot be empty');
    const engine = await ctx.engine();
    if (src.container) {
      if (dst.path === '-') {
        const out = outputStream(ctx.stdout);
        await engine.copyFrom(src.container, src.path, out, opts);
        await new Promise<void>((resolve) => out.end(resolve));
      } else await engine.copyFrom(src.container, src.path, dst.path, opts);
    } else {
      await engine.copyTo(dst.container!, dst.path, src.path === '-' ? process.stdin : src.path, opts);
    }
    return 0;
  },
};
