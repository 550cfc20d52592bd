// The engine's public surface: what the CLI and the dashboard use. Both front ends
// reach the engine only through `EngineApi`, so the UI can be tested with a fake.
import type { BuildOptions, BuildResult } from './build/executor/events.js';
import type { EngineEvent } from './events/log.js';
export type { EngineEvent } from './events/log.js';
import type { Readable, Writable } from 'node:stream';

import type { PortMapping } from './network/ports.js';
import type { NetworkInfo } from './network/verbs.js';
import type { CreateNetworkOptions } from './network/store.js';
import type { CopyOptions } from './fs/cp.js';
import type { Change as FileChange } from './fs/diff.js';
export type { CopyOptions } from './fs/cp.js';
export type { Change as FileChange, ChangeKind } from './fs/diff.js';
import type { CommitOptions, CommitResult } from './container/commit.js';
import type { ImageHistoryEntry } from './images/history.js';
export type { CommitOptions, CommitResult } from './container/commit.js';
export type { ImageHistoryEntry } from './images/history.js';
export type { PortMapping } from './network/ports.js';
export type { NetworkInfo } from './network/verbs.js';
export type { CreateNetworkOptions, NetworkRecord } from './network/store.js';
import type { MountRequest } from './volumes/parse.js';
import type { MountPoint } from './volumes/attach.js';
import type { VolumeFilter, VolumeInfo } from './volumes/verbs.js';
import type { CreateVolumeOptions } from './volumes/store.js';
export type { MountRequest, Propagation } from './volumes/parse.js';
export type { MountPoint } from './volumes/attach.js';
export type { VolumeFilter, VolumeInfo } from './volumes/verbs.js';
export type { CreateVolumeOptions, VolumeRecord } from './volumes/store.js';
import type { ContainerDetail } from './container/inspect-docker.js';
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

export interface ImageInfo {
  /** How to refer to it: the short `repository:tag`, or the id when it has no tag. */
  name: string;
  /** docker's image id: `sha256:` + the config digest's hex. */
  id: string;
  created: string;
  /** Bytes of the unpacked layers. */
  size: number;
  /** 'builtin' for the host image, 'rootfs' for imported tarballs, 'oci' for layered images. */
  kind: 'builtin' | 'rootfs' | 'oci';
  /** Short repository and tag as `hutch images` prints them ('<none>' when untagged). */
  repository?: string;
  tag?: string;
  /** Manifest digest. */
  digest?: string;
  layers?: number;
  /** Bytes of layers this image shares with other images. */
  sharedSize?: number;
}

/** A build running now (`hutch build` in any process on this root), as its status file says. */
export interface BuildInfo {
  /** The building process, and its start time (clock ticks, field 22 of /proc/PID/stat). */
  pid: number;
  startTime: number;
  /** `-t` names as given; [] when untagged. */
  tags: string[];
  context: string;
  dockerfile: string;
  /** RFC 3339. */
  started: string;
  /** The step under way (1-based) and how many the build has. */
  step: number;
  steps: number;
  /** The step's line, e.g. "[2/6] RUN make" (without the "[n/m]" part, the dashboard adds it). */
  current: string;
  /** The stage the step belongs to, when it has a name. */
  stage?: string;
}

