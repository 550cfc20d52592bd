// `gc`: removes what crashed or killed hutch processes left behind: half-created or
// half-removed bundles, names without a container, cgroups without a container,
// mounts under the state root, exited `--rm` containers, image scratch directories.
import fs from 'node:fs';
import path from 'node:path';
import { containerDir } from '../paths.js';
import { pidAlive } from '../proc.js';
import { parseMountinfo } from '../cgroups/mountinfo.js';
import { creatorAlive } from './create.js';
import { listIds, mustLoad, namesDir, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { removeIfDone } from './remove.js';

export async function gc(ctx: Ctx): Promise<string[]> {
  const removed: string[] = [];
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(ctx.paths.containers);
  } catch {
    /* nothing yet */
  }
  for (const n of entries) {
    const m = /^\.(tmp|rm)-(\d+)-([0-9a-f]{64})$/.exec(n);
    if (!m || pidAlive(Number(m[2]))) continue;
    fs.rmSync(path.join(ctx.paths.containers, n), { recursive: true, force: true });
    removed.push(`${m[1] === 'tmp' ? 'half-created' : 'half-removed'} container ${m[3].slice(0, 12)}`);
  }
  let names: string[] = [];
  try {
    names = fs.readdirSync(namesDir(ctx));
  } catch {
    /* none */
  }
  for (const n of names) {
    const link = path.join(namesDir(ctx), n);
    const id = fs.readlinkSync(link);
    if (fs.existsSync(containerDir(ctx.paths, id))) continue;
    if (creatorAlive(ctx, id)) continue;
    fs.rmSync(link, { force: true });
    removed.push(`stale name ${n}`);
  }
  const ids = new Set(listIds(ctx));
  for (const child of await ctx.cgroups.listChildren()) {
    if (ids.has(child)) continue;
    await ctx.cgroups.remove(ctx.cgroups.pathsFor(child));
    removed.push(`cgroup ${child}`);
  }
  for (const mnt of mountsUnder(ctx.paths.root).reverse()) {
    try {
      ctx.native.umount2(mnt, ctx.native.constants.MNT_DETACH);
      removed.push(`mount ${mnt}`);
    } catch {
      /* raced with someone else */
    }
  }
  for (const id of ids) {
    const rec = await reconcile(ctx, mustLoad(ctx, id)).catch(() => null);
    if (rec && (await removeIfDone(ctx, rec))) removed.push(`exited --rm container ${rec.name}`);
  }
  removed.push(...(await ctx.images.gc()));
  return removed;
}

/** Mount points below dir in this mount namespace, in mount order. */
export function mountsUnder(dir: string): string[] {
  // The root itself may be a test's own mount: only what is below it.
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((mp) => mp.startsWith(dir + '/'));
}
