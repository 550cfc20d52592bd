// `stop` and `kill`. stop sends SIGTERM, waits up to the timeout, then SIGKILL, as
// docker does; both need a running container.
import os from 'node:os';
import { Conflict } from '../errors.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import type { ContainerRecord } from './record.js';
import { parseSignal, signalInit, waitMonitor } from './signal.js';

export async function stopContainer(ctx: Ctx, id: string, timeoutSec = 10): Promise<ContainerRecord> {
  const rec = await lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
  if (rec.status !== 'running') throw new Conflict(`container ${rec.name} is not running`);
  await terminate(ctx, rec, timeoutSec);
  return lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
}

/** SIGTERM, then SIGKILL after timeoutSec; resolves once the monitor is gone. */
export async function terminate(ctx: Ctx, rec: ContainerRecord, timeoutSec: number): Promise<void> {
  if (timeoutSec > 0 && signalInit(ctx, rec, os.constants.signals.SIGTERM)) {
    if (await waitMonitor(ctx, rec, timeoutSec * 1000)) return;
  }
  signalInit(ctx, rec, os.constants.signals.SIGKILL);
  await waitMonitor(ctx, rec, 30_000);
}

export async function killContainer(ctx: Ctx, id: string, signal?: string | number): Promise<void> {
  const sig = parseSignal(signal);
  const rec = await lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
  if (rec.status !== 'running') throw new Conflict(`Cannot kill container: ${rec.name}: container is not running`);
  if (!signalInit(ctx, rec, sig)) throw new Conflict(`Cannot kill container: ${rec.name}: container is not running`);
}
