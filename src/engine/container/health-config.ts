// A container's health check from the run's flags and the image's HEALTHCHECK, by
// moby's merge: each non-zero field of the flags wins over the image's.
import type { HealthConfig } from '../types.js';

/** docker's defaults (moby daemon/health.go), in ns. */
export const DEFAULT_INTERVAL = 30e9;
export const DEFAULT_TIMEOUT = 30e9;
export const DEFAULT_START_INTERVAL = 5e9;
export const DEFAULT_RETRIES = 3;

/** docker's Config.Healthcheck of a container: the flags' non-zero fields over the image's. */
export function mergedHealthcheck(flags: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig {
  const f = flags ?? {};
  const i = image ?? {};
  const out: HealthConfig = { Test: f.Test?.length ? f.Test : i.Test ?? [] };
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    const v = f[k] || i[k];
    if (v) out[k] = v;
  }
  return out;
}

/** The check a container runs: the flags' non-zero fields over the image's (moby's
 * merge), defaults filled in; undefined for none (no HEALTHCHECK, or NONE). */
export function effectiveHealthcheck(flags: HealthConfig | undefined, image: HealthConfig | undefined): Required<HealthConfig> | undefined {
  const f = flags ?? {};
  const i = image ?? {};
  const test = f.Test?.length ? f.Test : i.Test;
  if (!test?.length || test[0] === 'NONE') return undefined;
  return {
    Test: test,
    Interval: f.Interval || i.Interval || DEFAULT_INTERVAL,
    Timeout: f.Timeout || i.Timeout || DEFAULT_TIMEOUT,
    StartPeriod: f.StartPeriod || i.StartPeriod || 0,
    StartInterval: f.StartInterval || i.StartInterval || DEFAULT_START_INTERVAL,
    Retries: f.Retries || i.Retries || DEFAULT_RETRIES,
  };
}
