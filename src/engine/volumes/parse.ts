// The mount flags of `run`/`create` in docker's grammar, turned into MountRequests.
// Pure (no file is looked at), so the CLI, the engine's `validate` and the test fake
// all share it; messages are docker's (moby daemon/volume/mounts/linux_parser.go and
// docker/cli opts/mount.go) so scripts that match them keep working.
import { InvalidArgument } from '../errors.js';
import { parseBytes } from '../units.js';

export type MountType = 'bind' | 'volume' | 'tmpfs';
export const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'] as const;
export type Propagation = (typeof PROPAGATIONS)[number];

/** One mount as asked for (`-v`, `--mount`, `--tmpfs`), before any volume is made. */
export interface MountRequest {
  type: MountType;
  /** bind: an absolute host path; volume: its name (absent: a new anonymous volume). */
  source?: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly?: boolean;
  /** bind only; default rprivate. */
  propagation?: Propagation;
  /** volume: never copy the image's content into it (`nocopy`, `volume-nocopy`). */
  noCopy?: boolean;
  /** volume: mount this directory of the volume instead of its top (`volume-subpath`). */
  subpath?: string;
  /** tmpfs: size limit in bytes, mode of its root, more flags (`--tmpfs /x:exec,size=1m`). */
  tmpfsSize?: number;
  tmpfsMode?: number;
  tmpfsFlags?: string[];
  /** `-v`: a missing host directory is made (`--mount type=bind` refuses it). */
  createSource?: boolean;
  /** The options as written after the second `:` of `-v` (docker's inspect Mode). */
  mode?: string;
  /** `idmap` (podman's option): in a user namespace, mounted idmapped to it, so the
   * host's ids show unshifted inside (host root's files are root's); without one, a no-op. */
  idmap?: boolean;
}

const RW = new Set(['rw', 'ro']);
const LABEL = new Set(['z', 'Z']);
const COPY = new Set(['nocopy', 'copy']);
const PROP = new Set<string>(PROPAGATIONS);
const IDMAP = new Set(['idmap']);

/** docker's linuxValidMountMode: known words, at most one of each kind. */
function validMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(',')) {
    const kind = RW.has(o) ? 0 : LABEL.has(o) ? 1 : PROP.has(o) ? 2 : COPY.has(o) ? 3 : IDMAP.has(o) ? 4 : -1;
    if (kind < 0 || ++counts[kind] > 1) return false;
  }
  return true;
}

const invalidSpec = (raw: string) => `invalid volume specification: '${raw}'`;

/** `-v /host:/ctr[:opts]`, `-v NAME:/ctr[:opts]`, `-v /ctr`. */
export function parseVolumeFlag(raw: string): MountRequest {
  const arr = raw.split(':');
  if (arr[0] === '' || arr.length > 3) throw new InvalidArgument(invalidSpec(raw));
  let source: string | undefined;
  let target: string;
  let mode = '';
  if (arr.length === 1) target = arr[0];
  else if (arr.length === 2) {
    // `/foo:rw` is a destination with a mode but no source: docker refuses it.
    if (validMode(arr[1])) throw new InvalidArgument(invalidSpec(raw));
    [source, target] = arr;
  } else [source, target, mode] = arr;
  if (!validMode(mode)) throw new InvalidArgument(`invalid mode: ${mode}`);
  const opts = mode === '' ? [] : mode.split(',');
  const type: MountType = source !== undefined && source.startsWith('/') ? 'bind' : 'volume';
  const m: MountRequest = { type, target, ...(source !== undefined ? { source } : {}), ...(mode ? { mode } : {}) };
  if (opts.includes('ro')) m.readOnly = true;
  if (opts.includes('idmap')) m.idmap = true;
  const prop = opts.find((o) => PROP.has(o));
  const copy = opts.find((o) => COPY.has(o));
  const fail = (why: string) => new InvalidArgument(`${invalidSpec(raw)}: invalid mount config for type "${type}": ${why}`);
  if (type === 'bind') {
    if (copy) throw fail('field VolumeOptions must not be specified');
    if (prop) m.propagation = prop as Propagation;
    m.createSource = true;
  } else {
    if (prop) throw fail('field BindOptions must not be specified');
    if (copy === 'nocopy') m.noCopy = true;
  }
  try {
    checkTarget(m);
  } catch (e) {
    throw new InvalidArgument(`${invalidSpec(raw)}: ${(e as Error).message}`);
  }
  return m;
}

const MOUNT_TYPES = new Set(['bind', 'volume', 'tmpfs']);

