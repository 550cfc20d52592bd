// `gc`: removes what crashed or killed hutch processes left behind: half-created or
// half-removed bundles, names without a container, cgroups without a container,
// mounts under the state root, exited `--rm` containers, stale temp files, image
// scratch directories. It touches only what is this root's own: cgroups under the
// root's own parent (Paths.cgroupParent), mounts below the root but not below
// another state root nested in it. It kills nothing that is not a container of this
// root recorded dead: a cgroup with processes and no container here is left alone.
// Volumes: only half-made ones (no meta.json); a complete volume is never gc's.
import fs from 'node:fs';
import path from 'node:path';
import { containerDir } from '../paths.js';
import { pidAlive } from '../proc.js';
import { parseMountinfo } from '../cgroups/mountinfo.js';
import { removeStaleTemps } from '../state/atomic.js';
import type { ContainerRecord } from './record.js';
import { containerLive, creatorAlive } from './create.js';
import { releaseRanges } from '../security/userns.js';
import { listIds, lockContainer, mustLoad, namesDir, type Ctx } from './context.js';
import { BrokenRecord } from '../errors.js';
import { removeBroken } from './broken.js';
import { reconcile } from './reconcile.js';
import { removeContainer, removeIfDone } from './remove.js';
import { orphanedBuildContainer } from '../build/executor/names.js';
import { networkGc } from '../network/gc.js';
import { volumeGc } from '../volumes/gc.js';
import { pruneCache } from '../security/seccomp/cache.js';
import { SECCOMP_ANNOTATION } from '../security/seccomp/index.js';
import { removeStaleBuilds } from '../build/status.js';

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
    // Only container ids: anything else under the parent is not hutch's to judge. An
    // id whose bundle appeared since the listing is a container being created.
    if (!ID_RE.test(child) || ids.has(child) || fs.existsSync(containerDir(ctx.paths, child))) continue;
    if (await ctx.cgroups.removeIfEmpty(ctx.cgroups.pathsFor(child))) removed.push(`cgroup ${child}`);
    else removed.push(`cgroup ${child}: left alone (it has processes, and this root has no such container)`);
  }
  for (const mnt of mountsUnder(ctx.paths.root).reverse()) {
    try {
      ctx.native.umount2(mnt, ctx.native.constants.MNT_DETACH);
      removed.push(`mount ${mnt}`);
    } catch {
      /* raced with someone else */
    }
  }
  for (const dir of [ctx.paths.root, ...[...ids].map((id) => containerDir(ctx.paths, id))])
    for (const f of removeStaleTemps(dir)) removed.push(`temp file ${f}`);
  // Status files of builds killed before they removed them (listBuilds drops them too).
  removed.push(...removeStaleBuilds(ctx.paths));
  // --userns=auto ranges of containers that are gone (an rm killed before it freed one).
  const freed = await releaseRanges(ctx.native, ctx.paths.root, (x) => containerLive(ctx, x));
  if (freed) removed.push(`${freed} user namespace id range${freed > 1 ? 's' : ''}`);
  for (const id of ids) {
    let rec: ContainerRecord;
    try {
      rec = mustLoad(ctx, id);
    } catch (e) {
      // A record nobody can read again: its container is stopped and removed.
      if (e instanceof BrokenRecord && (await lockContainer(ctx, id, () => removeBroken(ctx, id, true)).then(() => true, () => false)))
        removed.push(`unreadable container ${id.slice(0, 12)} (${e.reason})`);
      continue; // else removed since the listing
    }
    // A step's container of a build that was killed (build/executor/names.ts).
    if (orphanedBuildContainer(rec.name)) {
      if (await removeContainer(ctx, id, true).then(() => true, () => false)) removed.push(`container ${rec.name} of a build that is gone`);
      continue;
    }
    const now = await reconcile(ctx, rec).catch(() => null);
    if (now && (await removeIfDone(ctx, now))) removed.push(`exited --rm container ${now.name}`);
  }
  for (const n of pruneCache(ctx.paths.root, seccompInUse(ctx))) removed.push(`unused seccomp program ${n}`);
  removed.push(...networkGc(ctx));
  removed.push(...(await volumeGc(ctx)));
  removed.push(...(await ctx.images.gc()));
  return removed;
}

const ID_RE = /^[0-9a-f]{64}$/;

/** The compiled seccomp programs the root's bundles name (those being created too). */
function seccompInUse(ctx: Ctx): Set<string> {
  const out = new Set<string>();
  let dirs: string[];
  try {
    dirs = fs.readdirSync(ctx.paths.containers);
  } catch {
    return out;
  }
  for (const d of dirs) {
    try {
      const cfg = JSON.parse(fs.readFileSync(path.join(ctx.paths.containers, d, 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
      const v = cfg.annotations?.[SECCOMP_ANNOTATION];
      // `[FLAGS:]/path/to/program.bpf`
      if (v) out.add(v.slice(v.indexOf('/')));
    } catch {
      /* no config yet, or gone */
    }
  }
  return out;
}

/** Mount points below dir in this mount namespace, in mount order, except those in
 * (or of) another hutch state root nested below dir: that root's gc owns them. */
export function mountsUnder(dir: string): string[] {
  // The root itself may be a test's own mount: only what is below it.
  const nested = new Map<string, boolean>();
  const isRoot = (d: string) => {
    let r = nested.get(d);
    if (r === undefined) nested.set(d, (r = looksLikeStateRoot(d)));
    return r;
  };
  const inNestedRoot = (mp: string) => {
    for (let d = mp; d !== dir && d.startsWith(dir + '/'); d = path.dirname(d)) if (isRoot(d)) return true;
    return false;
  };
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((mp) => mp.startsWith(dir + '/') && !inNestedRoot(mp));
}

/** A directory openEngine made a state root: containers/ beside run/ or images/. */
function looksLikeStateRoot(d: string): boolean {
  const isDir = (p: string) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  return isDir(path.join(d, 'containers')) && (isDir(path.join(d, 'run')) || isDir(path.join(d, 'images')));
}
