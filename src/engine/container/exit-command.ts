// The command a container's monitor runs after each exit, `hutch __on-exit`
// (restart-policy.ts), and what keeps a pending restart alive without a daemon.
//
// - Every config.json names the command (annotation run.hutch.on-exit) and a marker
//   file (run.hutch.on-exit-if) that the monitor checks with access() at the exit: the
//   file exists iff the policy is not `no`. So `update --restart` applies to the run in
//   progress (the monitor read its annotations at start), and a container without a
//   policy costs no node process per exit.
// - The process that waits out a restart's backoff is recorded (pid and start time, so
//   a reused pid is not taken for it) with the time the restart is due. Whoever
//   reconciles the container later (ps, inspect, the dashboard's ticks…) and finds the
//   waiter dead — SIGKILLed, OOM-killed — spawns the command again, once: under the
//   container's lock, recording the new waiter before letting go.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Ctx } from './context.js';
import { containerDir } from '../paths.js';
import { files, loadRecord, saveRecord, type ContainerRecord, type RestartWaiter } from './record.js';
import { isAlive, procStartTime } from '../proc.js';

export const ON_EXIT_ANNOTATION = 'run.hutch.on-exit';
export const ON_EXIT_IF_ANNOTATION = 'run.hutch.on-exit-if';

/** The marker whose presence arms the exit command (bundle directory). */
export const restartMarker = (dir: string): string => path.join(dir, 'restart-policy');

/** Arms or disarms the exit command of the run in progress and of the next ones. */
export function setRestartMarker(dir: string, armed: boolean): void {
  if (armed) fs.writeFileSync(restartMarker(dir), '');
  else fs.rmSync(restartMarker(dir), { force: true });
}

let entry: string | undefined;
/** The package's CLI entry (bin/hutch.cjs), from this module's place in src/ or dist/. */
export function cliEntry(): string {
  if (entry) return entry;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const bin = path.join(dir, 'bin', 'hutch.cjs');
    if (fs.existsSync(bin)) return (entry = bin);
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

/** Both annotations, for config.json. */
export function exitAnnotations(ctx: Ctx, id: string): Record<string, string> {
  return { [ON_EXIT_ANNOTATION]: onExitCommand(ctx, id), [ON_EXIT_IF_ANNOTATION]: restartMarker(containerDir(ctx.paths, id)) };
}

/** This process, as a restart's waiter. */
export function selfWaiter(): RestartWaiter {
  return { pid: process.pid, startTime: procStartTime(process.pid) ?? 0 };
}

export function isSelf(w: RestartWaiter | undefined): boolean {
  return !!w && w.pid === process.pid && w.startTime === (procStartTime(process.pid) ?? 0);
}

/** A pending restart nobody waits for any more (a record without a waiter predates them). */
function orphaned(rec: ContainerRecord): boolean {
  return !!rec.restarting && rec.status === 'exited' && !rec.manuallyStopped && !(rec.restartWaiter && isAlive(rec.restartWaiter.pid, rec.restartWaiter.startTime));
}

/** The command the monitor runs, as its config.json has it (else as create writes it). */
function exitArgv(ctx: Ctx, dir: string, id: string): string[] {
  let cmd: string | undefined;
  try {
    cmd = (JSON.parse(fs.readFileSync(files.config(dir), 'utf8')) as { annotations?: Record<string, string> }).annotations?.[ON_EXIT_ANNOTATION];
  } catch {
    /* no config.json: as create would write it */
  }
  return (cmd ?? onExitCommand(ctx, id)).split('\n');
}

/**
 * reconcile's last step: a pending restart whose waiter died gets a new one, spawned
 * as the monitor spawns it (its own session, stdio on /dev/null). The container's
 * lock is tried, not waited for: its holder — this very process too, when it
 * reconciles under the lock — is acting on the container, and the next look sees to
 * what is left. Returns the record as it is now.
 */
export function resumeOrphanedRestart(ctx: Ctx, rec: ContainerRecord): ContainerRecord {
  if (!orphaned(rec)) return rec;
  const dir = containerDir(ctx.paths, rec.id);
  let fd: number;
  try {
    fd = fs.openSync(files.lock(dir), fs.constants.O_RDWR); // no O_CREAT: a removed container stays removed
  } catch {
    return rec;
  }
  try {
    if (!ctx.native.flock(fd, 'ex', true)) return rec;
    const now = loadRecord(dir);
    if (!now || !orphaned(now)) return now ?? rec;
    const argv = exitArgv(ctx, dir, rec.id);
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: 'ignore' });
    child.on('error', () => {}); // a command that cannot run: no waiter recorded, the next look tries again
    child.unref();
    const startTime = child.pid ? procStartTime(child.pid) : null;
    if (!child.pid || startTime === null) return now;
    // The child takes the lock before it reads the record: it finds itself named.
    const next: ContainerRecord = { ...now, restartWaiter: { pid: child.pid, startTime } };
    saveRecord(next);
    return next;
  } catch {
    return rec; // a full disk, a broken record: nothing changed that matters
  } finally {
    fs.closeSync(fd);
  }
}
