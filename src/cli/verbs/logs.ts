// hutch logs: the container's log (CRI k8s-file lines) back on stdout/stderr.
import type { Verb } from '../context.js';
import { UsageError } from '../errors.js';

/** '--tail' value: 'all' or a count; negative means all, as in docker. */
export function parseTail(value: string | undefined): number | undefined {
  if (value === undefined || value === 'all') return undefined;
  if (!/^-?\d+$/.test(value.trim())) {
    throw new UsageError(`invalid argument "${value}" for "--tail" flag: expected a number or "all"`, 'logs');
  }
  const n = Number(value);
  return n < 0 ? undefined : n;
}

export const logs: Verb = {
  name: 'logs',
  summary: 'Fetch the logs of a container',
  usage: '[OPTIONS] CONTAINER',
  options: [
    { long: ['follow'], short: 'f', kind: 'bool', help: 'Follow log output' },
    { long: ['tail'], short: 'n', kind: 'string', help: 'Number of lines to show from the end of the logs (default "all")' },
    { long: ['timestamps'], short: 't', kind: 'bool', help: 'Show timestamps' },
  ],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch logs --tail 20 -f web'],
  async run(ctx, p) {
    const tail = parseTail(p.string('tail'));
    const timestamps = p.bool('timestamps');
    const engine = await ctx.engine();
    // A partial line (P) continues on the next record of the same stream: no
    // newline after it and no timestamp before its continuation.
    const midLine = { stdout: false, stderr: false };
    for await (const line of engine.logs(p.args[0], { follow: p.bool('follow'), tail })) {
      const prefix = timestamps && !midLine[line.stream] ? `${line.time} ` : '';
      midLine[line.stream] = !line.full;
      const text = prefix + line.text + (line.full ? '\n' : '');
      await (line.stream === 'stderr' ? ctx.err(text) : ctx.out(text));
    }
    return 0;
  },
};
