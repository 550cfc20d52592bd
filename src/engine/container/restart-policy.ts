// Restart policies without a daemon (docker's rules, moby restartmanager): `no`,
// `on-failure[:N]` (a non-zero exit, at most N restarts; 0 = no limit), `always`,
// `unless-stopped` (as always, but not after a manual stop). The container's monitor
// runs `hutch __on-exit …` (exit-command.ts) once it has recorded the exit, as conmon
// runs podman's cleanup; that process decides here, waits the backoff — 100 ms
// doubling to 1 min, back to 100 ms once a run lasted 10 s — and starts the container
// again through the ordinary start path (same mounts, address, ports and cgroup). A
// `stop` during the wait cancels it: it marks the record manually stopped, which the
// waiting process reads before it starts anything. The waiter is recorded with the
// time the restart is due: if it is killed, the next hutch to reconcile the container
// spawns another, which waits what is left (exit-command.ts).
import type { Ctx } from './context.js';
import { lockContainer, mustLoad } from './context.js';
import { reconcile } from './reconcile.js';
import { isAlive } from '../proc.js';
import { saveRecord, type ContainerRecord } from './record.js';
import { isSelf, selfWaiter } from './exit-command.js';
import { startContainer } from './start.js';

export const BACKOFF_START_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
export const RESET_AFTER_MS = 10_000;

export type RestartPolicy = { Name: string; MaximumRetryCount: number };

/** Whether a container that exited with `code` is to be started again. */
export function shouldRestart(p: RestartPolicy | undefined, code: number, restartCount: number, manuallyStopped: boolean): boolean {
  if (!p || p.Name === 'no' || p.Name === '') return false;
  if (manuallyStopped) return false;
  if (p.Name === 'on-failure') return code !== 0 && (p.MaximumRetryCount <= 0 || restartCount < p.MaximumRetryCount);
  return p.Name === 'always' || p.Name === 'unless-stopped';
}

/** The wait before the next start: doubled each time, capped, reset after a 10 s run. */
export function nextDelay(prev: number | undefined, ranMs: number): number {
  if (prev === undefined || ranMs >= RESET_AFTER_MS) return BACKOFF_START_MS;
  return Math.min(prev * 2, BACKOFF_MAX_MS);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `hutch __on-exit`: applies the container's policy to the exit its monitor recorded,
 * or takes over a pending restart whose waiter died (its due time stays). */
export async function applyRestartPolicy(ctx: Ctx, id: string): Promise<boolean> {
  const me = selfWaiter();
  const planned = await lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    if (rec.status !== 'exited' || rec.manuallyStopped) return null;
    if (rec.restarting) {
      // Ours (spawned to take over: the spawner named us) or a dead waiter's; a live
      // other waiter has it in hand.
      if (!isSelf(rec.restartWaiter) && rec.restartWaiter && isAlive(rec.restartWaiter.pid, rec.restartWaiter.startTime)) return null;
      const due = rec.restartDueAt ?? Date.now();
      saveRecord({ ...rec, restartWaiter: me });
      return { delay: Math.max(0, due - Date.now()), finishedAt: rec.finishedAt };
    }
    const count = rec.restartCount ?? 0;
    if (!shouldRestart(rec.spec.restartPolicy, rec.exitCode ?? 0, count, false)) return null;
    const ran = Date.parse(rec.finishedAt) - Date.parse(rec.startedAt);
    const delay = nextDelay(rec.restartDelayMs, Number.isFinite(ran) ? ran : 0);
    saveRecord({ ...rec, restarting: true, restartDelayMs: delay, restartWaiter: me, restartDueAt: Date.now() + delay });
    return { delay, finishedAt: rec.finishedAt };
  }).catch(() => null);
  if (!planned) return false;
  await sleep(planned.delay);
  return lockContainer(ctx, id, async () => {
    const rec: ContainerRecord = await reconcile(ctx, mustLoad(ctx, id));
    // Taken over by another waiter (we were thought dead): theirs to finish.
    if (rec.restarting && rec.restartWaiter && !isSelf(rec.restartWaiter)) return false;
    const done = { restarting: false, restartWaiter: undefined, restartDueAt: undefined };
    // Stopped, removed, started by someone else, or `update --restart no` meanwhile: nothing to do.
    const wanted = shouldRestart(rec.spec.restartPolicy, rec.exitCode ?? 0, rec.restartCount ?? 0, false);
    if (rec.status !== 'exited' || rec.finishedAt !== planned.finishedAt || rec.manuallyStopped || !rec.restarting || !wanted) {
      if (rec.restarting) saveRecord({ ...rec, ...done });
      return false;
    }
    saveRecord({ ...rec, ...done, restartCount: (rec.restartCount ?? 0) + 1 });
    return true;
  })
    .then(async (go) => {
      if (go) await startContainer(ctx, id);
      return go;
    })
    .catch(() => false);
}
