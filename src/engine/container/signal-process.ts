// A signal to one process of a running container (the dashboard's process list),
// refused unless that process is in the container's cgroup: the pid comes from a
// screen that may be a second old, so it may name a process that has gone, or,
// pid reused, one that never belonged to the container.
import { Conflict, InvalidArgument, NotFound } from '../errors.js';
import { procStartTime } from '../proc.js';
import { mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { parseSignal } from './signal.js';

export async function signalProcess(ctx: Ctx, id: string, pid: number, signal: string | number): Promise<void> {
  const sig = parseSignal(signal);
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new InvalidArgument(`invalid pid: ${pid}`);
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  if (rec.status !== 'running') throw new Conflict(`container ${rec.name} is not running`);
  const notOurs = () => new NotFound(`no process ${pid} in container ${rec.name}`);
  // Which process the pid names now (pid and start time name one for good)…
  const start = procStartTime(pid);
  if (start === null) throw notOurs();
  let fd: number;
  try {
    fd = ctx.native.pidfdOpen(pid);
  } catch {
    throw notOurs();
  }
  try {
    // …is it in the cgroup, read right before the kill…
    const members = await ctx.cgroups.pids(rec.cgroupPaths);
    if (!members.includes(pid)) throw notOurs();
    // …and is the pid still that process after the read? A same start time means the
    // process lived from the first read to this one, so the pidfd, the cgroup's pid
    // and this pid are one process: a pid reused in between is never signalled. The
    // pidfd pins the process, not the pid: from here on it may exit (the send fails,
    // harmlessly). What remains is a move out of the cgroup between the read above
    // and the send, which takes write access to a cgroup.procs outside the
    // container's (a host process's doing; the container cannot move itself out).
    if (procStartTime(pid) !== start) throw notOurs();
    try {
      ctx.native.pidfdSendSignal(fd, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') throw notOurs();
      throw e;
    }
  } finally {
    ctx.native.closeFd(fd);
  }
}
