// `volume create / ls / inspect / rm / prune`, and the anonymous volumes that go
// with their container (`rm -v`, `--rm`). A volume any container uses, running or
// not, is never removed: the users are read from the containers' records under
// the volumes lock, which every create holds while it attaches volumes.
import fs from 'node:fs';
import type { Ctx } from '../container/context.js';
import { listIds } from '../container/context.js';
import { loadRecord } from '../container/record.js';
import { containerDir } from '../paths.js';
import { Conflict, InvalidArgument, NotFound } from '../errors.js';
import type { MountPoint } from './attach.js';
import { createVolumeLocked, dataDir, deleteVolumeLocked, listVolumeRecords, lockVolumes, mustReadVolume, readVolume, treeSize, type CreateVolumeOptions, type VolumeRecord } from './store.js';

export interface VolumeInfo extends VolumeRecord {
  /** The host directory containers see (docker's Mountpoint). */
  mountpoint: string;
  /** Ids of the containers that mount it, running or not. */
  containers: string[];
}

export interface VolumeFilter {
  /** true: volumes no container uses; false: used ones. */
  dangling?: boolean;
  /** `K` or `K=V`. */
  label?: string;
}

/** volume name → ids of containers mounting it. */
function usage(ctx: Ctx): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const id of listIds(ctx)) {
    let mounts: MountPoint[] = [];
    try {
      mounts = loadRecord(containerDir(ctx.paths, id))?.mounts ?? [];
    } catch {
      /* an unreadable record: its mounts are unknown (rm -f of it frees them) */
    }
    for (const m of mounts) if (m.type === 'volume' && m.name) out.set(m.name, [...(out.get(m.name) ?? []), id]);
  }
  return out;
}

function info(ctx: Ctx, v: VolumeRecord, used: Map<string, string[]>): VolumeInfo {
  return { ...v, mountpoint: dataDir(ctx.paths, v.name), containers: used.get(v.name) ?? [] };
}

/** Removes a tree through the addon (fd walk, any depth), then whatever is left. */
export function treeRemover(ctx: Ctx): (p: string) => void {
  return (p) => {
    try {
      ctx.native.removeTree(p);
    } finally {
      fs.rmSync(p, { recursive: true, force: true });
    }
  };
}

export async function createVolume(ctx: Ctx, o: CreateVolumeOptions): Promise<VolumeInfo> {
  return lockVolumes(ctx.native, ctx.paths, () => info(ctx, createVolumeLocked(ctx.paths, o).rec, usage(ctx)));
}

export function listVolumes(ctx: Ctx, f: VolumeFilter = {}): VolumeInfo[] {
  const used = usage(ctx);
  let label: ((v: VolumeRecord) => boolean) | undefined;
  if (f.label !== undefined) {
    const eq = f.label.indexOf('=');
    const k = eq < 0 ? f.label : f.label.slice(0, eq);
    if (!k) throw new InvalidArgument(`invalid filter 'label=${f.label}'`);
    label = (v) => k in v.labels && (eq < 0 || v.labels[k] === f.label!.slice(eq + 1));
  }
  return listVolumeRecords(ctx.paths)
    .map((v) => info(ctx, v, used))
    .filter((v) => (f.dangling === undefined || (v.containers.length === 0) === f.dangling) && (!label || label(v)));
}

export function inspectVolume(ctx: Ctx, name: string): VolumeInfo {
  return info(ctx, mustReadVolume(ctx.paths, name), usage(ctx));
}

export async function removeVolume(ctx: Ctx, name: string, force = false): Promise<void> {
  await lockVolumes(ctx.native, ctx.paths, () => {
    if (!readVolume(ctx.paths, name)) {
      if (force) return; // docker: -f ignores a missing volume, never one in use
      throw new NotFound(`get ${name}: no such volume`);
    }
    const users = usage(ctx).get(name) ?? [];
    if (users.length) throw new Conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    deleteVolumeLocked(ctx.paths, name, treeRemover(ctx));
  });
}

/** Unused anonymous volumes (every unused one with `all`, as docker ≥ 23); names and bytes freed. */
export async function pruneVolumes(ctx: Ctx, all = false): Promise<{ deleted: string[]; reclaimed: number }> {
  return lockVolumes(ctx.native, ctx.paths, () => {
    const used = usage(ctx);
    const out = { deleted: [] as string[], reclaimed: 0 };
    for (const v of listVolumeRecords(ctx.paths)) {
      if (used.has(v.name) || (!all && !v.anonymous)) continue;
      out.reclaimed += treeSize(dataDir(ctx.paths, v.name));
      deleteVolumeLocked(ctx.paths, v.name, treeRemover(ctx));
      out.deleted.push(v.name);
    }
    return out;
  });
}

/** After a container is removed: its own anonymous volumes, unless another container
 * (through --volumes-from) still mounts one. */
export async function removeAnonymousVolumes(ctx: Ctx, mounts: readonly MountPoint[]): Promise<void> {
  const names = mounts.filter((m) => m.type === 'volume' && m.anonymous && m.name).map((m) => m.name!);
  if (names.length === 0) return;
  await lockVolumes(ctx.native, ctx.paths, () => {
    const used = usage(ctx);
    for (const n of names) if (!used.has(n) && readVolume(ctx.paths, n)) deleteVolumeLocked(ctx.paths, n, treeRemover(ctx));
  });
}
