// `wait --condition`: docker's three. not-running is plain wait (at once for a
// container that is not running); next-exit waits for the end of its next run,
// even when it is not running yet; removed waits until it is gone, with the
// status of its last run.
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgument } from '../errors.js';
import { containerDir } from '../paths.js';
import type { WaitCondition, WaitResult } from '../types.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { loadRecord, type ContainerRecord } from './record.js';
import { waitContainer } from './wait.js';

/** How often a not-running container is looked at for a start or a removal: nothing tells us sooner. */
const POLL_MS = 100;

export function checkCondition(c: string): WaitCondition {
  if (c === 'not-running' || c === 'next-exit' || c === 'removed') return c;
  throw new InvalidArgument(`invalid condition: "${c}" (not-running, next-exit or removed)`);
}

export async function waitForCondition(ctx: Ctx, id: string, condition: WaitCondition = 'not-running'): Promise<WaitResult> {
  checkCondition(condition);
  if (condition === 'not-running') return waitContainer(ctx, id);
  const dir = containerDir(ctx.paths, id);
  let rec = await lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
  if (condition === 'next-exit') {
    // A start and its exit may both happen between two looks: a new finishedAt says so.
    const finished = rec.finishedAt;
    while (rec.status !== 'running' && rec.finishedAt === finished) {
      await sleep(POLL_MS);
      rec = await current(ctx, id);
    }
    return rec.status === 'running' ? waitContainer(ctx, id) : { exitCode: rec.exitCode ?? 0, oomKilled: rec.oomKilled };
  }
  // removed: its last status, as it was read before the record went.
  let last: WaitResult = { exitCode: rec.exitCode ?? 0, oomKilled: rec.oomKilled };
  if (rec.status === 'running') last = await waitContainer(ctx, id).catch(() => last);
  for (;;) {
    if (!fs.existsSync(dir)) return last;
    try {
      const r = loadRecord(dir);
      if (r && r.status !== 'running') last = { exitCode: r.exitCode ?? 0, oomKilled: r.oomKilled };
    } catch {
      /* being removed */
    }
    await sleep(POLL_MS);
  }
}

async function current(ctx: Ctx, id: string): Promise<ContainerRecord> {
  return lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
}
