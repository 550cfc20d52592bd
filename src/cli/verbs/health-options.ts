// run/create's --health-* flags and --no-healthcheck, read as docker reads them
// (Go durations; docker's messages). What they do is the engine's (container/health.ts).
import type { OptionSpec, ParsedArgs } from '../args.js';
import type { HealthConfig } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { parseDuration } from '../../engine/build/dockerfile/duration.js';

export const healthOptions: OptionSpec[] = [
  { long: ['health-cmd'], kind: 'string', help: 'Command to run to check health (run with /bin/sh -c)' },
  { long: ['health-interval'], kind: 'string', value: 'duration', help: 'Time between running the check (ms|s|m|h) (default 30s)' },
  { long: ['health-timeout'], kind: 'string', value: 'duration', help: 'Maximum time to allow one check to run (ms|s|m|h) (default 30s)' },
  { long: ['health-start-period'], kind: 'string', value: 'duration', help: 'Start period for the container to initialize before counting retries towards unstable (ms|s|m|h) (default 0s)' },
  { long: ['health-start-interval'], kind: 'string', value: 'duration', help: 'Time between running the check during the start period (ms|s|m|h) (default 5s)' },
  { long: ['health-retries'], kind: 'string', value: 'int', help: 'Consecutive failures needed to report unhealthy' },
  { long: ['no-healthcheck'], kind: 'bool', help: 'Disable any container-specified HEALTHCHECK' },
];

const DURATIONS = [
  ['health-interval', 'Interval'],
  ['health-timeout', 'Timeout'],
  ['health-start-period', 'StartPeriod'],
  ['health-start-interval', 'StartInterval'],
] as const;

/** The flags as docker's Config.Healthcheck (undefined when none was given). */
export function readHealthFlags(p: ParsedArgs): HealthConfig | undefined {
  const given = healthOptions.some((o) => p.has(o.long[0]) && o.long[0] !== 'no-healthcheck');
  if (p.bool('no-healthcheck')) {
    if (given) throw new InvalidArgument('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!given) return undefined;
  const hc: HealthConfig = {};
  const cmd = p.string('health-cmd');
  if (cmd !== undefined && cmd !== '') hc.Test = ['CMD-SHELL', cmd];
  for (const [flag, key] of DURATIONS) {
    const v = p.string(flag);
    if (v === undefined) continue;
    let ns: number;
    try {
      ns = parseDuration(v.trim());
    } catch (e) {
      throw new InvalidArgument(`invalid argument ${JSON.stringify(v)} for "--${flag}" flag: ${(e as Error).message}`);
    }
    if (ns < 0) throw new InvalidArgument(`--${flag} cannot be negative`);
    // moby's minimum: a zero means "the default", anything else is at least 1 ms.
    if (ns !== 0 && ns < 1e6) throw new InvalidArgument(`${key} in Healthcheck cannot be less than 1ms`);
    hc[key] = ns;
  }
  const retries = p.string('health-retries');
  if (retries !== undefined) {
    if (!/^-?\d+$/.test(retries.trim())) throw new InvalidArgument(`invalid argument ${JSON.stringify(retries)} for "--health-retries" flag: strconv.ParseInt: parsing ${JSON.stringify(retries)}: invalid syntax`);
    const n = Number(retries);
    if (n < 0) throw new InvalidArgument('--health-retries cannot be negative');
    hc.Retries = n;
  }
  return hc;
}
