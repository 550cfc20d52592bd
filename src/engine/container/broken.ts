// Containers whose state.json cannot be read (a truncated write on a full disk, a
// careless edit). They are not hidden: `ps -a` lists them as Unknown with the reason,
// and `rm -f` and `gc` remove them, stopping what still runs of them, found through
// the monitor's lock (record.ts liveMonitor) and the container's cgroup, which are
// named by the id alone.
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInfo } from '../types.js';
import { Conflict, type BrokenRecord } from '../errors.js';
import { containerDir } from '../paths.js';
import { procStartTime } from '../proc.js';
import { namesDir, type Ctx } from './context.js';
import { files, liveMonitor } from './record.js';

/** What can be said of a broken record without it. */
export function brokenInfo(ctx: Ctx, id: string, e: BrokenRecord): ContainerInfo {
  const dir = containerDir(ctx.paths, id);
  const live = liveMonitor(ctx.native, dir);
  let created = '';
  try {
    created = fs.statSync(dir).birthtime.toISOString();
  } catch {
    /* removed meanwhile */
  }
  return {
    id,
    name: namesOf(ctx, id)[0] ?? id.slice(0, 12),
    image: '',
    command: [],
    created,
    startedAt: '',
    finishedAt: '',
    status: 'unknown',
    pid: live?.pid ?? 0,
    monitorPid: live?.monitorPid ?? 0,
    exitCode: null,
    oomKilled: false,
    spec: { image: '' },
    bundle: dir,
    logPath: files.log(dir),
    cgroupPaths: ctx.cgroups.pathsFor(id),
    problem: `state.json: ${e.reason}`,
  };
}

/** The names that link to id (a broken record does not say its own). */
export function namesOf(ctx: Ctx, id: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(namesDir(ctx));
  } catch {
    return [];
  }
  return names.filter((n) => {
    try {
      return fs.readlinkSync(path.join(namesDir(ctx), n)) === id;
    } catch {
      return false;
    }
  });
}

/**
 * Removes a broken record's container, under its lock: refuses while its monitor
 * lives unless forced; forced, kills its init and waits for the monitor, then
 * removes the cgroup (killing what is left in it), the bundle and its names.
 */
export async function removeBroken(ctx: Ctx, id: string, force: boolean): Promise<void> {
  const dir = containerDir(ctx.paths, id);
  const live = liveMonitor(ctx.native, dir);
  if (live && !force)
    throw new Conflict(`cannot remove container "${id.slice(0, 12)}": container is running: stop the container before removing or force remove`);
  if (live) await killAndWait(ctx, live.pid, live.monitorPid);
  await ctx.cgroups.remove(ctx.cgroups.pathsFor(id));
  ctx.exits.delete(id);
  const doomed = `${ctx.paths.containers}/.rm-${process.pid}-${id}`;
  fs.renameSync(dir, doomed);
  for (const n of namesOf(ctx, id)) fs.rmSync(path.join(namesDir(ctx), n), { force: true });
  fs.rmSync(doomed, { recursive: true, force: true });
}

async function killAndWait(ctx: Ctx, pid: number, monitorPid: number): Promise<void> {
  const monitorStart = procStartTime(monitorPid);
  let mfd: number;
  try {
    mfd = ctx.native.pidfdOpen(monitorPid);
  } catch {
    return; // gone already
  }
  try {
    if (procStartTime(monitorPid) !== monitorStart) return;
    if (!pid) ctx.native.pidfdSendSignal(mfd, 9); // still setting up: its init dies with it
    else {
      try {
        const fd = ctx.native.pidfdOpen(pid);
        try {
          ctx.native.pidfdSendSignal(fd, 9);
        } finally {
          ctx.native.closeFd(fd);
        }
      } catch {
        /* the init is gone: the monitor is about to end */
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ctx.native.pidfdWait(mfd), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  } finally {
    ctx.native.closeFd(mfd);
  }
}
