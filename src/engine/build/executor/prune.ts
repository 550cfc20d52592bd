// `hutch builder prune`: the build cache's records go, then the image store's sweep
// frees the layers (blobs and snapshots) that only they kept (docker's builder prune).
import type { Ctx } from '../../container/context.js';
import type { StoreParts } from '../../images/store-parts.js';
import { sweep } from '../../images/gc.js';
import { BUSY } from '../../images/storelock.js';
import { Conflict } from '../../errors.js';
import { pruneCache } from './cache.js';

export async function pruneBuildCache(ctx: Ctx): Promise<{ records: number; reclaimed: number }> {
  const s = (await ctx.images.service()) as unknown as StoreParts;
  const records = pruneCache(s.l);
  const r = await sweep(s);
  if (r === BUSY) throw new Conflict('builder prune: the build cache was dropped, but a build, load or pull holds the image store: run hutch gc afterwards to free its layers');
  return { records, reclaimed: r.freed };
}
