// The one fake of EngineApi: the CLI tests, the dashboard tests and the dashboard bench
// all use it. Containers and images live in memory, every call is recorded, and any
// method can be told to fail once (`failures`). It is held to the real engine by the
// conformance suite (engine-conformance.ts, run against both): the same verbs fail with
// the engine's error classes, exit codes and messages, where possible through the
// engine's own checks (validate, parseSignal).
//
// What it assumes where a fake cannot run anything (fake-commands.ts):
// - start "runs" the command: on the host image a command execve would not find fails as
//   the monitor reports it (127, 126), and the container stays created;
// - a running container runs until stopped, killed, or waited for: wait() on it stands
//   for the command ending by itself, with `waitResult`;
// - stop ends it with SIGTERM (143), or SIGKILL (137) with a 0 s timeout; kill ends it
//   when the signal's default action ends a process;
// - signalProcess reaches the container's init (its pid) and the processes of `procs`;
//   a signal that ends a command sent to the init ends the container, as kill does;
// - saveLogs writes `logLines` to a real file, with the engine's own formatting;
// - an `--rm` container is removed once wait() or list() sees it exited, as the engine does.
import type { BuildOptions, BuildResult } from '../../src/engine/build/executor/events.js';
import type { EngineEvent } from '../../src/engine/events/log.js';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type {
  ContainerInfo,
  ContainerSpec,
  EngineApi,
  ExecOptions,
  ImageDetail,
  ImageInfo,
  LogLine,
  ProcessInfo,
  PullResult,
  PushResult,
  RegistryOptions,
  RuntimeConfig,
  StartOptions,
  TransferProgress,
  WaitResult,
} from '../../src/engine/types.js';
import { BrokenRecord, Conflict, InvalidArgument, NotFound } from '../../src/engine/errors.js';
import { validate } from '../../src/engine/container/create.js';
import { parseSignal } from '../../src/engine/container/signal.js';
import { formatLogLines, writeNewFile, type NamedLine } from '../../src/engine/container/save-logs.js';
import { commandFor } from '../../src/engine/spec/build.js';
import { HOST_IMAGE, refuseBuiltin } from '../../src/engine/images/host.js';
import { checkTags } from '../../src/engine/images/commit.js';
import { applyChanges } from '../../src/engine/images/config-changes.js';
import type { CommitOptions, CommitResult, ImageHistoryEntry } from '../../src/engine/types.js';
import { endsCommand, hostCommandError } from './fake-commands.js';
import { FakeNetworks } from './fake-networks.js';
import { FakeFiles } from './fake-files.js';
import { foreignCommand, type ForeignVerb } from '../../src/engine/foreign/actions.js';
import type { ForeignContainer } from '../../src/engine/foreign/types.js';
import type { CopyOptions, FileChange, HealthState } from '../../src/engine/types.js';
import { networkMode } from '../../src/engine/network/endpoint.js';
import type { CreateNetworkOptions, NetworkInfo } from '../../src/engine/types.js';
import type { CreateVolumeOptions, VolumeFilter, VolumeInfo } from '../../src/engine/types.js';
import { FakeVolumes } from './fake-volumes.js';
import { FakeBuilds } from './fake-builds.js';
import type { BuildInfo } from '../../src/engine/types.js';
import type { AttachOptions, AttachResult } from '../../src/engine/types.js';
import type { ShellConnection, ShellInfo, ShellOptions } from '../../src/engine/types.js';
import { FakeShells } from './fake-shells.js';
import { parseDetachKeys } from '../../src/engine/container/detach-keys.js';
import { checkBindSources } from '../../src/engine/volumes/validate.js';
import type { DiskUsage, SystemInfo, TopTable, UpdateOptions, WaitCondition } from '../../src/engine/types.js';
import { checkNewName } from '../../src/engine/container/rename.js';
import { updatedSpec } from '../../src/engine/container/update.js';
import { checkCondition } from '../../src/engine/container/wait-condition.js';
import { dockerContainer, type ContainerDetail } from '../../src/engine/container/inspect-docker.js';
import { mergeEnv } from '../../src/engine/spec/build.js';

export interface Call {
  method: string;
  args: unknown[];
}

const { SIGTERM, SIGKILL } = os.constants.signals;

