// A container's mounts made concrete at create (under lockVolumes): named volumes
// that do not exist yet are made (docker), anonymous ones get a 64-hex name,
// `--volumes-from` copies another container's mounts, a `-v` host directory that is
// missing is made. What is decided here is kept in the container's record
// (ContainerInfo.mounts) and becomes config.json's mounts (oci.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { Paths } from '../paths.js';
import { InvalidArgument, NotFound } from '../errors.js';
import type { ContainerSpec } from '../types.js';
import { normalize, parseVolumesFrom, type MountType } from './parse.js';
import { createVolumeLocked, dataDir, deleteVolumeLocked } from './store.js';

/** A mount as the container has it (docker's MountPoint; inspect's `Mounts`). */
export interface MountPoint {
  type: MountType;
  /** Volumes: the volume's name. */
  name?: string;
  /** Host path: the bind source, or the volume's _data (and subpath); '' for tmpfs. */
  source: string;
  destination: string;
  rw: boolean;
  /** Binds: mount propagation (rprivate unless asked); '' otherwise. */
  propagation: string;
  /** The `-v` options as written (docker's Mode), else ''. */
  mode: string;
  /** Volumes: the monitor copies the image's content at the destination into it while it is empty. */
  copyUp?: boolean;
  /** Volumes with `volume-subpath`: that directory of the volume (relative), which the
   * monitor resolves beneath the volume itself at every start (no symlink, no other
   * mount): `source` is then the subdirectory as docker shows it. */
  subpath?: string;
  /** Volumes made for this container alone (`-v /dst`): removed by `rm -v` and `--rm`. */
  anonymous?: boolean;
  /** tmpfs: its mount options (size=, mode=, exec…) after docker's defaults. */
  tmpfsOptions?: string[];
  /** Binds and volumes: idmapped to the container's user namespace, if it has one. */
  idmap?: boolean;
}

export interface AttachResult {
  mounts: MountPoint[];
  /** Volumes made by this call: the caller removes them if the create fails. */
  made: string[];
  /** Host directories made for `-v` (outermost first), likewise. */
  madeDirs: string[];
}

/** The mounts of another container, for `--volumes-from` (NotFound if there is none). */
export type MountsOf = (ref: string) => MountPoint[];

export function attachMounts(paths: Paths, spec: Pick<ContainerSpec, 'mounts' | 'volumesFrom'>, mountsOf: MountsOf): AttachResult {
  const out: AttachResult = { mounts: [], made: [], madeDirs: [] };
  try {
    for (const m of spec.mounts ?? []) {
      const destination = normalize(m.target);
      const mode = m.mode ?? '';
      if (m.type === 'tmpfs') {
        const opts = [...(m.tmpfsFlags ?? []), ...(m.tmpfsSize !== undefined ? [`size=${m.tmpfsSize}`] : []), ...(m.tmpfsMode !== undefined ? [`mode=${m.tmpfsMode.toString(8)}`] : [])];
        out.mounts.push({ type: 'tmpfs', source: '', destination, rw: !m.readOnly, propagation: '', mode, ...(opts.length ? { tmpfsOptions: opts } : {}) });
      } else if (m.type === 'bind') {
        const source = normalize(m.source!);
        if (m.createSource && !fs.existsSync(source)) out.madeDirs.push(...mkdirs(source));
        out.mounts.push({ type: 'bind', source, destination, rw: !m.readOnly, propagation: m.propagation ?? 'rprivate', mode, ...(m.idmap ? { idmap: true } : {}) });
      } else {
        const { rec, made } = createVolumeLocked(paths, { ...(m.source ? { name: m.source } : {}), anonymous: !m.source });
        if (made) out.made.push(rec.name);
        const source = m.subpath !== undefined ? subpathIn(dataDir(paths, rec.name), m.subpath) : dataDir(paths, rec.name);
        out.mounts.push({
          type: 'volume',
          name: rec.name,
          source,
          destination,
          rw: !m.readOnly,
          propagation: '',
          mode,
          ...(!m.noCopy && m.subpath === undefined ? { copyUp: true } : {}),
          ...(m.subpath !== undefined ? { subpath: path.relative(dataDir(paths, rec.name), source) } : {}),
          ...(m.source ? {} : { anonymous: true }),
          ...(m.idmap ? { idmap: true } : {}),
        });
      }
    }
    // docker: the container's own mounts win over inherited ones on the same destination.
    for (const v of spec.volumesFrom ?? []) {
      const { container, mode } = parseVolumesFrom(v);
      for (const m of mountsOf(container)) {
        if (m.type === 'tmpfs' || out.mounts.some((x) => x.destination === m.destination)) continue;
        out.mounts.push({ ...m, rw: mode === '' ? m.rw : mode === 'rw', anonymous: undefined, copyUp: undefined });
      }
    }
    for (const m of out.mounts) for (const k of Object.keys(m) as (keyof MountPoint)[]) if (m[k] === undefined) delete m[k];
    return out;
  } catch (e) {
    undoAttach(paths, out, (p) => fs.rmSync(p, { recursive: true, force: true }));
    throw e;
  }
}

/** Removes what attachMounts made (under lockVolumes still). */
export function undoAttach(paths: Paths, r: Pick<AttachResult, 'made' | 'madeDirs'>, removeTree: (p: string) => void): void {
  for (const name of r.made) deleteVolumeLocked(paths, name, removeTree);
  for (const d of [...r.madeDirs].reverse()) {
    try {
      fs.rmdirSync(d); // only while still empty
    } catch {
      /* something was put there: not ours to take */
    }
  }
}

/** mkdir -p that returns the directories it made, outermost first. */
function mkdirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) fs.mkdirSync(d, { mode: 0o755 });
  return missing;
}

/**
 * The host path of a volume-subpath, checked at create: it must exist, and no
 * component may be a symlink (a container writing to the volume could point one
 * anywhere on the host; docker resolves it in the volume, hutch refuses it).
 */
function subpathIn(data: string, sub: string): string {
  let cur = data;
  for (const c of sub.split('/')) {
    if (c === '' || c === '.') continue;
    cur = path.join(cur, c);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch {
      throw new NotFound(`cannot access path ${cur}: no such file or directory`);
    }
    if (st.isSymbolicLink()) throw new InvalidArgument(`volume subpath ${sub}: ${c} is a symbolic link`);
  }
  return cur;
}
