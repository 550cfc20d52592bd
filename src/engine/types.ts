// The engine's public surface: what the CLI and the dashboard use. Both front ends
// reach the engine only through `EngineApi` (engine-api.ts; image and registry types in image-types.ts), so the UI can be tested with a fake.
import type { ImageInfo } from './image-types.js';
export type { EngineEvent } from './events/log.js';
import type { Readable, Writable } from 'node:stream';

import type { PortMapping } from './network/ports.js';
export type { CopyOptions } from './fs/cp.js';
export type { Change as FileChange, ChangeKind } from './fs/diff.js';
export type { CommitOptions, CommitResult } from './container/commit.js';
export type { ImageHistoryEntry } from './images/history.js';
export type { PortMapping } from './network/ports.js';
export type { NetworkInfo } from './network/verbs.js';
export type { CreateNetworkOptions, NetworkRecord } from './network/store.js';
import type { MountRequest } from './volumes/parse.js';
import type { MountPoint } from './volumes/attach.js';
export type { MountRequest, Propagation } from './volumes/parse.js';
export type { MountPoint } from './volumes/attach.js';
export type { ShellConnection, ShellInfo, ShellOptions } from './container/shell-types.js';
export type { VolumeFilter, VolumeInfo } from './volumes/verbs.js';
export type { CreateVolumeOptions, VolumeRecord } from './volumes/store.js';
export type { ContainerDetail } from './container/inspect-docker.js';

/** 'none' | 'host' | 'bridge' (the default network) | a network's name | `container:NAME`. */
export type NetworkMode = string;

/** A container's place on a network (docker's NetworkSettings.Networks entry). */
export interface Endpoint {
  network: string;
  networkId: string;
  ipAddress: string;
  prefixLen: number;
  gateway: string;
  macAddress: string;
  /** Host-side veth and the bridge it is attached to; the interface's name inside. */
  veth: string;
  ifname: string;
  bridge: string;
  aliases: string[];
}