export class FakeEngine implements EngineApi {
  containers: ContainerInfo[] = [];
  imageList: ImageInfo[] = [{ name: HOST_IMAGE, id: 'sha256:' + 'ab'.repeat(32), created: '2024-01-01T00:00:00Z', size: 0, kind: 'builtin' }];
  /** Log lines by container id. */
  logLines = new Map<string, LogLine[]>();
  calls: Call[] = [];
  /** method → error it throws once (after the call is recorded). */
  failures = new Map<string, Error>();
  /** How a running container's command ends when something waits for it. */
  waitResult: WaitResult = { exitCode: 0, oomKilled: false };
  /** attach() returns as if the detach keys were typed. */
  attachDetaches = false;
  /** Status of every command exec runs. */
  execResult = 0;
  gcResult: string[] = [];
  /** What top() answers for a running container. */
  procs: ProcessInfo[] = [];
  runtime: RuntimeConfig = { hostname: 'box', mounts: [{ destination: '/usr', readonly: true }] };
  /** Progress events pull and push report, in order, before they resolve. */
  transferEvents: TransferProgress[] = [];
  /** Runs inside pull() before the image appears: tests send progress and hold the pull here. */
  pullHook?: (ref: string, opts: RegistryOptions) => Promise<void>;
  logins = new Map<string, { username: string; password: string }>();
  readonly nets = new FakeNetworks();
  readonly vols = new FakeVolumes(() => this.containers);
  /** Builds running now, as other processes' status files would say. */
  readonly buildRuns = new FakeBuilds();
  private seq = 0;
  private nextPid = 4000;

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const err = this.failures.get(method);
    if (err) {
      this.failures.delete(method);
      throw err;
    }
  }

  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Puts a container in place as if it had been there (default: running `sleep infinity` on host). */
  add(p: Partial<ContainerInfo> & { name: string }): ContainerInfo {
    this.seq++;
    const c: ContainerInfo = {
      id: (this.seq.toString(16).padStart(2, '0') + 'c0ffee').repeat(8).slice(0, 64),
      image: HOST_IMAGE,
      command: ['sleep', 'infinity'],
      created: '2024-01-01T00:00:00Z',
      startedAt: '2024-01-01T00:00:00Z',
      finishedAt: '',
      status: 'running',
      pid: 1000 + this.seq,
      monitorPid: 2000 + this.seq,
      exitCode: null,
      oomKilled: false,
      spec: { image: p.image ?? HOST_IMAGE },
      bundle: `/nonexistent/${p.name}`,
      logPath: `/nonexistent/${p.name}/container.log`,
      cgroupPaths: {},
      ...p,
    };
    this.containers.push(c);
    return c;
  }

  /** As the engine resolves a reference: full id, name, then a unique id prefix. */
  find(ref: string): ContainerInfo {
    if (!ref) throw new NotFound('No such container: ');
    const exact = /^[0-9a-f]{64}$/.test(ref) ? this.containers.find((c) => c.id === ref) : undefined;
    const named = exact ?? this.containers.find((c) => c.name === ref);
    if (named) return named;
    if (/^[0-9a-f]+$/.test(ref)) {
      const hits = this.containers.filter((c) => c.id.startsWith(ref));
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw new Conflict(`multiple IDs found with provided prefix: ${ref}`);
    }
    throw new NotFound(`No such container: ${ref}`);
  }

  /** A container whose record can be read: status 'unknown' is a broken state.json. */
  private loaded(ref: string): ContainerInfo {
    return this.usable(this.find(ref));
  }

  private usable(c: ContainerInfo): ContainerInfo {
    if (c.status === 'unknown') throw new BrokenRecord(c.id, (c.problem ?? 'unreadable').replace(/^state\.json: /, ''));
    return c;
  }

  /** An image by name (`:latest` implied) or id; NotFound with the engine's words for `create`
   * or for the image verbs. */
  private image(ref: string, forCreate = false): ImageInfo {
    const img = this.imageList.find((i) => i.name === ref || i.name === `${ref}:latest` || i.id === ref);
    if (!img) throw new NotFound(forCreate ? `Unable to find image '${ref}' locally` : `No such image: ${ref}`);
    return img;
  }

  /** `volumes`: its anonymous volumes go too (rm -v, --rm). */
  private forget(c: ContainerInfo, volumes = false): void {
    const i = this.containers.indexOf(c);
    if (i >= 0) this.containers.splice(i, 1);
    this.logLines.delete(c.id);
    this.nets.release(c.id);
    if (volumes || c.spec.autoRemove) this.vols.removeAnonymous(c.mounts ?? []);
  }

  /** The command starts, unless the host image has no such executable. */
  private run(c: ContainerInfo): void {
    const failure = c.image === HOST_IMAGE ? hostCommandError(c.command[0] ?? '') : null;
    if (failure) throw failure;
    Object.assign(c, {
      status: 'running',
      pid: this.nextPid++,
      monitorPid: this.nextPid++,
      startedAt: new Date().toISOString(),
      finishedAt: '',
      exitCode: null,
      oomKilled: false,
    });
  }

  private end(c: ContainerInfo, exitCode: number, oomKilled = false): void {
    Object.assign(c, { status: 'exited', pid: 0, monitorPid: 0, exitCode, oomKilled, finishedAt: new Date().toISOString() });
    delete c.paused; // stop and kill thaw a paused container first, as the engine does
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    this.record('create', spec);
    validate(spec);
    checkBindSources(spec);
    const img = this.image(spec.image, true);
    // Every fake image's own command is the host image's.
    const command = commandFor(spec, { cmd: ['/bin/sh'], entrypoint: null });
    if (command.length === 0) throw new InvalidArgument('No command specified');
    let name = spec.name;
    for (let n = this.seq + 1; name === undefined; n++) if (!this.containers.some((c) => c.name === `c${n}`)) name = `c${n}`;
    const owner = this.containers.find((c) => c.name === name);
    if (owner)
      throw new Conflict(`Conflict. The container name "/${name}" is already in use by container "${owner.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    const mode = networkMode(spec);
    const net = mode.kind === 'network' ? this.nets.forContainer(mode.name) : undefined;
    if (mode.kind === 'container') this.find(mode.name);
    const c = this.add({
      name,
      image: spec.image,
      ...(img.kind === 'builtin' ? {} : { imageId: img.id }),
      command,
      created: new Date().toISOString(),
      startedAt: '',
      status: 'created',
      pid: 0,
      monitorPid: 0,
      spec: { ...spec, name, cmd: command, ...(net ? { network: net.name } : {}) },
    });
    if (net) {
      try {
        c.endpoints = [this.nets.endpoint(net, c, 0, { ip: spec.ip, aliases: spec.networkAliases })];
        let next = 49153;
        const ports = (spec.ports ?? []).map((p) => (p.hostPort ? p : { ...p, hostPort: next++ }));
        if (ports.length) c.ports = ports;
      } catch (e) {
        this.forget(c);
        throw e;
      }
    }
    if (spec.mounts?.length || spec.volumesFrom?.length) {
      try {
        const mounts = this.vols.attach(spec, (ref) => this.loaded(ref).mounts ?? []);
        if (mounts.length) c.mounts = mounts;
      } catch (e) {
        this.forget(c);
        throw e;
      }
    }
    return { ...c };
  }

  async start(ref: string, opts?: StartOptions): Promise<ContainerInfo> {
    this.record('start', ref, opts);
    const c = this.loaded(ref);
    if (c.status !== 'running') this.run(c);
    return { ...c };
  }

  async stop(ref: string, timeoutSec?: number): Promise<ContainerInfo> {
    this.record('stop', ref, timeoutSec);
    const c = this.loaded(ref);
    if (c.status !== 'running') throw new Conflict(`container ${c.name} is not running`);
    this.end(c, 128 + ((timeoutSec ?? 10) > 0 ? SIGTERM : SIGKILL));
    return { ...c };
  }

  async restart(ref: string, timeoutSec?: number): Promise<ContainerInfo> {
    this.record('restart', ref, timeoutSec);
    const c = this.loaded(ref);
    if (c.status === 'running') this.end(c, 128 + ((timeoutSec ?? 10) > 0 ? SIGTERM : SIGKILL));
    this.run(c);
    return { ...c };
  }

  async kill(ref: string, signal?: string | number): Promise<void> {
    this.record('kill', ref, signal);
    const c = this.find(ref);
    const sig = parseSignal(signal);
    if (this.usable(c).status !== 'running') throw new Conflict(`Cannot kill container: ${c.name}: container is not running`);
    if (endsCommand(sig)) this.end(c, 128 + sig);
  }

  async remove(ref: string, opts?: { force?: boolean; volumes?: boolean }): Promise<void> {
    this.record('remove', ref, opts);
    const c = this.find(ref);
    // A broken record is refused while its monitor lives, with its short id for a name.
    const live = c.status === 'running' || (c.status === 'unknown' && c.monitorPid > 0);
    if (live && !opts?.force)
      throw new Conflict(`cannot remove container "${c.status === 'unknown' ? c.id.slice(0, 12) : c.name}": container is running: stop the container before removing or force remove`);
    this.forget(c, !!opts?.volumes);
  }

  async list(opts?: { all?: boolean }): Promise<ContainerInfo[]> {
    this.record('list', opts);
    for (const c of this.containers.filter((x) => x.status === 'exited' && x.spec.autoRemove)) this.forget(c);
    return this.containers
      .filter((c) => opts?.all || c.status === 'running' || (c.status === 'unknown' && c.monitorPid > 0))
      .map((c) => ({ ...c }))
      .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  async inspect(ref: string): Promise<ContainerInfo> {
    this.record('inspect', ref);
    return { ...this.loaded(ref) };
  }

  /** The engine's own builder, with the environment config.json would have (image, PATH, -e). */
  async inspectContainer(ref: string): Promise<ContainerDetail> {
    this.record('inspectContainer', ref);
    const c = { ...this.loaded(ref) };
    let image: ImageDetail | null = null;
    try {
      image = this.imageDetail(c.imageId ?? c.image);
    } catch {
      /* removed with rmi -f: docker shows the container without it */
    }
    const env = mergeEnv(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...(image?.Config.Env ?? []), ...(c.spec.tty ? ['TERM=xterm'] : []), ...(c.spec.env ?? [])]);
    return dockerContainer(c, { env, hostname: c.spec.network === 'host' ? '' : c.spec.hostname || c.id.slice(0, 12), image });
  }

  async wait(ref: string, opts?: { condition?: WaitCondition }): Promise<WaitResult> {
    this.record('wait', ref, ...(opts ? [opts] : []));
    const c = this.loaded(ref);
    const condition = checkCondition(opts?.condition ?? 'not-running');
    // next-exit on a stopped container stands for it being started and ending again.
    if (c.status === 'running' || condition === 'next-exit') this.end(c, this.waitResult.exitCode, this.waitResult.oomKilled);
    const result = { exitCode: c.exitCode ?? 0, oomKilled: c.oomKilled };
    if (c.status === 'exited' && (c.spec.autoRemove || condition === 'removed')) this.forget(c);
    return result;
  }

  /** A followed log of a running container stays open until its signal aborts (without one it ends). */
  async *logs(ref: string, opts?: { follow?: boolean; tail?: number; signal?: AbortSignal; since?: number; until?: number }): AsyncIterable<LogLine> {
    this.record('logs', ref, opts);
    const c = this.loaded(ref);
    const t = (l: LogLine) => Date.parse(l.time.replace(/(\.\d{3})\d+/, '$1'));
    const lines = (this.logLines.get(c.id) ?? []).filter((l) => (opts?.since === undefined || t(l) >= opts.since) && (opts?.until === undefined || t(l) <= opts.until));
    yield* opts?.tail === undefined ? lines : lines.slice(-opts.tail || lines.length);
    const signal = opts?.signal;
    if (opts?.follow && signal && !signal.aborted && c.status === 'running') {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  }

  async top(ref: string): Promise<ProcessInfo[]> {
    this.record('top', ref);
    return this.loaded(ref).status === 'running' ? this.procs : [];
  }

  async signalProcess(ref: string, pid: number, signal: string | number): Promise<void> {
    this.record('signalProcess', ref, pid, signal);
    const c = this.find(ref);
    const sig = parseSignal(signal);
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new InvalidArgument(`invalid pid: ${pid}`);
    if (this.usable(c).status !== 'running') throw new Conflict(`container ${c.name} is not running`);
    if (pid !== c.pid && !this.procs.some((p) => p.pid === pid)) throw new NotFound(`no process ${pid} in container ${c.name}`);
    if (pid === c.pid && endsCommand(sig)) this.end(c, 128 + sig);
  }

  async saveLogs(refs: string[], file: string, opts?: { timestamps?: boolean }): Promise<number> {
    this.record('saveLogs', refs, file, opts);
    const list = refs.map((r) => this.loaded(r));
    if (list.length === 0) throw new InvalidArgument('no container to save the logs of');
    const merged = list.length > 1;
    const all: NamedLine[] = list.flatMap((c) => (this.logLines.get(c.id) ?? []).map((line) => ({ name: merged ? c.name : undefined, line })));
    if (merged) all.sort((a, b) => (a.line.time < b.line.time ? -1 : a.line.time > b.line.time ? 1 : 0));
    await writeNewFile(file, formatLogLines(all, !!opts?.timestamps));
    return all.filter((l) => l.line.full).length;
  }

  async runtimeConfig(ref: string): Promise<RuntimeConfig> {
    this.record('runtimeConfig', ref);
    this.loaded(ref);
    return this.runtime;
  }

  /** Container files for cp, export and diff (an in-memory tree per container). */
  readonly files = new FakeFiles();

  async copyFrom(ref: string, srcPath: string, dst: string | Writable, opts?: CopyOptions): Promise<void> {
    this.record('copyFrom', ref, srcPath, typeof dst === 'string' ? dst : 'stream');
    const c = this.find(ref);
    await this.files.copyFrom(c.id, c.name, srcPath, dst, opts);
  }

  async copyTo(ref: string, dstPath: string, src: string | Readable, opts?: CopyOptions): Promise<void> {
    this.record('copyTo', ref, dstPath, typeof src === 'string' ? src : 'stream');
    const c = this.find(ref);
    await this.files.copyTo(c.id, c.name, dstPath, src, opts);
  }

  async exportContainer(ref: string, out: string | Writable): Promise<void> {
    this.record('exportContainer', ref, typeof out === 'string' ? out : 'stream');
    await this.files.exportTo(this.find(ref).id, out);
  }

  async diff(ref: string): Promise<FileChange[]> {
    this.record('diff', ref);
    return this.files.diff(this.find(ref).id);
  }

  /** Attached until the command ends as waitResult says (detached instead when `attachDetaches`). */
  async attach(ref: string, opts: AttachOptions): Promise<AttachResult> {
    this.record('attach', ref, opts);
    parseDetachKeys(opts.detachKeys);
    const c = this.find(ref);
    if (this.usable(c).status !== 'running') throw new Conflict('You cannot attach to a stopped container, start it first');
    if (c.paused) throw new Conflict('You cannot attach to a paused container, unpause it first');
    if (this.attachDetaches) return { exitCode: null, detached: true };
    this.end(c, this.waitResult.exitCode, this.waitResult.oomKilled);
    return { exitCode: c.exitCode ?? 0, detached: false };
  }

  async exec(ref: string, argv: string[], opts?: ExecOptions): Promise<number> {
    this.record('exec', ref, argv, opts);
    const c = this.find(ref);
    if (argv.length === 0) throw new InvalidArgument('exec: no command given');
    if (opts?.cwd !== undefined && !path.posix.isAbsolute(opts.cwd))
      throw new InvalidArgument(`the working directory '${opts.cwd}' is invalid, it needs to be an absolute path`);
    if (this.usable(c).status !== 'running') throw new Conflict(`container ${c.name} is not running`);
    if (c.paused) throw new Conflict(`Container ${c.id} is paused, unpause the container before exec`);
    const failure = c.image === HOST_IMAGE ? hostCommandError(argv[0]) : null;
    if (failure) throw failure;
    return opts?.detach ? 0 : this.execResult;
  }

  /** Shells for the dashboard's pane (fake-shells.ts). */
  readonly shells = new FakeShells();
  async openShell(ref: string, opts?: ShellOptions): Promise<ShellInfo> {
    this.record('openShell', ref, opts);
    const c = this.find(ref);
    if (this.usable(c).status !== 'running') throw new Conflict(`container ${c.name} is not running`);
    return this.shells.open(c.id);
  }
  async listShells(ref: string): Promise<ShellInfo[]> {
    this.record('listShells', ref);
    return this.shells.list(this.find(ref).id);
  }
  async connectShell(ref: string, shell: string): Promise<ShellConnection> {
    this.record('connectShell', ref, shell);
    return this.shells.connect(this.find(ref).id, shell);
  }
  async endShell(ref: string, shell: string): Promise<void> {
    this.record('endShell', ref, shell);
    this.shells.end(this.find(ref).id, shell);
  }

  async images(): Promise<ImageInfo[]> {
    this.record('images');
    return this.imageList;
  }
  async builds(): Promise<BuildInfo[]> {
    this.record('builds');
    return this.buildRuns.list();
  }

  async importImage(tarPath: string, name: string): Promise<ImageInfo> {
    this.record('importImage', tarPath, name);
    const img: ImageInfo = { name, id: `sha256:${'ab'.repeat(32)}`, created: '2024-01-01T00:00:00Z', size: 1, kind: 'rootfs' };
    this.imageList.push(img);
    return img;
  }

  async removeImage(name: string, opts?: { force?: boolean }): Promise<string[]> {
    this.record('removeImage', name, opts);
    refuseBuiltin(name, 'removed');
    const img = this.image(name);
    // As the engine: an image a container uses goes only when forced.
    const user = this.containers.find((c) => (c.imageId ? c.imageId === img.id : c.image === name));
    if (user && !opts?.force)
      throw new Conflict(`conflict: unable to remove repository reference "${name}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${img.id.slice(7, 19)}`);
    this.imageList = this.imageList.filter((i) => i !== img);
    return [`Untagged: ${img.name}`, `Deleted: ${img.id}`];
  }

  async inspectImage(ref: string): Promise<ImageDetail> {
    this.record('inspectImage', ref);
    return this.imageDetail(ref);
  }

  private imageDetail(ref: string): ImageDetail {
    const img = this.image(ref);
    return {
      Id: img.id,
      RepoTags: img.kind === 'builtin' ? [] : [img.name],
      RepoDigests: img.digest ? [`${img.repository ?? img.name}@${img.digest}`] : [],
      Created: img.created,
      Author: '',
      Architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      Os: 'linux',
      Size: img.size,
      Config: { User: '', Env: [], Entrypoint: null, Cmd: ['/bin/sh'], WorkingDir: '', Labels: null },
      RootFS: { Type: 'layers', Layers: [] },
      Metadata: { LastTagTime: '' },
    };
  }

  async tagImage(source: string, target: string): Promise<void> {
    this.record('tagImage', source, target);
    refuseBuiltin(source, 'tagged');
    const img = this.image(source);
    this.imageList.push({ ...img, name: target });
  }

  /** What imageHistory returns for an image id (default: one entry, the image). */
  readonly histories = new Map<string, ImageHistoryEntry[]>();

  /** The options of the last build (the CLI's flag tests read them). */
  lastBuild?: BuildOptions;
  async build(opts: BuildOptions): Promise<BuildResult> {
    this.record('build', opts.contextDir);
    this.lastBuild = opts;
    opts.onEvent?.({ kind: 'step', n: 1, name: '[1/1] FROM scratch' });
    opts.onEvent?.({ kind: 'done', n: 1, ms: 0 });
    return { id: `sha256:${'b'.repeat(64)}`, manifestDigest: `sha256:${'c'.repeat(64)}`, tags: opts.tags ?? [], ran: 0, cached: 0 };
  }
  /** A new image (its name, or untagged) with the engine's checks of the name and the changes. */
  async commit(ref: string, opts: CommitOptions = {}): Promise<CommitResult> {
    this.record('commit', ref, opts);
    const c = this.find(ref);
    const tags = opts.reference ? [opts.reference] : [];
    checkTags(tags);
    applyChanges({}, opts.changes ?? []);
    if (c.image === HOST_IMAGE) throw new InvalidArgument(`container ${c.name} runs the built-in host image, which has no layers to commit on`);
    const id = `sha256:${(++this.seq).toString(16).padStart(64, 'c')}`;
    const info: ImageInfo = { name: opts.reference ?? id.slice(7, 19), id, created: opts.created ?? '2024-01-01T00:00:00Z', size: 1, kind: 'oci', layers: 2 };
    this.imageList.push(info);
    return { id, info, readLive: false };
  }

  async imageHistory(ref: string): Promise<ImageHistoryEntry[]> {
    this.record('imageHistory', ref);
    const img = this.image(ref);
    return this.histories.get(img.id) ?? [{ id: img.id, created: img.created, createdBy: '', size: img.size, comment: '', emptyLayer: false }];
  }

  async saveImages(refs: string[], out: string | Writable): Promise<void> {
    this.record('saveImages', refs, typeof out === 'string' ? out : 'stream');
    for (const r of refs) {
      refuseBuiltin(r, 'saved');
      this.image(r);
    }
  }

  async loadImages(input: string | Readable): Promise<string[]> {
    this.record('loadImages', typeof input === 'string' ? input : 'stream');
    return [];
  }

  async pruneImages(opts?: { all?: boolean }): Promise<{ deleted: string[]; reclaimed: number }> {
    this.record('pruneImages', opts);
    return { deleted: [], reclaimed: 0 };
  }

  async createNetwork(opts: CreateNetworkOptions): Promise<NetworkInfo> {
    this.record('createNetwork', opts);
    return this.nets.info(this.nets.create(opts), (id) => this.nameOf(id));
  }
  async networks(): Promise<NetworkInfo[]> {
    return [...this.nets.records.values()].sort((a, b) => a.name.localeCompare(b.name)).map((n) => this.nets.info(n, (id) => this.nameOf(id)));
  }
  async inspectNetwork(ref: string): Promise<NetworkInfo> {
    const n = this.nets.find(ref);
    if (!n) throw new NotFound(`network ${ref} not found`);
    return this.nets.info(n, (id) => this.nameOf(id));
  }
  async removeNetwork(ref: string): Promise<void> {
    this.record('removeNetwork', ref);
    this.nets.remove(ref, (id) => this.nameOf(id));
  }
  async pruneNetworks(): Promise<string[]> {
    const out: string[] = [];
    for (const n of [...this.nets.records.values()]) {
      if (n.name === 'bridge' || (this.nets.leases.get(n.name)?.size ?? 0) > 0) continue;
      this.nets.remove(n.name, (id) => this.nameOf(id));
      out.push(n.name);
    }
    return out;
  }
  async connectNetwork(network: string, container: string, opts: { ip?: string; aliases?: string[] } = {}): Promise<void> {
    this.record('connectNetwork', network, container, opts);
    this.nets.connect(network, this.find(container), opts);
  }
  async disconnectNetwork(network: string, container: string): Promise<void> {
    this.record('disconnectNetwork', network, container);
    this.nets.disconnect(network, this.find(container));
  }
  private nameOf(id: string): string {
    return this.containers.find((c) => c.id === id)?.name ?? id.slice(0, 12);
  }

  async createVolume(opts: CreateVolumeOptions = {}): Promise<VolumeInfo> {
    this.record('createVolume', opts);
    return this.vols.create(opts);
  }
  async volumes(opts: VolumeFilter = {}): Promise<VolumeInfo[]> {
    this.record('volumes', opts);
    return this.vols.list(opts);
  }
  async inspectVolume(name: string): Promise<VolumeInfo> {
    this.record('inspectVolume', name);
    return this.vols.inspect(name);
  }
  async removeVolume(name: string, opts: { force?: boolean } = {}): Promise<void> {
    this.record('removeVolume', name, opts);
    this.vols.remove(name, !!opts.force);
  }
  async pruneVolumes(opts: { all?: boolean } = {}): Promise<{ deleted: string[]; reclaimed: number }> {
    this.record('pruneVolumes', opts);
    return this.vols.prune(!!opts.all);
  }

  async gc(): Promise<string[]> {
    this.record('gc');
    return this.gcResult;
  }

  /** What events() returns (the CLI's events tests set it). */
  eventLog: EngineEvent[] = [];
  async events(opts: { since?: number; until?: number; from?: number } = {}): Promise<{ events: EngineEvent[]; offset: number }> {
    this.record('events', opts);
    const all = this.eventLog.slice(opts.from ?? 0).filter((e) => (opts.since === undefined || e.timeNano / 1e6 >= opts.since) && (opts.until === undefined || e.timeNano / 1e6 <= opts.until));
    return { events: all, offset: this.eventLog.length };
  }
  async applyRestartPolicy(ref: string): Promise<boolean> {
    this.record('applyRestartPolicy', ref);
    return false;
  }

  async pruneBuildCache(): Promise<{ records: number; reclaimed: number }> {
    this.record('pruneBuildCache');
    return { records: 0, reclaimed: 0 };
  }

  async pull(ref: string, opts: RegistryOptions = {}): Promise<PullResult> {
    this.record('pull', ref, { insecure: opts.insecure });
    refuseBuiltin(ref, 'pulled');
    if (this.pullHook) await this.pullHook(ref, opts);
    opts.signal?.throwIfAborted();
    for (const e of this.transferEvents) opts.onProgress?.(e);
    const colon = ref.lastIndexOf(':');
    const tagged = colon > ref.lastIndexOf('/');
    const repository = tagged ? ref.slice(0, colon) : ref;
    const tag = tagged ? ref.slice(colon + 1) : 'latest';
    const name = `${repository}:${tag}`;
    const image: ImageInfo = { name, repository, tag, id: `sha256:${'cd'.repeat(32)}`, created: '2024-01-01T00:00:00Z', size: 1, sharedSize: 0, layers: 1, kind: 'oci' };
    this.imageList = [...this.imageList.filter((i) => i.name !== name), image];
    return { image, reference: fullReference(name), digest: `sha256:${'ef'.repeat(32)}`, downloaded: 1, updated: true };
  }

  async push(ref: string, opts: RegistryOptions = {}): Promise<PushResult> {
    this.record('push', ref, { insecure: opts.insecure });
    refuseBuiltin(ref, 'pushed');
    for (const e of this.transferEvents) opts.onProgress?.(e);
    return { reference: ref, digest: `sha256:${'ef'.repeat(32)}`, size: 527, uploaded: 10 };
  }

  async login(registry: string, creds: { username: string; password: string }, opts?: { insecure?: boolean }): Promise<void> {
    this.record('login', registry, creds.username, opts);
    this.logins.set(registry, creds);
  }

  async logout(registry: string): Promise<boolean> {
    this.record('logout', registry);
    return this.logins.delete(registry);
  }

  /** Other engines' containers the test puts here (`engine` set): listForeign returns copies. */
  foreign: ContainerInfo[] = [];
  async listForeign(): Promise<ContainerInfo[]> {
    return this.foreign.map((c) => ({ ...c }));
  }
  /** As the engine's: the other engine's own command, its root as `/run/ENGINE`. */
  async foreignCommand(id: string, verb: ForeignVerb): Promise<{ argv: string[] } | { refused: string }> {
    const c = this.foreign.find((x) => x.id === id);
    if (!c) throw new NotFound(`No such container of another engine: ${id}`);
    return foreignCommand({ id, engine: c.engine as ForeignContainer['engine'], source: `/run/${c.engine}/${id}`, ...(c.engineNamespace ? { namespace: c.engineNamespace } : {}) }, verb);
  }
  async actOnForeign(id: string, verb: ForeignVerb): Promise<void> {
    this.record('actOnForeign', id, verb);
    const cmd = await this.foreignCommand(id, verb);
    if ('refused' in cmd) throw new Conflict(cmd.refused);
  }

  // healthcheck run: the engine's checks; the probe is the container's `health` as set by the test.
  async healthcheckRun(ref: string): Promise<HealthState> {
    this.record('healthcheckRun', ref);
    const c = this.loaded(ref);
    if (!c.healthcheck) throw new Conflict(`container ${c.id} has no defined healthcheck`);
    if (c.status !== 'running') throw new Conflict(`container ${c.id} is not running`);
    return c.health ?? { Status: 'starting', FailingStreak: 0, Log: [] };
  }

  // pause, rename, update, prune, info, df: the engine's checks and messages (container/pause.ts, rename.ts, update.ts).
  async pause(ref: string): Promise<ContainerInfo> {
    this.record('pause', ref);
    const c = this.loaded(ref);
    if (c.status !== 'running') throw new Conflict(`Container ${c.id} is not running`);
    if (c.paused) throw new Conflict(`Container ${c.id} is already paused`);
    c.paused = true;
    return { ...c };
  }
  async unpause(ref: string): Promise<ContainerInfo> {
    this.record('unpause', ref);
    const c = this.loaded(ref);
    if (c.status !== 'running' || !c.paused) throw new Conflict(`Container ${c.id} is not paused`);
    delete c.paused;
    return { ...c };
  }
  async rename(ref: string, newName: string): Promise<ContainerInfo> {
    this.record('rename', ref, newName);
    const c = this.loaded(ref);
    checkNewName(newName);
    const name = newName.replace(/^\//, '');
    if (c.name === name) throw new InvalidArgument('Renaming a container with the same name as its current name');
    const owner = this.containers.find((o) => o.name === name);
    if (owner)
      throw new Conflict(`Conflict. The container name "/${name}" is already in use by container "${owner.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    c.name = name;
    return { ...c };
  }
  async update(ref: string, opts: UpdateOptions): Promise<ContainerInfo> {
    this.record('update', ref, opts);
    const c = this.loaded(ref);
    c.spec = updatedSpec(c.spec, opts);
    return { ...c };
  }
  async pruneContainers(): Promise<{ deleted: string[]; reclaimed: number }> {
    this.record('pruneContainers');
    const gone = this.containers.filter((c) => c.status !== 'running');
    for (const c of gone) this.forget(c);
    return { deleted: gone.map((c) => c.id), reclaimed: 0 };
  }
  /** What info() answers besides the container and image counts. */
  infoBase: Omit<SystemInfo, 'Containers' | 'ContainersRunning' | 'ContainersPaused' | 'ContainersStopped' | 'Images'> = {
    Driver: 'overlay', CgroupDriver: 'cgroupfs', CgroupVersion: '2', KernelVersion: '6.1.0', OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', OSType: 'linux',
    Architecture: 'x86_64', NCPU: 4, MemTotal: 8 * 2 ** 30, Name: 'host', ServerVersion: '0.1.0', DockerRootDir: '/var/lib/hutch',
    SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'],
    Cgroups: { Layout: 'v2', Parent: 'hutch', Hierarchies: [{ Controllers: ['unified'], MountPoint: '/sys/fs/cgroup' }] },
  };
  async info(): Promise<SystemInfo> {
    this.record('info');
    const running = this.containers.filter((c) => c.status === 'running');
    const paused = running.filter((c) => c.paused).length;
    return { ...this.infoBase, Containers: this.containers.length, ContainersRunning: running.length - paused, ContainersPaused: paused, ContainersStopped: this.containers.length - running.length, Images: this.imageList.length };
  }
  /** Sizes diskUsage() reports: container id → bytes of its layer; the build cache's entries. */
  containerSizes = new Map<string, number>();
  buildCache: DiskUsage['buildCache'] = [];
  async diskUsage(): Promise<DiskUsage> {
    this.record('diskUsage');
    const users = (id: string) => this.containers.filter((c) => c.imageId === id).length;
    return {
      images: this.imageList.filter((i) => i.kind !== 'builtin').map((i) => ({ ...i, containers: users(i.id) })),
      containers: this.containers.map((c) => ({ ...c, sizeRw: this.containerSizes.get(c.id) ?? 0 })),
      volumes: this.vols.list().map((v) => ({ name: v.name, links: v.containers.length, size: 0 })),
      buildCache: this.buildCache,
    };
  }
  /** ps -ef's columns from `procs` (any other options: the same table). */
  async topPs(ref: string, psArgs: string[] = []): Promise<TopTable> {
    this.record('topPs', ref, psArgs);
    const c = this.loaded(ref);
    if (c.status !== 'running') throw new Conflict(`Container ${c.id} is not running`);
    const time = (s: number) => [s / 3600, (s / 60) % 60, s % 60].map((n) => String(Math.trunc(n)).padStart(2, '0')).join(':');
    const rows = this.procs.map((p) => ['root', String(p.pid), String(p.ppid), '0', '00:00', '?', time(p.cpuSeconds), p.cmd]);
    return { titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], processes: rows };
  }
}

/** NAME:TAG as the registry code spells it in full: docker.io and library/ when not given. */
function fullReference(name: string): string {
  const first = name.split('/')[0];
  if (name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return name;
  return `docker.io/${name.includes('/') ? '' : 'library/'}${name}`;
}
