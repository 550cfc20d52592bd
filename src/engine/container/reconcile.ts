// Brings a record in line with reality, which the files of the container's monitor
// tell (native/monitor/exitfile.h):
// - a monitor holding the lock on `exit.lock` is alive: the container runs, even
//   when state.json says otherwise (a hutch killed between starting the monitor and
//   saving the record leaves `created`, pid 0);
// - an `exit` file is written by the monitor as it ends: exited, with its real code
//   and time, also when the record never heard of that run;
// - a dead monitor without an exit file was killed: its container died with it (the
//   init has PDEATHSIG) and the status is lost (255, as docker reports a container
//   whose shim died).
// The new record is saved when possible; a save that fails (a full disk) does not
// change what is true, so the reconciled record is returned anyway.
import { containerDir } from '../paths.js';
import type { Ctx } from './context.js';
import { readExitFile, settledMonitor, saveRecord, type ContainerRecord, type LiveMonitor } from './record.js';
import { isAlive, procStartTime } from '../proc.js';
import { containerEvent } from '../events/emit.js';
import { unpaused } from './pause.js';
import { resumeOrphanedRestart } from './exit-command.js';

export async function reconcile(ctx: Ctx, rec: ContainerRecord): Promise<ContainerRecord> {
  // A pending restart whose waiting process died is resumed by whoever looks.
  return resumeOrphanedRestart(ctx, await reconcileState(ctx, rec));
}

async function reconcileState(ctx: Ctx, rec: ContainerRecord): Promise<ContainerRecord> {
  const dir = containerDir(ctx.paths, rec.id);
  if (rec.status === 'running') {
    let exit = readExitFile(dir);
    if (!exit && isAlive(rec.monitorPid, rec.monitorStartTime)) return rec;
    if (!exit) {
      const live = await settledMonitor(ctx.native, dir);
      if (live) return adopt(rec, live);
      // The monitor renames exit.lock to exit before it lets go of the lock: with no
      // live monitor now, an exit it wrote since our first look is there.
      exit = readExitFile(dir);
    }
    // An exited container is not paused (its cgroup may stay frozen until the next start or rm).
    return died(ctx, save({
      ...unpaused(rec),
      status: 'exited',
      pid: 0,
      monitorPid: 0,
      exitCode: exit ? exit.code : 255,
      finishedAt: exit ? exit.time : new Date().toISOString(),
      oomKilled: await ctx.cgroups.oomKilled(rec.cgroupPaths).catch(() => false),
    }));
  }
  // created or exited: was a start killed before it saved what it started?
  const live = await settledMonitor(ctx.native, dir);
  if (live) return adopt(rec, live);
  const exit = readExitFile(dir);
  if (!exit || (rec.status === 'exited' && rec.finishedAt === exit.time)) return rec;
  return died(ctx, save({
    ...unpaused(rec),
    status: 'exited',
    pid: 0,
    monitorPid: 0,
    exitCode: exit.code,
    startedAt: rec.startedAt || exit.time,
    finishedAt: exit.time,
    oomKilled: await ctx.cgroups.oomKilled(ctx.cgroups.pathsFor(rec.id)).catch(() => false),
  }));
}

/** The exit just learnt of, as docker's `oom` and `die` events, at the time it happened
 * (whoever reconciles first reports it: the record is saved under the container's lock). */
function died(ctx: Ctx, rec: ContainerRecord): ContainerRecord {
  const at = Date.parse(rec.finishedAt);
  const when = Number.isNaN(at) ? undefined : at;
  if (rec.oomKilled) containerEvent(ctx.paths.root, 'oom', rec, {}, when);
  containerEvent(ctx.paths.root, 'die', rec, { exitCode: rec.exitCode ?? 0 }, when);
  return rec;
}

/** A live monitor the record did not know: the container runs. */
function adopt(rec: ContainerRecord, live: LiveMonitor): ContainerRecord {
  const pidStartTime = procStartTime(live.pid);
  const monitorStartTime = procStartTime(live.monitorPid);
  // Still setting the container up (no pid yet), or gone this instant: next time.
  if (!live.pid || pidStartTime === null || monitorStartTime === null) return rec;
  return save({
    ...rec,
    status: 'running',
    pid: live.pid,
    monitorPid: live.monitorPid,
    pidStartTime,
    monitorStartTime,
    startedAt: rec.status === 'running' ? rec.startedAt : new Date().toISOString(),
    finishedAt: '',
    exitCode: null,
    oomKilled: false,
  });
}

function save(rec: ContainerRecord): ContainerRecord {
  try {
    saveRecord(rec);
  } catch {
    /* a full disk: what is true does not depend on it */
  }
  return rec;
}
