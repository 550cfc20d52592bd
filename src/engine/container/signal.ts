// Signals go through a pidfd opened on the recorded pid, after checking the
// process start time: a pid reused by an unrelated process is never signalled.
import os from 'node:os';
import { InvalidArgument } from '../errors.js';
import type { Ctx } from './context.js';
import type { ContainerRecord } from './record.js';
import { procStartTime } from '../proc.js';

export function parseSignal(sig: string | number | undefined): number {
  if (sig === undefined) return os.constants.signals.SIGKILL;
  if (typeof sig === 'number' || /^\d+$/.test(sig)) {
    const n = Number(sig);
    if (n > 0 && n <= 64) return n;
    throw new InvalidArgument(`invalid signal: ${sig}`);
  }
  const name = (sig.toUpperCase().startsWith('SIG') ? sig.toUpperCase() : `SIG${sig.toUpperCase()}`) as keyof typeof os.constants.signals;
  const n = os.constants.signals[name];
  if (n === undefined) throw new InvalidArgument(`invalid signal: ${sig}`);
  return n;
}

/** Sends `signal` to the container's init. Returns false if it was already gone. */
export function signalInit(ctx: Ctx, rec: ContainerRecord, signal: number): boolean {
  let fd: number;
  try {
    fd = ctx.native.pidfdOpen(rec.pid);
  } catch {
    return false;
  }
  try {
    if (procStartTime(rec.pid) !== rec.pidStartTime) return false;
    ctx.native.pidfdSendSignal(fd, signal);
    return true;
  } catch {
    return false;
  } finally {
    ctx.native.closeFd(fd);
  }
}

/** Waits until the monitor has exited (so the exit file is written), up to timeoutMs. */
export async function waitMonitor(ctx: Ctx, rec: ContainerRecord, timeoutMs: number): Promise<boolean> {
  const mine = ctx.exits.get(rec.id);
  let fd: number;
  try {
    fd = ctx.native.pidfdOpen(rec.monitorPid);
  } catch {
    return true; // already gone
  }
  try {
    if (procStartTime(rec.monitorPid) !== rec.monitorStartTime) return true;
    const done = mine ? Promise.race([mine, ctx.native.pidfdWait(fd)]) : ctx.native.pidfdWait(fd);
    if (!Number.isFinite(timeoutMs)) {
      await done;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const r = await Promise.race([done.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    return r === 'done';
  } finally {
    ctx.native.closeFd(fd);
  }
}
