// `stop` and `kill`. stop sends SIGTERM, waits up to the timeout, then SIGKILL, as
// docker does; both need a running container.
import os from 'node:os';
import { Conflict } from '../errors.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { saveRecord } from './record.js';
import type { ContainerRecord } from './record.js';
import { parseSignal, signalInit, waitMonitor } from './signal.js';
import { signalNumber } from '../security/process.js';
import { thawForSignal } from './pause.js';

/** timeoutSec: default the container's --stop-timeout, else 10. */
export async function stopContainer(ctx: Ctx, id: string, timeoutSec?: number): Promise<ContainerRecord> {
  let cancelled = false;
  const rec = await lockContainer(ctx, id, async () => {
    const r = await reconcile(ctx, mustLoad(ctx, id));
    if (r.status !== 'running' && !r.restarting) return r;
    // Marked before the signal: the restart policy's process, which reads the record
    // after the exit (and again after its wait), then starts nothing (docker's
    // hasBeenManuallyStopped). A container waiting to restart just stays stopped.
    cancelled = r.status !== 'running';
    const m = { ...r, manuallyStopped: true, restarting: false };
    saveRecord(m);
    return m;
  });
  if (cancelled) return rec;
  if (rec.status !== 'running') throw new Conflict(`container ${rec.name} is not running`);
  await terminate(ctx, await thawForSignal(ctx, rec), timeoutSec);
  return lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
}

/** The container's --stop-signal (SIGTERM), then SIGKILL after timeoutSec (default its
 * --stop-timeout, else 10; negative: no SIGKILL, as docker's -1); resolves once the
 * monitor is gone. */
export async function terminate(ctx: Ctx, rec: ContainerRecord, timeoutSec?: number): Promise<void> {
  const t = timeoutSec ?? rec.spec.stopTimeout ?? 10;
  const sig = rec.spec.stopSignal ? signalNumber(rec.spec.stopSignal) : os.constants.signals.SIGTERM;
  if (t !== 0 && signalInit(ctx, rec, sig)) {
    if (await waitMonitor(ctx, rec, t < 0 ? 2 ** 31 - 1 : t * 1000)) return;
  }
  signalInit(ctx, rec, os.constants.signals.SIGKILL);
  await waitMonitor(ctx, rec, 30_000);
}

export async function killContainer(ctx: Ctx, id: string, signal?: string | number): Promise<void> {
  const sig = parseSignal(signal);
  const rec = await lockContainer(ctx, id, async () => reconcile(ctx, mustLoad(ctx, id)));
  if (rec.status !== 'running') throw new Conflict(`Cannot kill container: ${rec.name}: container is not running`);
  await thawForSignal(ctx, rec);
  if (!signalInit(ctx, rec, sig)) throw new Conflict(`Cannot kill container: ${rec.name}: container is not running`);
}
