// The build cache: what a layer-making step (RUN, COPY, ADD) produced, by the step's
// key, in <images>/build-cache/<key hex>.json. The key (stepKey) chains everything
// the step depends on: the key before it (its base image's id, then every earlier
// step, metadata ones included), the instruction after substitution, and what
// shapes its result — RUN's environment, user, working directory, shell and network,
// COPY's source content key (content, modes and owners, not mtimes). A record is
// used only while its layer's snapshot and blob are still in the store; gc keeps
// those of every record (images/references.ts) until `hutch builder prune`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readJson } from '../../state/atomic.js';
import { writePrivateJson } from '../../images/catalog.js';
import { hasSnapshot } from '../../images/snapshots.js';
import type { Layout } from '../../images/layout.js';
import type { StepLayer } from './state.js';
import type { Lineage } from './copy-step.js';

export const CACHE_VERSION = 'hutch-build-cache 1';

export interface CacheRecord {
  /** The layer the step made; null: it changed nothing (an empty_layer RUN). */
  layer: StepLayer | null;
  /** The step's history time, kept so a cached rebuild gives the same image id. */
  created: string;
}

export function cacheDir(l: Layout): string {
  return path.join(l.dir, 'build-cache');
}

/** sha256 over the previous key and the step's parts, each length-prefixed. */
export function stepKey(prev: string, parts: readonly unknown[]): string {
  const h = createHash('sha256');
  for (const p of [CACHE_VERSION, prev, ...parts]) {
    const s = typeof p === 'string' ? p : JSON.stringify(p);
    h.update(`${Buffer.byteLength(s)}:${s}\n`);
  }
  return h.digest('hex');
}

const file = (l: Layout, key: string) => path.join(cacheDir(l), `${key}.json`);

/** The record of key, if its layer is still there. */
export function lookup(l: Layout, hasBlob: (d: string) => boolean, key: string): CacheRecord | null {
  let r: CacheRecord | null;
  try {
    r = readJson<CacheRecord>(file(l, key));
  } catch {
    return null;
  }
  if (!r || typeof r.created !== 'string') return null;
  if (r.layer && !(hasSnapshot(l, r.layer.chainId) && hasBlob(r.layer.descriptor.digest))) return null;
  return r;
}

export function record(l: Layout, key: string, r: CacheRecord): void {
  fs.mkdirSync(cacheDir(l), { recursive: true, mode: 0o700 });
  writePrivateJson(file(l, key), r);
}

/** What a COPY wrote in its last build (copy-step.ts links unchanged files from it). */
export function readLineage(l: Layout, key: string): Lineage | null {
  try {
    const r = readJson<Lineage>(path.join(cacheDir(l), `lineage-${key}.json`));
    return r && typeof r.chainId === 'string' && r.files && typeof r.files === 'object' ? r : null;
  } catch {
    return null;
  }
}

export function writeLineage(l: Layout, key: string, r: Lineage): void {
  fs.mkdirSync(cacheDir(l), { recursive: true, mode: 0o700 });
  writePrivateJson(path.join(cacheDir(l), `lineage-${key}.json`), r);
}

/** Every record's layer (for gc's references). */
export function cachedLayers(l: Layout): StepLayer[] {
  let names: string[];
  try {
    names = fs.readdirSync(cacheDir(l));
  } catch {
    return [];
  }
  const out: StepLayer[] = [];
  for (const n of names) {
    if (!n.endsWith('.json') || n.startsWith('lineage-')) continue;
    try {
      const r = readJson<CacheRecord>(path.join(cacheDir(l), n));
      if (r?.layer) out.push(r.layer);
    } catch {
      /* a torn record: ignored, pruned with the rest */
    }
  }
  return out;
}

/** `hutch builder prune`: drops every record (gc then frees their layers); how many. */
export function pruneCache(l: Layout): number {
  let names: string[];
  try {
    names = fs.readdirSync(cacheDir(l));
  } catch {
    return 0;
  }
  let n = 0;
  for (const f of names) {
    fs.rmSync(path.join(cacheDir(l), f), { force: true });
    if (f.endsWith('.json') && !f.startsWith('lineage-')) n++;
  }
  return n;
}