/** `--mount type=…,src=…,dst=…,…` (docker's csv of key=value). */
export function parseMountFlag(value: string): MountRequest {
  const bad = (why: string) => new InvalidArgument(`invalid argument "${value}" for "--mount" flag: ${why}`);
  let type = 'volume';
  const m: Partial<MountRequest> & { target?: string } = {};
  const families = new Set<'volume' | 'bind' | 'tmpfs'>();
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    const bool = (): boolean => {
      if (val === undefined) return true;
      const b = parseBool(val);
      if (b === undefined) throw bad(`invalid value for ${key}: ${val}`);
      return b;
    };
    switch (key) {
      case 'type':
        if (val === undefined) throw bad(`invalid field '${field}' must be a key=value pair`);
        type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        if (val === undefined) throw bad(`invalid field '${field}' must be a key=value pair`);
        m.source = val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        if (val === undefined) throw bad(`invalid field '${field}' must be a key=value pair`);
        m.target = val;
        break;
      case 'readonly':
      case 'ro':
        m.readOnly = bool();
        break;
      case 'idmap':
        m.idmap = bool();
        break;
      case 'bind-propagation':
        if (val === undefined) throw bad(`invalid field '${field}' must be a key=value pair`);
        m.propagation = val.toLowerCase() as Propagation;
        families.add('bind');
        break;
      case 'volume-nocopy':
        m.noCopy = bool();
        families.add('volume');
        break;
      case 'volume-subpath':
        if (val === undefined) throw bad(`invalid field '${field}' must be a key=value pair`);
        m.subpath = val;
        families.add('volume');
        break;
      case 'tmpfs-size': {
        if (val === undefined) throw bad(`invalid field '${field}' must be a key=value pair`);
        let n: number;
        try {
          n = parseBytes(val);
        } catch {
          throw bad(`invalid value for ${key}: ${val}`);
        }
        m.tmpfsSize = n;
        families.add('tmpfs');
        break;
      }
      case 'tmpfs-mode':
        if (val === undefined || !/^[0-7]{1,4}$/.test(val)) throw bad(`invalid value for ${key}: ${val ?? ''}`);
        m.tmpfsMode = parseInt(val, 8);
        families.add('tmpfs');
        break;
      default:
        throw bad(val === undefined ? `invalid field '${field}' must be a key=value pair` : `unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.target) throw bad('target is required');
  for (const f of families) if (f !== type) throw bad(`cannot mix '${f}-*' options with mount type '${type}'`);
  if (!MOUNT_TYPES.has(type)) throw new InvalidArgument(`invalid mount config for type "${type}": mount type unknown`);
  const out = { ...m, type: type as MountType, target: m.target };
  if (out.readOnly === false) delete out.readOnly;
  if (out.noCopy === false) delete out.noCopy;
  if (out.idmap === false || type === 'tmpfs') delete out.idmap;
  return out;
}

/** `--tmpfs /dst[:opts]`: docker's defaults rw,noexec,nosuid,nodev, the options after. */
export function parseTmpfsFlag(value: string): MountRequest {
  const colon = value.indexOf(':');
  const target = colon < 0 ? value : value.slice(0, colon);
  const m: MountRequest = { type: 'tmpfs', target };
  const flags: string[] = [];
  for (const o of colon < 0 ? [] : value.slice(colon + 1).split(',')) {
    if (o === '') continue;
    const [k, v] = o.split('=', 2);
    if (k === 'size' && v !== undefined) m.tmpfsSize = tmpfsNumber(value, o, () => parseBytes(v));
    else if (k === 'mode' && v !== undefined && /^[0-7]{1,4}$/.test(v)) m.tmpfsMode = parseInt(v, 8);
    else if (TMPFS_FLAGS.has(o) || (TMPFS_VALUED.has(k) && v !== undefined && /^\d+[kmg%]?$/i.test(v))) flags.push(o);
    else throw new InvalidArgument(`invalid tmpfs option "${o}" in "${value}"`);
  }
  if (flags.includes('ro')) m.readOnly = true;
  const rest = flags.filter((f) => f !== 'ro' && f !== 'rw');
  if (rest.length) m.tmpfsFlags = rest;
  return m;
}

const TMPFS_FLAGS = new Set(['rw', 'ro', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'atime', 'noatime', 'relatime', 'strictatime', 'nodiratime', 'diratime', 'sync', 'async']);
const TMPFS_VALUED = new Set(['uid', 'gid', 'nr_inodes', 'nr_blocks']);

function tmpfsNumber(flag: string, opt: string, f: () => number): number {
  try {
    return f();
  } catch {
    throw new InvalidArgument(`invalid tmpfs option "${opt}" in "${flag}"`);
  }
}

/** `--volumes-from CONTAINER[:ro|rw]`: the container and the mode ('' keeps each mount's). */
export function parseVolumesFrom(spec: string): { container: string; mode: '' | 'ro' | 'rw' } {
  if (spec === '') throw new InvalidArgument('volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  if (colon < 0) return { container: spec, mode: '' };
  const mode = spec.slice(colon + 1);
  if (mode !== 'ro' && mode !== 'rw') throw new InvalidArgument(`invalid mode: ${mode}`);
  return { container: spec.slice(0, colon), mode };
}

/** The target's own rules (docker's validateMountTarget). */
export function checkTarget(m: Pick<MountRequest, 'target'>): void {
  if (!m.target) throw new InvalidArgument('field Target must not be empty');
  if (!m.target.startsWith('/')) throw new InvalidArgument(`invalid mount path: '${m.target}' mount path must be absolute`);
  if (normalize(m.target) === '/') throw new InvalidArgument("invalid specification: destination can't be '/'");
}

/** path.posix.normalize without a trailing slash: `/a//b/` is `/a/b`. */
export function normalize(p: string): string {
  const parts: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return '/' + parts.join('/');
}

function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(s)) return false;
  return undefined;
}
