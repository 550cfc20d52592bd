// gc's part for volumes: a directory under <root>/volumes without meta.json is a
// create or remove that died half-way (both hold the volumes lock, which gc takes
// too, so none is under way). Complete volumes are never touched, used or not:
// `volume prune` is how they go.
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../container/context.js';
import { removeStaleTemps } from '../state/atomic.js';
import { lockVolumes, readVolume, volumeDir, volumesDir } from './store.js';
import { treeRemover } from './verbs.js';

export async function volumeGc(ctx: Ctx): Promise<string[]> {
  if (!fs.existsSync(volumesDir(ctx.paths))) return [];
  return lockVolumes(ctx.native, ctx.paths, () => {
    const removed: string[] = [];
    for (const e of fs.readdirSync(volumesDir(ctx.paths), { withFileTypes: true })) {
      if (!e.isDirectory() || readVolume(ctx.paths, e.name)) continue;
      for (const f of removeStaleTemps(volumeDir(ctx.paths, e.name))) removed.push(`temp file ${f}`);
      if (fs.existsSync(path.join(volumeDir(ctx.paths, e.name), 'meta.json'))) continue; // unreadable, not half-made: left for a person
      treeRemover(ctx)(volumeDir(ctx.paths, e.name));
      removed.push(`half-made volume ${e.name}`);
    }
    return removed;
  });
}
