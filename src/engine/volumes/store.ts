// Named volumes as directories: <root>/volumes/<name>/_data (what containers see)
// beside <root>/volumes/<name>/meta.json (written atomically, last: a directory
// without it is a half-made volume that gc removes). Every change happens under
// <root>/volumes/.lock, which a container create holds from the moment it looks at
// its volumes until its bundle is in place, so `volume rm` never takes a volume a
// container is being made with.
import fs from 'node:fs';
import path from 'node:path';
import type { Paths } from '../paths.js';
import { Conflict, InvalidArgument, NotFound } from '../errors.js';
import { newId } from '../ids.js';
import { readJson, writeJsonAtomic } from '../state/atomic.js';
import { withLock, type FlockApi } from '../state/lock.js';
import { checkVolumeName } from './validate.js';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  options: Record<string, string>;
  /** RFC 3339. */
  createdAt: string;
  /** Made for one container (`-v /dst`): `rm -v` and `--rm` remove it with it. */
  anonymous: boolean;
}

export interface CreateVolumeOptions {
  name?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

export function volumesDir(paths: Paths): string {
  return path.join(paths.root, 'volumes');
}

export function volumeDir(paths: Paths, name: string): string {
  return path.join(volumesDir(paths), name);
}

/** What containers mount: the host path of the volume's content. */
export function dataDir(paths: Paths, name: string): string {
  return path.join(volumeDir(paths, name), '_data');
}

const META = 'meta.json';

export function lockVolumes<T>(native: FlockApi, paths: Paths, fn: () => Promise<T> | T): Promise<T> {
  fs.mkdirSync(volumesDir(paths), { recursive: true, mode: 0o711 });
  return withLock(native, path.join(volumesDir(paths), '.lock'), fn);
}

/** The record, or undefined when there is no (complete) volume of that name. */
export function readVolume(paths: Paths, name: string): VolumeRecord | undefined {
  if (name.startsWith('.') || name.includes('/')) return undefined;
  try {
    return readJson<VolumeRecord>(path.join(volumeDir(paths, name), META)) ?? undefined;
  } catch {
    return undefined; // torn by hand: not a volume hutch can vouch for
  }
}

export function mustReadVolume(paths: Paths, name: string): VolumeRecord {
  const v = readVolume(paths, name);
  if (!v) throw new NotFound(`get ${name}: no such volume`);
  return v;
}

export function listVolumeRecords(paths: Paths): VolumeRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(volumesDir(paths));
  } catch {
    return [];
  }
  return names
    .map((n) => readVolume(paths, n))
    .filter((v): v is VolumeRecord => v !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** docker's local driver takes type/device/o (a filesystem it mounts); hutch's volumes
 * are plain directories, so every option is refused rather than silently ignored. */
export function checkVolumeOptions(o: CreateVolumeOptions): void {
  if (o.name !== undefined) checkVolumeName(o.name);
  for (const k of Object.keys(o.labels ?? {})) if (!k) throw new InvalidArgument('invalid label: an empty key');
  for (const k of Object.keys(o.options ?? {})) {
    if (['type', 'device', 'o', 'size'].includes(k)) throw new InvalidArgument(`volume option "${k}" is not supported: hutch's local volumes are plain directories`);
    throw new InvalidArgument(`invalid option key: "${k}"`);
  }
}

/**
 * Makes a volume (under lockVolumes). An existing one of that name is returned
 * as it is (docker's `volume create NAME` is idempotent), unless labels differ.
 * Returns the record and whether it was made now.
 */
export function createVolumeLocked(paths: Paths, o: CreateVolumeOptions & { anonymous?: boolean }): { rec: VolumeRecord; made: boolean } {
  checkVolumeOptions(o);
  const name = o.name ?? newId();
  const existing = readVolume(paths, name);
  if (existing) {
    if (o.labels && Object.keys(o.labels).length && JSON.stringify(o.labels) !== JSON.stringify(existing.labels))
      throw new Conflict(`create ${name}: a volume with the name ${name} already exists with different labels`);
    return { rec: existing, made: false };
  }
  const dir = volumeDir(paths, name);
  // A directory without meta.json is a leftover of a crashed create (we hold the lock): start over.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { mode: 0o700 });
  // Containers reach _data through their own mount; the parent stays closed to others.
  fs.mkdirSync(path.join(dir, '_data'), { mode: 0o755 });
  const rec: VolumeRecord = { name, driver: 'local', labels: o.labels ?? {}, options: o.options ?? {}, createdAt: new Date().toISOString(), anonymous: !!o.anonymous };
  writeJsonAtomic(path.join(dir, META), rec);
  return { rec, made: true };
}

/**
 * Deletes a volume (under lockVolumes): meta.json goes first, so a crash half-way
 * leaves a directory gc takes, never a volume with half its content. `removeTree`
 * walks by fds: a container may have made the tree deeper than PATH_MAX.
 */
export function deleteVolumeLocked(paths: Paths, name: string, removeTree: (p: string) => void): void {
  const dir = volumeDir(paths, name);
  fs.rmSync(path.join(dir, META), { force: true });
  removeTree(dir);
}

/** Bytes of the files under dir (each inode once), nothing followed. */
export function treeSize(dir: string): number {
  let total = 0;
  const seen = new Set<string>();
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!st.isDirectory()) total += st.size;
      else walk(p);
    }
  };
  walk(dir);
  return total;
}
