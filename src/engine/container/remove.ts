// `rm`: refuses a running container unless forced; removes the cgroups, the bundle
// directory and the name (and with `-v`, or for an `--rm` container, its anonymous
// volumes). Nothing of the container is left on the host.
import fs from 'node:fs';
import { BrokenRecord, Conflict } from '../errors.js';
import { removeBroken } from './broken.js';
import { containerDir } from '../paths.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { containerLive, releaseName } from './create.js';
import { releaseRanges } from '../security/userns.js';
import { reconcile } from './reconcile.js';
import { saveRecord } from './record.js';
import { thaw } from './pause.js';
import { terminate } from './stop.js';
import type { ContainerRecord } from './record.js';
import { releaseEndpoint } from '../network/endpoint.js';
import { unregisterNames } from '../network/names.js';
import { removeAnonymousVolumes } from '../volumes/verbs.js';

export async function removeContainer(ctx: Ctx, id: string, force = false, volumes = false): Promise<void> {
  await lockContainer(ctx, id, async () => {
    let loaded;
    try {
      loaded = mustLoad(ctx, id);
    } catch (e) {
      if (e instanceof BrokenRecord) return removeBroken(ctx, id, force);
      throw e;
    }
    let rec = await reconcile(ctx, loaded);
    if (rec.status === 'running') {
      if (!force)
        throw new Conflict(`cannot remove container "${rec.name}": container is running: stop the container before removing or force remove`);
      // Marked first: its restart policy's exit command then leaves it alone.
      saveRecord((rec = { ...rec, manuallyStopped: true, restarting: false }));
      // A frozen process cannot die of SIGKILL until thawed (v1): thaw first, as docker does.
      await terminate(ctx, rec.paused ? thaw(rec) : rec, 0);
      rec = await reconcile(ctx, rec);
    }
    await ctx.cgroups.remove(ctx.cgroups.pathsFor(id));
    ctx.exits.delete(id);
    // Rename first so a concurrent reader never sees a half-deleted bundle.
    const dir = containerDir(ctx.paths, id);
    const doomed = `${ctx.paths.containers}/.rm-${process.pid}-${id}`;
    fs.renameSync(dir, doomed);
    releaseName(ctx, rec.name, id);
    for (const e of rec.endpoints ?? []) {
      unregisterNames(ctx.paths, e);
      releaseEndpoint(ctx.paths, e, id);
    }
    fs.rmSync(doomed, { recursive: true, force: true });
    // After the bundle is gone: a range is never free while files of it may remain.
    if (rec.idRange) await releaseRanges(ctx.native, ctx.paths.root, (x) => x !== id && containerLive(ctx, x));
    // After the bundle: from here on no record names them, so they count as unused.
    if (volumes || rec.spec.autoRemove) await removeAnonymousVolumes(ctx, rec.mounts ?? []);
  });
}

/**
 * No daemon removes an `--rm` container when it exits: whichever hutch sees it
 * exited first (a waiting `run`, `ps`, the dashboard, `gc`) does. True if removed.
 */
export async function removeIfDone(ctx: Ctx, rec: ContainerRecord): Promise<boolean> {
  if (rec.status !== 'exited' || !rec.spec.autoRemove) return false;
  await removeContainer(ctx, rec.id).catch(() => {});
  return true;
}
