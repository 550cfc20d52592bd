// `wait`: resolves when the container has exited, with its status. Containers
// created with autoRemove (`--rm`) are removed once their status has been read.
import type { WaitResult } from '../types.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { removeIfDone } from './remove.js';
import { waitMonitor } from './signal.js';

export async function waitContainer(ctx: Ctx, id: string): Promise<WaitResult> {
  let rec = await reconcile(ctx, mustLoad(ctx, id));
  // Until the record says exited: a monitor that ended before its start time was
  // read (a container of a millisecond) cannot be waited on by its pidfd, and one
  // whose init has gone is still writing the exit file for an instant.
  for (let delay = 1; rec.status === 'running'; delay = Math.min(delay * 2, 100)) {
    await waitMonitor(ctx, rec, Infinity);
    const next = await lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
    if (next.status === 'running') await new Promise((r) => setTimeout(r, delay));
    rec = next;
  }
  const result = { exitCode: rec.exitCode ?? 0, oomKilled: rec.oomKilled };
  await removeIfDone(ctx, rec);
  return result;
}
