// `wait`: resolves when the container has exited, with its status. Containers
// created with autoRemove (`--rm`) are removed once their status has been read.
import type { WaitResult } from '../types.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { removeIfDone } from './remove.js';
import { waitMonitor } from './signal.js';

export async function waitContainer(ctx: Ctx, id: string): Promise<WaitResult> {
  let rec = await reconcile(ctx, mustLoad(ctx, id));
  if (rec.status === 'running') {
    await waitMonitor(ctx, rec, Infinity);
    rec = await lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
  }
  const result = { exitCode: rec.exitCode ?? 0, oomKilled: rec.oomKilled };
  await removeIfDone(ctx, rec);
  return result;
}