/** What `create` needs; mirrors `docker run` flags. Sizes in bytes, cpus as a float. */
export interface ContainerSpec {
  image: string;
  name?: string;
  /** Command and arguments; defaults to the image's command (`sh` for host). */
  cmd?: string[];
  /** Replaces the image's Entrypoint (and drops its Cmd), as `--entrypoint`; [] clears it. */
  entrypoint?: string[];
  /** `name`, `uid`, `uid:gid` or `name:group`, resolved in the image's /etc/passwd and /etc/group. */
  user?: string;
  env?: string[];
  workdir?: string;
  hostname?: string;
  network?: NetworkMode;
  /** `-p`: host port 0 means "any free port" (picked at create, kept for the container's life). */
  ports?: PortMapping[];
  /** `-P`: every port the image exposes, each to a free host port. */
  publishAll?: boolean;
  /** `--ip`: the address on the network (else the first free one). */
  ip?: string;
  /** `--network-alias`: more names on a user network. */
  networkAliases?: string[];
  /** `--dns`, `--dns-search`, `--dns-option`: /etc/resolv.conf instead of the host's. */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** `--add-host NAME:IP` lines of /etc/hosts. */
  addHosts?: string[];
  /** Memory limit in bytes; swap is limited to the same amount (no swap). */
  memory?: number;
  /** CPU limit in cores (e.g. 0.5 → quota 50000 / period 100000). */
  cpus?: number;
  pidsLimit?: number;
  tty?: boolean;
  interactive?: boolean;
  /** `--label`/`--label-file`: the container's own labels (docker's Config.Labels adds them to the image's). */
  labels?: Record<string, string>;
  /** Remove the container when it exits (`--rm`); its anonymous volumes go with it. */
  autoRemove?: boolean;
  /** `-v`, `--mount`, `--tmpfs` (src/engine/volumes/parse.ts reads the flags). */
  mounts?: MountRequest[];
  /** `--read-only`: the root filesystem is mounted read-only. */
  readOnly?: boolean;
  /** `--volumes-from CONTAINER[:ro|rw]`: that container's volumes and binds too. */
  volumesFrom?: string[];
  // Security and process flags (src/engine/security reads and checks them).
  /** `--cap-add`/`--cap-drop`: `CAP_`-prefixed upper-case names, or `ALL`. */
  capAdd?: string[];
  capDrop?: string[];
  /** `--privileged`: every capability and device, no masked or read-only paths, /sys writable, no seccomp. */
  privileged?: boolean;
  /** `--security-opt` as given (docker's HostConfig.SecurityOpt); what it sets is below. */
  securityOpt?: string[];
  /** `no-new-privileges[=true]`: process.noNewPrivileges. */
  noNewPrivileges?: boolean;
  /** `seccomp=unconfined|PROFILE`: the profile as given (src/engine/security/seccomp). */
  seccomp?: string;
  /** `apparmor=PROFILE`: recorded; applied only where AppArmor is enabled. */
  apparmor?: string;
  /** `--device HOST[:CTR[:rwm]]`. */
  devices?: DeviceMapping[];
  /** `--device-cgroup-rule 'c 1:3 rwm'`. */
  deviceCgroupRules?: string[];
  /** `--ulimit NAME=SOFT[:HARD]` (-1: unlimited). */
  ulimits?: Ulimit[];
  /** `--sysctl K=V`: namespaced keys only. */
  sysctls?: Record<string, string>;
  /** `--oom-score-adj` (-1000..1000). */
  oomScoreAdj?: number;
  /** `--init`: a tiny init as pid 1 that forwards signals and reaps zombies. */
  init?: boolean;
  /** `--group-add`: gids or group names of the image's /etc/group. */
  groupAdd?: string[];
  /** `--shm-size` in bytes (default 64 MiB). */
  shmSize?: number;
  /** `--stop-signal` (default SIGTERM), sent by stop and restart. */
  stopSignal?: string;
  /** `--stop-timeout` in seconds: stop's and restart's default grace period (10). */
  stopTimeout?: number;
  /** `--userns`: `host` (the default) or `auto[:size=N]`, a range of host ids of its own (security/userns.ts). */
  userns?: string;
  /** `update --memory-swap`: memory + swap in bytes (-1: unlimited swap); default `memory`. */
  memorySwap?: number;
  /** `update --cpu-shares`: relative CPU weight (docker's 2..262144, 1024 the default). */
  cpuShares?: number;
  /** `--restart` as docker's HostConfig.RestartPolicy (`no`, `on-failure`, `always`, `unless-stopped`). */
  restartPolicy?: { Name: string; MaximumRetryCount: number };
  /** `--health-*` over the image's HEALTHCHECK, field by field (docker's merge); `--no-healthcheck`: Test ['NONE']. */
  healthcheck?: HealthConfig;
}

/** docker's Config.Healthcheck: Test is ['CMD', argv…], ['CMD-SHELL', command] or ['NONE']; durations in ns, 0 = the default. */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** docker's State.Health, as the container's monitor writes it (health.json). */
export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

/** `--device`: docker's HostConfig.Devices entry. */
export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  /** Some of `rwm`. */
  cgroupPermissions: string;
}

