// Builds the container's OCI runtime-spec config.json (a subset of spec 1.x) from
// what the user asked for and what the image provides. The monitor reads this file;
// other tools can read it too.
import type { ContainerSpec, Endpoint, PortMapping } from '../types.js';
import { networkAnnotations, networkMode } from '../network/endpoint.js';
import type { ImageRootfs, ResolvedUser } from '../images/store.js';
import type { MountPoint } from '../volumes/attach.js';
import { ociMounts } from '../volumes/oci.js';
import { DEFAULT_PATH, INIT_PATH, MASKED_PATHS, READONLY_PATHS, defaultMounts, type OciMount } from './defaults.js';
import { DEFAULT_DEVICE_RULES } from '../cgroups/index.js';
import { capsFor } from '../security/caps.js';
import { ociDeviceResources, type DevicePlan, type OciDevice } from '../security/devices.js';
import { gidBase, type IdRange } from '../security/userns.js';
import { rlimitsFor } from '../security/process.js';

export interface OciConfig {
  ociVersion: string;
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  process: {
    terminal: boolean;
    /** Where AppArmor is enabled: the profile the monitor asks for at execve (security/apparmor.ts). */
    apparmorProfile?: string;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;
    rlimits: Array<{ type: string; soft: number; hard: number }>;
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
  };
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    cgroupsPath: string;
    resources: Record<string, unknown>;
    maskedPaths: string[];
    readonlyPaths: string[];
    devices?: OciDevice[];
    sysctl?: Record<string, string>;
    uidMappings?: OciIdMapping[];
    gidMappings?: OciIdMapping[];
  };
  annotations: Record<string, string>;
}

export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
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
  /** --device, --device-cgroup-rule, --privileged, resolved on the host (security/devices.ts). */
  devices?: DevicePlan;
  /** The static monitor binary, bound at INIT_PATH for --init. */
  initBinary?: string;
  /** --userns=auto: the host ids of its user namespace (security/userns.ts). */
  idRange?: IdRange;
}

export function buildConfig(b: BuildInput): OciConfig {
  const s = b.spec;
  const hostname = s.network === 'host' ? '' : s.hostname || b.id.slice(0, 12);
  const user = b.user ?? { uid: 0, gid: 0, additionalGids: [] };
  // HOME comes from the user's passwd entry unless the image or the user sets it (docker).
  const home = `HOME=${user.home ?? (user.uid === 0 ? '/root' : '/')}`;
  const env = mergeEnv([`PATH=${DEFAULT_PATH}`, home, ...b.image.env, ...(hostname ? [`HOSTNAME=${hostname}`] : []), ...(s.tty ? ['TERM=xterm'] : []), ...(s.env ?? [])]);
  // `container:NAME`: the network entry gets the other container's namespace path at start.
  // A cgroup namespace, and the container's own cgroups at /sys/fs/cgroup (read-only;
  // on v1 each hierarchy it is in), so programs that size themselves from their limits
  // (JVMs, Go, Node) see them, as under docker and podman. Not with a user namespace:
  // binding the host's hierarchies needs the host's CAP_SYS_ADMIN there.
  const cgroupns = !b.idRange;
  const namespaces = [...(b.idRange ? [{ type: 'user' }] : []), { type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, ...(s.network === 'host' ? [] : [{ type: 'uts' }, { type: 'network' }]), ...(cgroupns ? [{ type: 'cgroup' }] : [])];
  // In a user namespace the image's own binds (the host image's /usr…) and hutch's
  // /etc files are idmapped, as the layers are: they look root's inside. The user's
  // binds and volumes are not (their files stay the host's ids; see userns.c).
  const idmap = (m: OciMount): OciMount => (b.idRange && m.type === 'bind' ? { ...m, options: [...(m.options ?? []), 'idmap'] } : m);
  const mounts: OciMount[] = [
    ...defaultMounts({ shmSize: s.shmSize, privileged: s.privileged }),
    ...(cgroupns ? [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', s.privileged ? 'rw' : 'ro'] }] : []),
    ...b.image.mounts.map(idmap),
  ];
  // Read-only and nosuid: pid 1 of the container cannot write the host's binary through
  // its /proc/self/exe (CVE-2019-5736), as docker binds its docker-init.
  if (s.init) {
    if (!b.initBinary) throw new Error('buildConfig: --init needs initBinary');
    mounts.push({ destination: INIT_PATH, type: 'bind', source: b.initBinary, options: ['bind', 'ro', 'nosuid', 'nodev'] });
  }
  if (s.network !== 'host') {
    mounts.push(idmap({ destination: '/etc/hostname', type: 'bind', source: b.hostnameFile, options: ['bind', 'ro'] }));
    mounts.push(idmap({ destination: '/etc/hosts', type: 'bind', source: b.hostsFile, options: ['bind', 'ro'] }));
  }
  if (b.resolvFile) mounts.push(idmap({ destination: '/etc/resolv.conf', type: 'bind', source: b.resolvFile, options: ['bind', 'ro'] }));
  // The user's after hutch's own, so a `-v` on /etc/hosts wins (docker lets it).
  mounts.push(...ociMounts(b.mounts ?? []));
  const resources: Record<string, unknown> = {};
  if (s.memory) resources.memory = { limit: s.memory, swap: s.memory };
  if (s.cpus) resources.cpu = { quota: Math.round(s.cpus * 100000), period: 100000 };
  if (s.pidsLimit) resources.pids = { limit: s.pidsLimit };
  resources.devices = ociDeviceResources(DEFAULT_DEVICE_RULES, b.devices?.rules ?? []);
  const caps = capsFor(s);
  return {
    ociVersion: '1.0.2',
    root: { path: b.rootfs, readonly: !!s.readOnly },
    hostname,
    mounts,
    process: {
      terminal: !!s.tty,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
      args: s.init ? [INIT_PATH, 'init', '--', ...b.args] : b.args,
      env,
      cwd: s.workdir || b.image.workdir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: rlimitsFor(s.ulimits),
      noNewPrivileges: !!s.noNewPrivileges,
      ...(s.oomScoreAdj !== undefined ? { oomScoreAdj: s.oomScoreAdj } : {}),
    },
    linux: {
      namespaces,
      cgroupsPath: b.cgroupsPath,
      resources,
      // --privileged: none of docker's (the host image's secrets stay masked).
      maskedPaths: [...(s.privileged ? [] : MASKED_PATHS), ...(b.image.maskedPaths ?? [])],
      readonlyPaths: s.privileged ? [] : READONLY_PATHS,
      ...(b.devices?.nodes.length ? { devices: b.devices.nodes } : {}),
      ...(s.sysctls && Object.keys(s.sysctls).length ? { sysctl: s.sysctls } : {}),
      ...(b.idRange ? { uidMappings: [idMapping(b.idRange.base, b.idRange)], gidMappings: [idMapping(gidBase(b.idRange), b.idRange)] } : {}),
    },
    annotations: {
      'run.hutch.overlay': `lowerdir=${b.image.lowerdirs.join(':')},upperdir=${b.upperdir},workdir=${b.workdir}`,
      ...(networkMode(s).kind === 'network' ? networkAnnotations(b.endpoints ?? [], b.ports ?? [], (e) => !!b.internal?.has(e.network)) : {}),
      ...b.annotations,
    },
  };
}

function idMapping(hostID: number, r: IdRange): OciIdMapping {
  return { containerID: 0, hostID, size: r.size };
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
