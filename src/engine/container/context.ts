// What every lifecycle verb needs: where state lives, the kernel surface, cgroups
// and images. Built once by openEngine; verbs are plain functions over it.
import fs from 'node:fs';
import path from 'node:path';
import type { Paths } from '../paths.js';
import type { Native } from '../native/native.js';
import type { CgroupManager } from '../cgroups/index.js';
import type { ImageStore } from '../images/store.js';
import { Conflict, NotFound } from '../errors.js';
import { containerDir } from '../paths.js';
import { withLock } from '../state/lock.js';
import { files, loadRecord, type ContainerRecord } from './record.js';

export interface Ctx {
  paths: Paths;
  native: Native;
  cgroups: CgroupManager;
  images: ImageStore;
  /** Exit statuses of containers this process started (from the monitor's sync pipe). */
  exits: Map<string, Promise<number | null>>;
}

export function namesDir(ctx: Ctx): string {
  return path.join(ctx.paths.root, 'names');
}

/** Finds a container by full id, name, or unique id prefix (as docker does). */
export function resolveId(ctx: Ctx, ref: string): string {
  if (!ref) throw new NotFound('No such container: ');
  if (/^[0-9a-f]{64}$/.test(ref) && fs.existsSync(containerDir(ctx.paths, ref))) return ref;
  try {
    const id = fs.readlinkSync(path.join(namesDir(ctx), ref));
    if (fs.existsSync(containerDir(ctx.paths, id))) return id;
  } catch {
    /* not a name */
  }
  if (/^[0-9a-f]+$/.test(ref)) {
    const hits = listIds(ctx).filter((id) => id.startsWith(ref));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new Conflict(`multiple IDs found with provided prefix: ${ref}`);
  }
  throw new NotFound(`No such container: ${ref}`);
}

export function listIds(ctx: Ctx): string[] {
  try {
    return fs.readdirSync(ctx.paths.containers).filter((n) => /^[0-9a-f]{64}$/.test(n));
  } catch {
    return [];
  }
}

export function mustLoad(ctx: Ctx, id: string): ContainerRecord {
  const rec = loadRecord(containerDir(ctx.paths, id));
  if (!rec) throw new NotFound(`No such container: ${id}`);
  return rec;
}

export function lockContainer<T>(ctx: Ctx, id: string, fn: () => Promise<T> | T): Promise<T> {
  const dir = containerDir(ctx.paths, id);
  if (!fs.existsSync(dir)) throw new NotFound(`No such container: ${id}`);
  return withLock(ctx.native, files.lock(dir), fn);
}