/** `--ulimit`: docker's name (nofile, nproc, core…), soft and hard; -1 is unlimited. */
export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** 'unknown': its state file cannot be read (see ContainerInfo.problem); `rm -f` and `gc` remove it. */
export type ContainerStatus = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  /** The image's id (config digest) at create; absent for the host image. */
  imageId?: string;
  command: string[];
  /** RFC 3339 times; '' when not reached yet. */
  created: string;
  startedAt: string;
  finishedAt: string;
  status: ContainerStatus;
  /** Host pid of the container's init while running, else 0. */
  pid: number;
  /** Host pid of the monitor while running, else 0. */
  monitorPid: number;
  exitCode: number | null;
  oomKilled: boolean;
  spec: ContainerSpec;
  /** Absolute path of the container's state directory (bundle). */
  bundle: string;
  logPath: string;
  /** cgroup directories of the container (one per v1 hierarchy, one on v2). */
  cgroupPaths: Record<string, string>;
  /** Status 'unknown': why its record could not be read, in one line. */
  problem?: string;
  /** Its places on bridge networks, eth0 first (kept across restarts until rm or disconnect). */
  endpoints?: Endpoint[];
  /** Published ports with the host ports resolved. */
  ports?: PortMapping[];
  /** Its mounts as made at create (volumes named, --volumes-from expanded). */
  mounts?: MountPoint[];
  /** The seccomp profile its processes run under: 'default', 'unconfined', or a custom profile's path (absent in records made before seccomp). */
  seccompProfile?: string;
  /** The AppArmor profile its processes run under (docker's AppArmorProfile); absent where AppArmor is off or for unconfined. */
  apparmorProfile?: string;
  /** Restarts done by its restart policy (docker's RestartCount). */
  restartCount?: number;
  /** Exited, and its restart policy will start it again after a delay (docker's Restarting). */
  restarting?: boolean;
  /** Stopped by `stop` (docker's hasBeenManuallyStopped): no restart policy applies until the next start. */
  manuallyStopped?: boolean;
  /** Running with its cgroup frozen (`pause`); status stays 'running', as docker's State.Running. */
  paused?: boolean;
  /** The health check it runs, defaults filled in (absent: none). */
  healthcheck?: Required<HealthConfig>;
  /** Its health as its monitor last wrote it (absent without a check, or before the first start). */
  health?: HealthState;
  /** Another engine's container (foreign/), shown read-only: runc, crun, docker, podman, containerd, kubernetes, hutch-runc. Absent for hutch's own. */
  engine?: string;
  /** containerd's namespace of a foreign container. */
  engineNamespace?: string;
  /** The machine it runs on, as the dashboard was told it (`--host`, engine/remote/); absent: this one. */
  host?: string;
}

/** A process of a running container, as `hutch top` / the detail view show it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  /** Resident memory in bytes. */
  rss: number;
  /** User + system CPU time in seconds. */
  cpuSeconds: number;
  cmd: string;
}

/** What the container's OCI config says about its filesystem and name. */
export interface RuntimeConfig {
  hostname?: string;
  mounts: { destination: string; readonly: boolean; type?: string }[];
}

export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  /** true for a full line (F), false for a partial one (P). */
  full: boolean;
  text: string;
}

export interface Stdio {
  stdin?: Readable | 'inherit' | null;
  stdout?: Writable | 'inherit' | null;
  stderr?: Writable | 'inherit' | null;
}

/**
 * Signals an attached client relays to the monitor: the monitor runs in a session
 * of its own (so a signal to the whole terminal group never reaches the container
 * twice), and forwards what it gets to the container, or for SIGWINCH reads the
 * terminal's new size. `subscribe` returns the unsubscribe function.
 */
export interface SignalSource {
  subscribe(listener: (signal: NodeJS.Signals) => void): () => void;
}

export interface StartOptions {
  /** Foreground: the monitor copies output to this process's stdout/stderr (and
   * with a tty proxies the terminal). The container still outlives us. Its stdin
   * reaches the container through a pipe or the pty, never as the fd itself. */
  attach?: boolean;
  /** Attached: copy our stdin to the container (default: when created with -i or -t). */
  interactive?: boolean;
  /** Attached: relayed to the monitor while it runs. */
  signals?: SignalSource;
  /** Attached with a tty: docker's --detach-keys (default ctrl-p,ctrl-q); typed, the
   * monitor gives the terminal back and runs on detached, and onDetach is called. */
  detachKeys?: string;
  onDetach?: () => void;
  /** Attached: `run -a`, the only streams attached (default all three). */
  streams?: readonly AttachStream[];
}

export type AttachStream = 'stdin' | 'stdout' | 'stderr';

