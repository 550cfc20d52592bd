// The container's health.json, written by its monitor (native/monitor/healthfile.c) as
// docker's State.Health; read here without any other engine module, so the record's
// toInfo can include it.
import fs from 'node:fs';
import path from 'node:path';
import type { HealthState } from '../types.js';

export const healthFile = (bundle: string): string => path.join(bundle, 'health.json');

/** health.json as the monitor last wrote it; undefined when there is none (yet). */
export function readHealth(bundle: string): HealthState | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(healthFile(bundle), 'utf8')) as HealthState;
    return h && typeof h.Status === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}
