// What is in use, and so must survive any deletion: blobs reachable from image
// records and names, snapshots used by images or linked from container bundles, and
// the build cache's layers. A
// container keeps its layers after its image is removed (rmi -f), so the bundles are
// asked too, not only the records.
import fs from 'node:fs';
import path from 'node:path';
import { listMetas, readRefs } from './catalog.js';
import { cachedLayers } from '../build/executor/cache.js';
import type { StoreParts } from './store-parts.js';

/** Blobs reachable from image records and names; snapshots used by images or containers. */
export function referenced(s: StoreParts): { blobs: Set<string>; snapshots: Set<string> } {
  const blobs = new Set<string>(Object.values(readRefs(s.l)));
  const snapshots = new Set<string>();
  for (const m of listMetas(s.l)) {
    blobs.add(m.manifestDigest);
    blobs.add(m.configDigest);
    for (const x of m.layers) {
      blobs.add(x.digest);
      snapshots.add(x.chainId);
    }
  }
  for (const c of containerSnapshots(s.containersDir, s.l.snapshots)) snapshots.add(c);
  // The build cache's layers, until `hutch builder prune` drops its records.
  for (const x of cachedLayers(s.l)) {
    blobs.add(x.descriptor.digest);
    snapshots.add(x.chainId);
  }
  return { blobs, snapshots };
}

/** Snapshots that container bundles link to (`<bundle>/layers/N -> …/snapshots/<hex>/fs`). */
export function containerSnapshots(containersDir: string, snapshotsDir: string): Set<string> {
  const out = new Set<string>();
  let bundles: string[];
  try {
    bundles = fs.readdirSync(containersDir);
  } catch {
    return out;
  }
  for (const b of bundles) {
    let links: string[];
    try {
      links = fs.readdirSync(path.join(containersDir, b, 'layers'));
    } catch {
      continue;
    }
    for (const n of links) {
      try {
        const t = fs.readlinkSync(path.join(containersDir, b, 'layers', n));
        const m = /\/([0-9a-f]{64})\/fs$/.exec(t);
        if (m && t.startsWith(snapshotsDir + '/')) out.add(`sha256:${m[1]}`);
      } catch {
        /* raced with rm */
      }
    }
  }
  return out;
}