/** `attach`: a client of the running container's monitor (its attach socket). */
export interface AttachOptions {
  /** Sent to the container (when it was created with -i); null: --no-stdin. A
   * terminal is put in raw mode while attached to a tty container. */
  stdin: (Readable & { isTTY?: boolean; setRawMode?(raw: boolean): unknown }) | null;
  stdout: Writable;
  stderr: Writable;
  /** docker's --detach-keys (default ctrl-p,ctrl-q), looked for in stdin of a tty container. */
  detachKeys?: string;
  /** SIGWINCH resizes a tty container's terminal to size(); the others are sent to
   * the container (sig-proxy, a container without a tty only, as docker). */
  signals?: SignalSource;
  size?: () => { rows: number; columns: number } | undefined;
}

/** exitCode: the container's status; null when detached (it runs on). */
export interface AttachResult {
  exitCode: number | null;
  detached: boolean;
}

export interface ExecOptions {
  tty?: boolean;
  /** Copy this process's stdin to the command (`-i`); else it reads /dev/null. */
  interactive?: boolean;
  /** Resolve (with 0) once the command runs; it goes on without us (`-d`). */
  detach?: boolean;
  env?: string[];
  /** Absolute path inside the container. */
  cwd?: string;
  /** `-u NAME|UID[:GROUP|GID]`: names from the container's /etc/passwd and /etc/group. */
  user?: string;
  /** `--privileged`: every capability, no seccomp filter, no AppArmor profile. */
  privileged?: boolean;
  /** 'inherit' copies this process's stdio to and from the command (the default);
   * the command itself gets only pipes or a pty of the monitor's. */
  stdio?: 'inherit' | 'pipe';
  /** Relayed to the exec's monitor while it runs (Ctrl-C, SIGTERM, SIGWINCH…). */
  signals?: SignalSource;
  /** Typed before the command started (the dashboard read it with the key that opened
   * the shell): its first input, ahead of this process's stdin. */
  input?: string;
}

/** `top`'s table as docker's ContainerTop answers it: ps's header words, then each row's columns. */
export interface TopTable {
  titles: string[];
  processes: string[][];
}

/** `wait --condition`: docker's three. */
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** `update`: the limits to change (absent: kept); sizes in bytes. */
export interface UpdateOptions {
  memory?: number;
  memorySwap?: number;
  cpus?: number;
  cpuShares?: number;
  /** 0 or negative: unlimited. */
  pidsLimit?: number;
  restartPolicy?: { Name: string; MaximumRetryCount: number };
}

/** `info`: docker's fields that apply to hutch, named as docker names them. */
export interface SystemInfo {
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  CgroupDriver: string;
  /** '1' or '2' as docker says it (a hybrid host is '1'); the layout itself is in Cgroups. */
  CgroupVersion: string;
  KernelVersion: string;
  OperatingSystem: string;
  OSType: string;
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  Name: string;
  ServerVersion: string;
  DockerRootDir: string;
  SecurityOptions: string[];
  /** hutch's own: the cgroup layout (v1, hybrid or v2), its parent, each hierarchy's mount point. */
  Cgroups: { Layout: string; Parent: string; Hierarchies: Array<{ Controllers: string[]; MountPoint: string }> };
}

/** `system df`: what each kind of object holds, as docker counts it. */
export interface DiskUsage {
  images: Array<ImageInfo & { containers: number }>;
  /** Each container's own layer (its upper directory) in bytes. */
  containers: Array<ContainerInfo & { sizeRw: number }>;
  volumes: Array<{ name: string; links: number; size: number }>;
  buildCache: Array<{ id: string; size: number; created: string }>;
}

export interface WaitResult {
  exitCode: number;
  oomKilled: boolean;
}

export type { ImageInfo, BuildInfo, ImageDetail, TransferPhase, TransferProgress, RegistryOptions, PullResult, PushResult } from './image-types.js';
export type { EngineApi } from './engine-api.js';
