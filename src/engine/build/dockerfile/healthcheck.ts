// HEALTHCHECK NONE | [--interval --timeout --start-period --start-interval --retries] CMD …,
// with docker's checks (a duration under 1ms other than 0 is refused) and messages.
import type { FlagValues } from './flags.js';
import type { HealthConfig } from './types.js';
import { parseJsonArgs, WHITESPACE } from './words.js';
import { parseDuration } from './duration.js';
import { Problem } from './location.js';

export const HEALTHCHECK_FLAGS = { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' } as const;

const MIN_DURATION = 1e6;

function interval(flags: FlagValues, name: string): number {
  const s = flags[name];
  if (typeof s !== 'string' || s === '') return 0;
  const d = parseDuration(s);
  if (d === 0) return 0;
  if (d < MIN_DURATION) throw new Problem(`Interval ${JSON.stringify(name)} cannot be less than 1ms`);
  return d;
}

/** `args` is the text after the flags; throws Problem on bad input. */
export function parseHealthcheck(args: string, flags: FlagValues): HealthConfig {
  if (args === '') throw new Problem('HEALTHCHECK requires at least one argument');
  const m = WHITESPACE.exec(args);
  const type = (m ? args.slice(0, m.index) : args).toUpperCase();
  const rest = m ? args.slice(m.index + m[0].length) : '';
  const none = { test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (type === 'NONE') {
    if (rest !== '') throw new Problem('HEALTHCHECK NONE takes no arguments');
    return none;
  }
  if (type !== 'CMD') throw new Problem(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  const json = parseJsonArgs(rest);
  if (!json.ok && json.notStrings) throw new Problem('HEALTHCHECK: when using JSON array syntax, arrays must be comprised of strings only');
  const test = json.ok ? ['CMD', ...json.args] : ['CMD-SHELL', rest];
  if (test.length === 1 || (!json.ok && rest === '')) throw new Problem('Missing command after HEALTHCHECK CMD');
  let retries = 0;
  const r = flags.retries;
  if (typeof r === 'string' && r !== '') {
    if (!/^[+-]?\d+$/.test(r) || Math.abs(Number(r)) > 2 ** 31 - 1) throw new Problem(`strconv.ParseInt: parsing ${JSON.stringify(r)}: invalid syntax`);
    retries = Number(r);
    if (retries < 0) throw new Problem(`--retries cannot be negative (${retries})`);
  }
  return {
    test,
    interval: interval(flags, 'interval'),
    timeout: interval(flags, 'timeout'),
    startPeriod: interval(flags, 'start-period'),
    startInterval: interval(flags, 'start-interval'),
    retries,
  };
}
