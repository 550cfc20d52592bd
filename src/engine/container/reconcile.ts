// Brings a record in line with reality. The monitor writes the exit file before it
// exits, so: an exit file means exited (with its real code and time); a live monitor
// means running; a dead monitor without an exit file means it was killed too and the
// status is lost (255, as docker reports a container whose shim died).
import { containerDir } from '../paths.js';
import type { Ctx } from './context.js';
import { readExitFile, saveRecord, type ContainerRecord } from './record.js';
import { isAlive } from '../proc.js';

export async function reconcile(ctx: Ctx, rec: ContainerRecord): Promise<ContainerRecord> {
  if (rec.status !== 'running') return rec;
  const dir = containerDir(ctx.paths, rec.id);
  const exit = readExitFile(dir);
  if (!exit && isAlive(rec.monitorPid, rec.monitorStartTime)) return rec;
  const next: ContainerRecord = {
    ...rec,
    status: 'exited',
    pid: 0,
    monitorPid: 0,
    exitCode: exit ? exit.code : 255,
    finishedAt: exit ? exit.time : new Date().toISOString(),
    oomKilled: await ctx.cgroups.oomKilled(rec.cgroupPaths).catch(() => false),
  };
  saveRecord(next);
  return next;
}
