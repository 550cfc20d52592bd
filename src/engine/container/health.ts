// Health checks without a daemon: create merges the run's --health-* flags over the
// image's HEALTHCHECK (docker's rules) and hands the result to the container's
// monitor in the annotation run.hutch.health (native/monitor/health.h). The monitor
// probes on its own timer through the exec path, writes docker's State.Health to
// health.json in the bundle and a health_status event per change; this side only
// reads that file, and asks the monitor for a probe now (`hutch healthcheck run`).
import type { HealthConfig, HealthState } from '../types.js';
import { healthFile, readHealth } from './health-file.js';
import { effectiveHealthcheck, mergedHealthcheck } from './health-config.js';
import { Conflict, InvalidArgument } from '../errors.js';
import { eventsFile } from '../events/log.js';
import { pidAlive } from '../proc.js';
import type { Ctx } from './context.js';
import { mustLoad } from './context.js';
import { reconcile } from './reconcile.js';

export { effectiveHealthcheck, healthFile, mergedHealthcheck, readHealth };

export const HEALTH_ANNOTATION = 'run.hutch.health';

/** The probe's argv: CMD runs as given, CMD-SHELL through /bin/sh -c (docker on Linux). */
export function probeArgv(test: string[]): string[] {
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  throw new InvalidArgument(`health check: unknown test type ${JSON.stringify(kind)} (CMD, CMD-SHELL or NONE)`);
}

/** The annotation's text: "key value" lines, the probe's argv as `cmd` lines. */
export function healthAnnotation(root: string, bundle: string, hc: Required<HealthConfig>, actor: { id: string; attributes: Record<string, string | undefined> }): string {
  const argv = probeArgv(hc.Test);
  if (argv.length === 0) throw new InvalidArgument('health check: the test has no command');
  if (argv.some((a) => a.includes('\n'))) throw new InvalidArgument('health check: a newline in the command is not supported');
  const ms = (ns: number) => Math.max(1, Math.ceil(ns / 1e6));
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(actor.attributes)) if (v !== undefined && v !== '') attrs[k] = v;
  return [
    `interval ${ms(hc.Interval)}`,
    `timeout ${ms(hc.Timeout)}`,
    `start-period ${hc.StartPeriod ? ms(hc.StartPeriod) : 0}`,
    `start-interval ${ms(hc.StartInterval)}`,
    `retries ${hc.Retries}`,
    `file ${healthFile(bundle)}`,
    `events ${eventsFile(root)}`,
    `actor ${JSON.stringify({ ID: actor.id, Attributes: attrs })}`,
    ...argv.map((a) => `cmd ${a}`),
  ].join('\n');
}

/** `hutch healthcheck run` (podman's verb): the monitor probes now; resolves with the
 * state that holds the probe's result. */
export async function runHealthcheck(ctx: Ctx, id: string): Promise<HealthState> {
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  if (!rec.healthcheck) throw new Conflict(`container ${rec.id} has no defined healthcheck`);
  if (rec.status !== 'running' || !rec.monitorPid || !pidAlive(rec.monitorPid)) throw new Conflict(`container ${rec.id} is not running`);
  const asked = Date.now();
  // SIGURG is the monitor's "probe now" (native/monitor/health.h); it never reaches the container.
  process.kill(rec.monitorPid, 'SIGURG');
  // A probe that runs already is finished first: up to two timeouts, and some slack.
  const deadline = asked + 2 * rec.healthcheck.Timeout / 1e6 + 5000;
  for (;;) {
    const h = readHealth(rec.bundle);
    const last = h?.Log[h.Log.length - 1];
    if (h && last && Date.parse(last.Start) >= asked) return h;
    if (Date.now() > deadline) throw new Conflict(`container ${rec.id}: the health check did not report within ${Math.round((deadline - asked) / 1000)} s`);
    if (!pidAlive(rec.monitorPid)) throw new Conflict(`container ${rec.id} is not running`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