/** `image inspect`: docker's fields. */
export interface ImageDetail {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** docker's: '' (no local parent chain), the newest history entry's comment, '' (no docker built it). */
  Parent?: string;
  Comment?: string;
  Created: string;
  DockerVersion?: string;
  Author: string;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  GraphDriver?: { Name: string; Data: Record<string, string> | null };
  Config: {
    User: string;
    Env: string[];
    Entrypoint: string[] | null;
    Cmd: string[] | null;
    WorkingDir: string;
    ExposedPorts?: Record<string, object>;
    Labels: Record<string, string> | null;
    StopSignal?: string;
    Volumes?: Record<string, object>;
    /** As the image's config has them (HEALTHCHECK, SHELL, ONBUILD, ArgsEscaped): docker shows them. */
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
    Shell?: string[];
    OnBuild?: string[] | null;
    ArgsEscaped?: boolean;
  };
  RootFS: { Type: 'layers'; Layers: string[] };
  Metadata: { LastTagTime: string };
  /** hutch's own: manifest media type, layer blobs and where each is unpacked. */
  Manifest?: { MediaType: string; Digest: string; Layers: Array<{ Digest: string; MediaType: string; Size: number; ChainID: string }> };
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

/** One layer's (or blob's) state in a pull or push, for progress bars. */
export type TransferPhase = 'waiting' | 'downloading' | 'verifying' | 'downloaded' | 'extracting' | 'exists' | 'uploading' | 'done';

export interface TransferProgress {
  /** The blob's short id (12 hex digits of its digest), as docker prints it. */
  id: string;
  digest: string;
  phase: TransferPhase;
  /** Bytes done and expected in this phase (0/0 when it has no size). */
  current: number;
  total: number;
}

export interface RegistryOptions {
  /** Plain HTTP; allowed only for localhost, 127.0.0.1 and [::1] registries. */
  insecure?: boolean;
  onProgress?: (e: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  image: ImageInfo;
  /** The full reference pulled, e.g. docker.io/library/busybox:latest. */
  reference: string;
  /** Digest of what the tag named (the index for a multi-platform image). */
  digest: string;
  /** Bytes fetched from the registry by this pull (less when resumed or cached). */
  downloaded: number;
  /** The name now names another image (image id) than before, or was not here: docker's
   * "Downloaded newer image" rather than "Image is up to date", blobs fetched or not. */
  updated: boolean;
}

export interface PushResult {
  reference: string;
  digest: string;
  /** Size of the manifest in bytes (docker prints it). */
  size: number;
  /** Bytes of blobs sent (blobs the registry had are skipped). */
  uploaded: number;
}

export interface EngineApi {
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  start(idOrName: string, opts?: StartOptions): Promise<ContainerInfo>;
  /** SIGTERM, then SIGKILL after timeoutSec (default 10). */
  stop(idOrName: string, timeoutSec?: number): Promise<ContainerInfo>;
  restart(idOrName: string, timeoutSec?: number): Promise<ContainerInfo>;
  kill(idOrName: string, signal?: string | number): Promise<void>;
  /** `volumes`: its anonymous volumes go too (`rm -v`; always for an `--rm` container). */
  remove(idOrName: string, opts?: { force?: boolean; volumes?: boolean }): Promise<void>;
  list(opts?: { all?: boolean }): Promise<ContainerInfo[]>;
  inspect(idOrName: string): Promise<ContainerInfo>;
  /** `inspect`: docker's record of the container (State, Config, HostConfig…), hutch's own fields under `Hutch`. */
  inspectContainer(idOrName: string): Promise<ContainerDetail>;
  /** `condition` (default not-running): next-exit waits for the next run's end, removed for its removal. */
  wait(idOrName: string, opts?: { condition?: WaitCondition }): Promise<WaitResult>;
  /** since/until: ms since the epoch (`logs --since/--until`), applied before tail. */
  logs(idOrName: string, opts?: { follow?: boolean; tail?: number; signal?: AbortSignal; since?: number; until?: number }): AsyncIterable<LogLine>;
  /** The processes in the container's cgroup (empty unless running). */
  top(idOrName: string): Promise<ProcessInfo[]>;
  /** Sends `signal` to one process of a running container: NotFound unless `pid` is
   * in the container's cgroup right before the signal goes (a pid from `top` may be
   * stale, or reused by a process of someone else's). */
  signalProcess(idOrName: string, pid: number, signal: string | number): Promise<void>;
  /** Writes the logs of one container (several: merged by time, each line led by
   * `name | `) to a new file at `path`, as `hutch logs [-t]` prints them; refuses to
   * overwrite. Resolves with the number of lines written. */
  saveLogs(idsOrNames: string[], path: string, opts?: { timestamps?: boolean }): Promise<number>;
  /** Hostname and mounts from the container's config.json. */
  runtimeConfig(idOrName: string): Promise<RuntimeConfig>;
  /** Runs argv in the container; resolves with its exit status. */
  exec(idOrName: string, argv: string[], opts?: ExecOptions): Promise<number>;
  /** `cp CONTAINER:SRC DST` (running or stopped): into a host path by docker's rules, or as a tar to a stream. */
  copyFrom(idOrName: string, srcPath: string, dst: string | Writable, opts?: CopyOptions): Promise<void>;
  /** `cp SRC CONTAINER:DST`: a host path by docker's rules, or a tar stream into the directory DST. */
  copyTo(idOrName: string, dstPath: string, src: string | Readable, opts?: CopyOptions): Promise<void>;
  /** `export`: the container's own filesystem (image + its layer, no volumes) as a tar. */
  exportContainer(idOrName: string, out: string | Writable): Promise<void>;
  /** `diff`: A/C/D changes from its layer, sorted by path. */
  diff(idOrName: string): Promise<FileChange[]>;
  images(): Promise<ImageInfo[]>;
  /** The builds running now on this root (any process); files of dead ones are removed. */
  builds(): Promise<BuildInfo[]>;
  importImage(tarPath: string, name: string): Promise<ImageInfo>;
  /** Untags; deletes the image with its last tag. Refuses while a container uses it,
   * unless forced. Returns docker's `Untagged: …` / `Deleted: …` lines. */
  removeImage(name: string, opts?: { force?: boolean }): Promise<string[]>;
  inspectImage(ref: string): Promise<ImageDetail>;
  tagImage(source: string, target: string): Promise<void>;
  /** `commit`: the container's changes (its upper directory, mount points hutch made left
   * out) as a new image on its image, with its run settings and `changes` in the config;
   * a running container is paused while it is read. */
  commit(container: string, opts?: CommitOptions): Promise<CommitResult>;
  /** `build`: an image from a Dockerfile and a context (engine/build), progress as BuildKit's events. */
  build(opts: BuildOptions): Promise<BuildResult>;
  /** `history`: the image's config history, newest first, with each layer's size. */
  imageHistory(image: string): Promise<ImageHistoryEntry[]>;
  /** OCI archive (oci-layout, index.json, blobs/) to a file path or a stream. */
  saveImages(refs: string[], out: string | Writable): Promise<void>;
  /** Loads OCI / docker-save archives, gzip-compressed or not; returns `Loaded image: …` lines. */
  loadImages(input: string | Readable, opts?: { onProgress?: (e: { layer: string; bytes: number; total: number }) => void }): Promise<string[]>;
  /** Removes untagged images (every image no container uses, with `all`) and unreferenced content.
   * `deleted`: docker's `untagged: …` / `deleted: …` lines; `reclaimed`: bytes freed. */
  pruneImages(opts?: { all?: boolean }): Promise<{ deleted: string[]; reclaimed: number }>;
  /** Fetches NAME[:TAG|@DIGEST] from its registry (the host's platform of a
   * multi-platform image); layers download in parallel and resume after a kill. */
  pull(ref: string, opts?: RegistryOptions): Promise<PullResult>;
  /** Sends a local image to the registry its name names; blobs it has are skipped. */
  push(ref: string, opts?: RegistryOptions): Promise<PushResult>;
  /** Checks the credentials against the registry, then stores them (mode 0600). */
  login(registry: string, creds: { username: string; password: string }, opts?: { insecure?: boolean }): Promise<void>;
  /** Forgets a registry's credentials; false when there were none. */
  logout(registry: string): Promise<boolean>;
  /** `network create`: the record, its bridge and its firewall elements, all or nothing. */
  createNetwork(opts: CreateNetworkOptions): Promise<NetworkInfo>;
  networks(): Promise<NetworkInfo[]>;
  inspectNetwork(ref: string): Promise<NetworkInfo>;
  /** Refused while a container has an address on it. */
  removeNetwork(ref: string): Promise<void>;
  /** Removes unused user networks; returns their names. */
  pruneNetworks(): Promise<string[]>;
  /** Joins a container (running or not) to a network: `--ip`, `--alias` as docker's. */
  connectNetwork(network: string, container: string, opts?: { ip?: string; aliases?: string[] }): Promise<void>;
  /** Takes a container off a network (its interface goes at once if it runs). */
  disconnectNetwork(network: string, container: string): Promise<void>;
  /** `volume create`: an existing one of that name is returned as it is (docker). */
  createVolume(opts?: CreateVolumeOptions): Promise<VolumeInfo>;
  volumes(opts?: VolumeFilter): Promise<VolumeInfo[]>;
  inspectVolume(name: string): Promise<VolumeInfo>;
  /** Refused while any container, running or not, uses it; `force` ignores a missing one. */
  removeVolume(name: string, opts?: { force?: boolean }): Promise<void>;
  /** Removes unused anonymous volumes (every unused one with `all`); names and bytes freed. */
  pruneVolumes(opts?: { all?: boolean }): Promise<{ deleted: string[]; reclaimed: number }>;
  /** Removes leftovers of crashed runs; returns one line per thing removed. */
  gc(): Promise<string[]>;
  /** docker's events from the root's log (events/log.ts), within [since, until] (ms), from a
   * byte offset of an earlier call (follow); `offset` is where the next call starts. */
  events(opts?: { since?: number; until?: number; from?: number }): Promise<{ events: EngineEvent[]; offset: number }>;
  /** What the monitor's exit command runs (`hutch __on-exit`): the restart policy applied to
   * the exit just recorded, its backoff waited; true when the container was started again. */
  applyRestartPolicy(idOrName: string): Promise<boolean>;
  /** `builder prune`: drops the build cache's records, then frees the layers only they kept. */
  pruneBuildCache(): Promise<{ records: number; reclaimed: number }>;
  /** `pause`/`unpause`: freezes or thaws a running container's cgroup (ContainerInfo.paused). */
  pause(idOrName: string): Promise<ContainerInfo>;
  unpause(idOrName: string): Promise<ContainerInfo>;
  /** `rename`: claims the new name (Conflict when in use), frees the old one, renames it on user networks' DNS. */
  rename(idOrName: string, newName: string): Promise<ContainerInfo>;
  /** `update`: new limits on the running cgroup, in the record and config.json (a restart keeps them). */
  update(idOrName: string, opts: UpdateOptions): Promise<ContainerInfo>;
  /** `container prune`: removes every container that is not running; full ids and bytes freed. */
  pruneContainers(): Promise<{ deleted: string[]; reclaimed: number }>;
  /** `info`. */
  info(): Promise<SystemInfo>;
  /** `system df`. */
  diskUsage(): Promise<DiskUsage>;
  /** `top CONTAINER [ps OPTIONS]`: the host's `ps` (default -ef), rows of the container's processes only. */
  topPs(idOrName: string, psArgs?: string[]): Promise<TopTable>;
}
