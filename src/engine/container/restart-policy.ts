// Restart policies without a daemon (docker's rules, moby restartmanager): `no`,
// `on-failure[:N]` (a non-zero exit, at most N restarts; 0 = no limit), `always`,
// `unless-stopped` (as always, but not after a manual stop). The container's monitor
// runs `hutch __on-exit …` (annotation run.hutch.on-exit) once it has recorded the
// exit, as conmon runs podman's cleanup; that process decides here, waits the backoff
// — 100 ms doubling to 1 min, back to 100 ms once a run lasted 10 s — and starts the
// container again through the ordinary start path (same mounts, address, ports and
// cgroup). A `stop` during the wait cancels it: it marks the record manually stopped,
// which the waiting process reads before it starts anything.
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ctx } from './context.js';
import { lockContainer, mustLoad } from './context.js';
import { reconcile } from './reconcile.js';
import { saveRecord, type ContainerRecord } from './record.js';
import { startContainer } from './start.js';

export const BACKOFF_START_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
export const RESET_AFTER_MS = 10_000;
export const ON_EXIT_ANNOTATION = 'run.hutch.on-exit';

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

/** The package's CLI entry (bin/hutch.cjs), from this module's place in src/ or dist/. */
function cliEntry(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const bin = path.join(dir, 'bin', 'hutch.cjs');
    if (fs.existsSync(bin)) return bin;
    if (dir === path.dirname(dir)) throw new Error('restart policy: cannot find bin/hutch.cjs');
    dir = path.dirname(dir);
  }
}

/** The annotation's value: the command the monitor runs at each exit (argv, one per line). */
export function onExitCommand(ctx: Ctx, id: string): string {
  const argv = [process.execPath, cliEntry(), '__on-exit', ctx.paths.root, ctx.cgroups.parent, ctx.paths.run, id];
  if (argv.some((a) => a.includes('\n'))) throw new Error('restart policy: a path holds a newline');
  return argv.join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `hutch __on-exit`: applies the container's policy to the exit its monitor recorded. */
export async function applyRestartPolicy(ctx: Ctx, id: string): Promise<boolean> {
  const planned = await lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    if (rec.status !== 'exited') return null;
    const count = rec.restartCount ?? 0;
    if (!shouldRestart(rec.spec.restartPolicy, rec.exitCode ?? 0, count, !!rec.manuallyStopped)) return null;
    const ran = Date.parse(rec.finishedAt) - Date.parse(rec.startedAt);
    const delay = nextDelay(rec.restartDelayMs, Number.isFinite(ran) ? ran : 0);
    saveRecord({ ...rec, restarting: true, restartDelayMs: delay });
    return { delay, finishedAt: rec.finishedAt };
  }).catch(() => null);
  if (!planned) return false;
  await sleep(planned.delay);
  return lockContainer(ctx, id, async () => {
    const rec: ContainerRecord = await reconcile(ctx, mustLoad(ctx, id));
    // Stopped, removed, started by someone else meanwhile: nothing to do.
    if (rec.status !== 'exited' || rec.finishedAt !== planned.finishedAt || rec.manuallyStopped || !rec.restarting) {
      if (rec.restarting) saveRecord({ ...rec, restarting: false });
      return false;
    }
    saveRecord({ ...rec, restarting: false, restartCount: (rec.restartCount ?? 0) + 1 });
    return true;
  })
    .then(async (go) => {
      if (go) await startContainer(ctx, id);
      return go;
    })
    .catch(() => false);
}
