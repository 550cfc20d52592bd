// Builds the container's OCI runtime-spec config.json (a subset of spec 1.x) from
// what the user asked for and what the image provides. The monitor reads this file;
// other tools can read it too.
import type { ContainerSpec, Endpoint, PortMapping } from '../types.js';
import { networkAnnotations, networkMode } from '../network/endpoint.js';
import type { ImageRootfs, ResolvedUser } from '../images/store.js';
import type { MountPoint } from '../volumes/attach.js';
import { ociMounts } from '../volumes/oci.js';
import { DEFAULT_CAPS, DEFAULT_PATH, MASKED_PATHS, READONLY_PATHS, defaultMounts, type OciMount } from './defaults.js';

export interface OciConfig {
  ociVersion: string;
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;
    rlimits: Array<{ type: string; soft: number; hard: number }>;
    noNewPrivileges: boolean;
  };
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    cgroupsPath: string;
    resources: Record<string, unknown>;
    maskedPaths: string[];
    readonlyPaths: string[];
  };
  annotations: Record<string, string>;
}

export interface BuildInput {
  id: string;
  spec: ContainerSpec;
  args: string[];
  image: Pick<ImageRootfs, 'lowerdirs' | 'mounts' | 'env' | 'workdir' | 'maskedPaths'>;
  /** The process's user; root when absent. */
  user?: ResolvedUser;
  /** Absolute paths inside the bundle. */
  rootfs: string;
  upperdir: string;
  workdir: string;
  hostnameFile: string;
  hostsFile: string;
  /** Bind-mounted on /etc/resolv.conf (bridge networks). */
  resolvFile?: string;
  endpoints?: Endpoint[];
  ports?: PortMapping[];
  /** Networks without a way out (no default route through them), by name. */
  internal?: ReadonlySet<string>;
  /** The user's mounts as attached at create (volumes/attach.ts). */
  mounts?: readonly MountPoint[];
  /** More monitor annotations (run.hutch.dns). */
  annotations?: Record<string, string>;
  cgroupsPath: string;
}

export function buildConfig(b: BuildInput): OciConfig {
  const s = b.spec;
  const hostname = s.network === 'host' ? '' : s.hostname || b.id.slice(0, 12);
  const user = b.user ?? { uid: 0, gid: 0, additionalGids: [] };
  // HOME comes from the user's passwd entry unless the image or the user sets it (docker).
  const home = `HOME=${user.home ?? (user.uid === 0 ? '/root' : '/')}`;
  const env = mergeEnv([`PATH=${DEFAULT_PATH}`, home, ...b.image.env, ...(hostname ? [`HOSTNAME=${hostname}`] : []), ...(s.tty ? ['TERM=xterm'] : []), ...(s.env ?? [])]);
  // `container:NAME`: the network entry gets the other container's namespace path at start.
  const namespaces = [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, ...(s.network === 'host' ? [] : [{ type: 'uts' }, { type: 'network' }])];
  const mounts: OciMount[] = [...defaultMounts(), ...b.image.mounts];
  if (s.network !== 'host') {
    mounts.push({ destination: '/etc/hostname', type: 'bind', source: b.hostnameFile, options: ['bind', 'ro'] });
    mounts.push({ destination: '/etc/hosts', type: 'bind', source: b.hostsFile, options: ['bind', 'ro'] });
  }
  if (b.resolvFile) mounts.push({ destination: '/etc/resolv.conf', type: 'bind', source: b.resolvFile, options: ['bind', 'ro'] });
  // The user's after hutch's own, so a `-v` on /etc/hosts wins (docker lets it).
  mounts.push(...ociMounts(b.mounts ?? []));
  const resources: Record<string, unknown> = {};
  if (s.memory) resources.memory = { limit: s.memory, swap: s.memory };
  if (s.cpus) resources.cpu = { quota: Math.round(s.cpus * 100000), period: 100000 };
  if (s.pidsLimit) resources.pids = { limit: s.pidsLimit };
  return {
    ociVersion: '1.0.2',
    root: { path: b.rootfs, readonly: !!s.readOnly },
    hostname,
    mounts,
    process: {
      terminal: !!s.tty,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
      args: b.args,
      env,
      cwd: s.workdir || b.image.workdir || '/',
      capabilities: { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS, inheritable: [], ambient: [] },
      rlimits: [],
      noNewPrivileges: false,
    },
    linux: {
      namespaces,
      cgroupsPath: b.cgroupsPath,
      resources,
      maskedPaths: b.image.maskedPaths?.length ? [...MASKED_PATHS, ...b.image.maskedPaths] : MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
    annotations: {
      'run.hutch.overlay': `lowerdir=${b.image.lowerdirs.join(':')},upperdir=${b.upperdir},workdir=${b.workdir}`,
      ...(networkMode(s).kind === 'network' ? networkAnnotations(b.endpoints ?? [], b.ports ?? [], (e) => !!b.internal?.has(e.network)) : {}),
      ...b.annotations,
    },
  };
}

/**
 * docker's rules: `--entrypoint` replaces the image's Entrypoint and drops its Cmd; the
 * user's command replaces the image's Cmd; the process runs Entrypoint + Cmd.
 */
export function commandFor(spec: Pick<ContainerSpec, 'cmd' | 'entrypoint'>, image: Pick<ImageRootfs, 'cmd' | 'entrypoint'>): string[] {
  const cmd = spec.cmd && spec.cmd.length > 0 ? spec.cmd : null;
  if (spec.entrypoint !== undefined) return [...spec.entrypoint, ...(cmd ?? [])];
  return [...(image.entrypoint ?? []), ...(cmd ?? image.cmd ?? [])];
}

/** Later entries win, keyed by the name before `=`, keeping first-seen order. */
export function mergeEnv(entries: string[]): string[] {
  const m = new Map<string, string>();
  for (const e of entries) {
    const i = e.indexOf('=');
    const k = i < 0 ? e : e.slice(0, i);
    m.set(k, i < 0 ? (process.env[k] !== undefined ? `${k}=${process.env[k]}` : '') : e);
  }
  return [...m.values()].filter(Boolean);
}
