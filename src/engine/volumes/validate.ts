// The checks of a container's mounts that need no state: each request on its own
// (docker's validateMountConfig, same words), then the set (one mount per
// destination). `validate` in container/create.ts calls it before any image, name
// or volume is looked at, so bad input makes nothing; the test fake calls it too.
import fs from 'node:fs';
import { InvalidArgument } from '../errors.js';
import type { ContainerSpec } from '../types.js';
import { checkTarget, normalize, parseVolumesFrom, PROPAGATIONS, type MountRequest } from './parse.js';

/** docker's local driver: at least two characters (the `+`). A name is a directory
 * name under the state root: kept well under NAME_MAX. */
export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
export const VOLUME_NAME_MAX = 128;

export function checkVolumeName(name: string): void {
  if (name.length === 1) throw new InvalidArgument(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  if (!VOLUME_NAME_RE.test(name))
    throw new InvalidArgument(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  if (name.length > VOLUME_NAME_MAX) throw new InvalidArgument(`create ${name.slice(0, 32)}…: ${name.length} characters, at most ${VOLUME_NAME_MAX} are allowed`);
}

/** A volume-subpath must stay inside the volume: relative, no `..` (filepath.IsLocal). */
export function isLocalPath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\0')) return false;
  return !p.split('/').includes('..');
}

function checkOne(m: MountRequest): void {
  const fail = (why: string) => new InvalidArgument(`invalid mount config for type "${m.type}": ${why}`);
  try {
    checkTarget(m);
  } catch (e) {
    throw fail((e as Error).message);
  }
  const volumeOpts = m.noCopy !== undefined || m.subpath !== undefined;
  const tmpfsOpts = m.tmpfsSize !== undefined || m.tmpfsMode !== undefined || m.tmpfsFlags !== undefined;
  const bindOpts = m.propagation !== undefined;
  switch (m.type) {
    case 'bind':
      if (!m.source) throw fail('field Source must not be empty');
      if (bindOpts && !(PROPAGATIONS as readonly string[]).includes(m.propagation!)) throw fail(`invalid propagation mode: ${m.propagation}`);
      if (volumeOpts) throw fail('field VolumeOptions must not be specified');
      if (tmpfsOpts) throw fail('field TmpfsOptions must not be specified');
      if (!m.source.startsWith('/')) throw fail(`invalid mount path: '${m.source}' mount path must be absolute`);
      if (m.source.includes('\0')) throw fail('invalid mount path: a NUL byte in the source');
      return;
    case 'volume':
      if (bindOpts) throw fail('field BindOptions must not be specified');
      if (tmpfsOpts) throw fail('field TmpfsOptions must not be specified');
      if (m.source !== undefined && m.source !== '') checkVolumeName(m.source);
      if (m.subpath !== undefined) {
        if (!m.source) throw fail('must not set Subpath when using anonymous volumes');
        if (!isLocalPath(m.subpath)) throw fail('subpath must be a relative path within the volume');
      }
      return;
    case 'tmpfs':
      if (m.source) throw fail('field Source must not be specified');
      if (bindOpts) throw fail('field BindOptions must not be specified');
      if (volumeOpts) throw fail('field VolumeOptions must not be specified');
      if (m.tmpfsSize !== undefined && !(Number.isSafeInteger(m.tmpfsSize) && m.tmpfsSize >= 0)) throw fail(`invalid tmpfs size: ${m.tmpfsSize}`);
      if (m.tmpfsMode !== undefined && !(Number.isInteger(m.tmpfsMode) && m.tmpfsMode >= 0 && m.tmpfsMode <= 0o7777)) throw fail(`invalid tmpfs mode: ${m.tmpfsMode}`);
      return;
    default:
      throw new InvalidArgument(`invalid mount config for type "${String((m as { type: unknown }).type)}": mount type unknown`);
  }
}

/** Every mount of the request, and no two on one destination. */
export function validateMounts(spec: Pick<ContainerSpec, 'mounts' | 'volumesFrom'>): void {
  const seen = new Set<string>();
  for (const m of spec.mounts ?? []) {
    checkOne(m);
    const dst = normalize(m.target);
    if (seen.has(dst)) throw new InvalidArgument(`Duplicate mount point: ${dst}`);
    seen.add(dst);
  }
  for (const v of spec.volumesFrom ?? []) parseVolumesFrom(v);
}

/** `--mount type=bind` needs its source to exist (`-v` makes a missing directory). */
export function checkBindSources(spec: Pick<ContainerSpec, 'mounts'>): void {
  for (const m of spec.mounts ?? []) {
    if (m.type !== 'bind' || m.createSource || fs.existsSync(m.source!)) continue;
    throw new InvalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
  }
}
