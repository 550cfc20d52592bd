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

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `--since`/`--until` as docker reads them: RFC 3339 (a date, or a date and time, with
 * or without zone: without one, UTC), Unix time in seconds (with a fraction), or a Go
 * duration before now (`10m`, `1h30m`). In ms since the epoch.
 */
export function parseLogTime(v: string | undefined, flag: string, now: Date): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) {
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
    return now.getTime() - ms;
  }
  if (/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$/.test(v)) {
    const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(v) || !/[T ]/.test(v) ? v : `${v}Z`;
    const t = Date.parse(zoned.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'));
    if (!Number.isNaN(t)) return t;
  }
  throw new UsageError(`invalid value for "${flag}": failed to parse value as time or duration: "${v}"`, 'logs');
}

export const logs: Verb = {
  name: 'logs',
  summary: 'Fetch the logs of a container',
  usage: '[OPTIONS] CONTAINER',
  options: [
    { long: ['follow'], short: 'f', kind: 'bool', help: 'Follow log output' },
    { long: ['tail'], short: 'n', kind: 'string', help: 'Number of lines to show from the end of the logs (default "all")' },
    { long: ['timestamps'], short: 't', kind: 'bool', help: 'Show timestamps' },
    { long: ['since'], kind: 'string', help: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { long: ['until'], kind: 'string', help: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  ],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch logs --tail 20 -f web'],
  async run(ctx, p) {
    const tail = parseTail(p.string('tail'));
    const since = parseLogTime(p.string('since'), 'since', ctx.now());
    const until = parseLogTime(p.string('until'), 'until', ctx.now());
    const timestamps = p.bool('timestamps');
    const engine = await ctx.engine();
    // A partial line (P) continues on the next record of the same stream: no
    // newline after it and no timestamp before its continuation.
    const midLine = { stdout: false, stderr: false };
    for await (const line of engine.logs(p.args[0], { follow: p.bool('follow'), tail, ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) })) {
      const prefix = timestamps && !midLine[line.stream] ? `${line.time} ` : '';
      midLine[line.stream] = !line.full;
      const text = prefix + line.text + (line.full ? '\n' : '');
      await (line.stream === 'stderr' ? ctx.err(text) : ctx.out(text));
    }
    return 0;
  },
};
