// A container's root directory as an fd, for cp, export and diff.
//   - Running: /proc/<init>/root, a magic link to the root as the container's
//     mount namespace sees it (volumes included). Opened once; the pid is then
//     checked to still be the container's init (pidfd, then the start time read
//     after the open): a pid reused in between is never taken for it.
//   - Stopped: its overlay mounted on a fresh directory under the run dir,
//     read-only (lowerdir=upper:lowers, no workdir: any number at once) or read-write (upper+work, under the container's lock:
//     one at a time, and no start meanwhile). Unmounted (MNT_DETACH) and removed
//     in finally.
// Everything under the fd is then reached with Native's in-root calls.
import fs from 'node:fs';
import path from 'node:path';
import { Conflict } from '../errors.js';
import { procStartTime } from '../proc.js';
import { lockContainer, mustLoad, type Ctx } from '../container/context.js';
import { reconcile } from '../container/reconcile.js';
import { files, type ContainerRecord } from '../container/record.js';

export interface ContainerRoot {
  /** O_PATH fd on the root directory. */
  fd: number;
  /** A path naming that directory (for the extractor): /proc/self/fd/N or the mount point. */
  path: string;
  rec: ContainerRecord;
  running: boolean;
}

export type RootMode = 'read' | 'write';

export interface Overlay {
  lowerdirs: string[];
  upperdir: string;
  workdir: string;
}

/** The run.hutch.overlay annotation of the bundle's config.json; relative lowers are relative to the bundle. */
export function readOverlay(bundle: string): Overlay {
  const spec = JSON.parse(fs.readFileSync(files.config(bundle), 'utf8')) as { annotations?: Record<string, string> };
  const text = spec.annotations?.['run.hutch.overlay'];
  if (!text) throw new Conflict(`container bundle ${bundle} has no overlay`);
  const kv = new Map(text.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as [string, string]));
  const abs = (p: string) => path.resolve(bundle, p);
  return {
    lowerdirs: (kv.get('lowerdir') ?? '').split(':').filter(Boolean).map(abs),
    upperdir: abs(kv.get('upperdir') ?? files.upper(bundle)),
    workdir: abs(kv.get('workdir') ?? files.work(bundle)),
  };
}

function openRunning(ctx: Ctx, rec: ContainerRecord): number | null {
  let pidfd: number;
  try {
    pidfd = ctx.native.pidfdOpen(rec.pid);
  } catch {
    return null;
  }
  try {
    let fd: number;
    try {
      fd = ctx.native.openRoot(`/proc/${rec.pid}/root`);
    } catch {
      return null;
    }
    // The fd names whatever process had the pid at open: keep it only if that is
    // still the init we recorded (same pid, same start time, alive after the open).
    if (procStartTime(rec.pid) !== rec.pidStartTime) {
      ctx.native.closeFd(fd);
      return null;
    }
    return fd;
  } finally {
    ctx.native.closeFd(pidfd);
  }
}

async function withOverlay<T>(ctx: Ctx, rec: ContainerRecord, writable: boolean, fn: (root: ContainerRoot) => Promise<T>): Promise<T> {
  const o = readOverlay(rec.bundle);
  const target = fs.mkdtempSync(path.join(ctx.paths.run, 'cp-'));
  const data = writable ? `lowerdir=${o.lowerdirs.join(':')},upperdir=${o.upperdir},workdir=${o.workdir}` : `lowerdir=${[o.upperdir, ...o.lowerdirs].join(':')}`;
  let mounted = false;
  try {
    ctx.native.mount('overlay', target, 'overlay', writable ? 0 : ctx.native.constants.MS_RDONLY, data);
    mounted = true;
    const fd = ctx.native.openRoot(target);
    try {
      return await fn({ fd, path: target, rec, running: false });
    } finally {
      ctx.native.closeFd(fd);
    }
  } finally {
    if (mounted) ctx.native.umount2(target, ctx.native.constants.MNT_DETACH);
    fs.rmdirSync(target);
  }
}

/** Runs fn with the root of container `id` open (see the file comment for the modes). */
export async function withContainerRoot<T>(ctx: Ctx, id: string, mode: RootMode, fn: (root: ContainerRoot) => Promise<T>): Promise<T> {
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  const attempt = async (r: ContainerRecord, locked: boolean): Promise<T> => {
    if (r.status === 'running') {
      const fd = openRunning(ctx, r);
      if (fd !== null) {
        try {
          return await fn({ fd, path: `/proc/self/fd/${fd}`, rec: r, running: true });
        } finally {
          ctx.native.closeFd(fd);
        }
      }
      r = await reconcile(ctx, mustLoad(ctx, id));
      if (r.status === 'running') throw new Conflict(`container ${r.name}: cannot reach its root`);
    }
    if (mode === 'read') return withOverlay(ctx, r, false, fn);
    if (!locked) return lockContainer(ctx, id, async () => attempt(await reconcile(ctx, mustLoad(ctx, id)), true));
    return withOverlay(ctx, r, true, fn);
  };
  return attempt(rec, false);
}
