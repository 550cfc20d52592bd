// `container prune`: every container that is not running goes (created, exited,
// and records that cannot be read), as docker's removes all stopped ones. The
// bytes freed are their own layers' (upper directories).
import { BrokenRecord } from '../errors.js';
import { listIds, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { removeContainer } from './remove.js';
import { containerSize } from '../system/df.js';

export async function pruneContainers(ctx: Ctx): Promise<{ deleted: string[]; reclaimed: number }> {
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const id of listIds(ctx)) {
    let size = 0;
    try {
      const rec = await reconcile(ctx, mustLoad(ctx, id));
      if (rec.status === 'running') continue;
      size = containerSize(rec.bundle);
    } catch (e) {
      if (!(e instanceof BrokenRecord)) continue; // removed meanwhile
    }
    try {
      await removeContainer(ctx, id, true);
    } catch {
      continue; // started or removed meanwhile: not ours to report
    }
    deleted.push(id);
    reclaimed += size;
  }
  return { deleted, reclaimed };
}
