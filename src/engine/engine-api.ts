// EngineApi: everything the CLI and the dashboard may ask of the engine (types.ts
// re-exports it). Both front ends reach the engine only through it, so the UI and the
// CLI can be tested against a fake (test/support/fake-engine.ts).
import type { Readable, Writable } from 'node:stream';
import type { ForeignVerb } from './foreign/actions.js';
import type { BuildOptions, BuildResult } from './build/executor/events.js';
import type { AttachOptions, AttachResult, BuildInfo, CommitOptions, CommitResult, ContainerDetail, ContainerInfo, ContainerSpec, CopyOptions, CreateNetworkOptions, CreateVolumeOptions, DiskUsage, EngineEvent, ExecOptions, FileChange, HealthState, ImageDetail, ImageHistoryEntry, ImageInfo, LogLine, NetworkInfo, ProcessInfo, PullResult, PushResult, RegistryOptions, RuntimeConfig, ShellConnection, ShellInfo, ShellOptions, StartOptions, SystemInfo, TopTable, UpdateOptions, VolumeFilter, VolumeInfo, WaitCondition, WaitResult } from './types.js';

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
  /** Other engines' containers on this machine (runc, crun, docker, podman, containerd, Kubernetes,
   * hutch-runc), found read-only from their state directories and cgroups; `engine` names each one's. */
  listForeign(): Promise<ContainerInfo[]>;
  /** What acting on another engine's container would run: that engine's own command (shown
   * to the user before it runs), or why hutch will not (Kubernetes' containers). */
  foreignCommand(id: string, verb: ForeignVerb): Promise<{ argv: string[] } | { refused: string }>;
  /** Runs foreignCommand's command; throws with the engine's own error line. */
  actOnForeign(id: string, verb: ForeignVerb): Promise<void>;
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
  /** `attach`: our stdio to the running container's (through its monitor's attach
   * socket) until it exits (its status) or the detach keys are typed (it runs on). */
  attach(idOrName: string, opts: AttachOptions): Promise<AttachResult>;
  /** Runs argv in the container; resolves with its exit status. */
  exec(idOrName: string, argv: string[], opts?: ExecOptions): Promise<number>;
  /** A shell in a running container whose pty its own exec monitor holds and serves
   * (`exec-<monitor pid>.sock` in the container's directory): the dashboard's pane. */
  openShell(idOrName: string, opts?: ShellOptions): Promise<ShellInfo>;
  /** The container's shells still running (a pane that detached reattaches to one). */
  listShells(idOrName: string): Promise<ShellInfo[]>;
  /** A client of one shell: its last 64 KiB of output first, then what comes. */
  connectShell(idOrName: string, shell: string): Promise<ShellConnection>;
  /** Ends a shell (SIGHUP to it; its monitor killed if it is still there a second later). */
  endShell(idOrName: string, shell: string): Promise<void>;
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
  /** `healthcheck run` (podman's verb): the container's monitor probes now; the state holding that probe's result. */
  healthcheckRun(idOrName: string): Promise<HealthState>;
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
