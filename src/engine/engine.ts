// The engine facade: a library, no daemon. Opening it resolves the state root and
// reconciles what is on disk with what is alive; every verb is a function in
// container/ working under the container's lock.
import type { BuildOptions, BuildResult } from './build/executor/events.js';
import { containerEvent, imageEvent, networkEvent, volumeEvent } from './events/emit.js';
import { readEvents, type EngineEvent } from './events/log.js';
import fs from 'node:fs';
import { sealedMonitorPath } from './native/sealed-monitor.js';
import path from 'node:path';
import type { ForeignVerb } from './foreign/actions.js';
import type { Readable, Writable } from 'node:stream';
import type { ContainerInfo, ContainerSpec, EngineApi, ExecOptions, ImageDetail, ImageInfo, LogLine, ProcessInfo, RuntimeConfig, StartOptions, WaitResult } from './types.js';
import type { HealthState, PullResult, PushResult, RegistryOptions } from './types.js';
import type { CopyOptions, FileChange } from './types.js';
import type { CommitOptions, CommitResult, ImageHistoryEntry } from './types.js';
import type { BuildInfo } from './types.js';
import type { AttachOptions, AttachResult } from './types.js';
import type { DiskUsage, SystemInfo, TopTable, UpdateOptions, WaitCondition } from './types.js';
import type { ShellConnection, ShellInfo, ShellOptions } from './types.js';
import { pauseContainer, unpauseContainer } from './container/pause.js';
import { renameContainer } from './container/rename.js';
import { updateContainer } from './container/update.js';
import { waitForCondition } from './container/wait-condition.js';
import { listBuilds } from './build/status.js';
import { resolvePaths } from './paths.js';
import { loadNative } from './native/real.js';
import type { Native } from './native/native.js';
import { detectCgroups, type CgroupManager } from './cgroups/index.js';
import { LocalImageStore } from './images/local.js';
import type { ImageStore } from './images/store.js';
import { listIds, mustLoad, resolveId, type Ctx } from './container/context.js';
import { createContainer } from './container/create.js';
import { startContainer } from './container/start.js';
import { killContainer, stopContainer } from './container/stop.js';
import { removeContainer, removeIfDone } from './container/remove.js';
import { waitContainer } from './container/wait.js';
import { execInContainer } from './container/exec.js';
import { readLogs } from './container/logs.js';
import { listProcesses, runtimeConfig } from './container/top.js';
import { reconcile } from './container/reconcile.js';
import { signalProcess } from './container/signal-process.js';
import { saveLogs } from './container/save-logs.js';
import { gc } from './container/gc.js';
import { toInfo } from './container/record.js';
import { bundleSources, dockerContainer, type ContainerDetail } from './container/inspect-docker.js';
import { brokenInfo } from './container/broken.js';
import { BrokenRecord, Conflict, NotFound } from './errors.js';
import { checkCreateOptions, createNetwork, inspectNetwork, listNetworkInfos, pruneNetworks, removeNetwork, type NetworkInfo } from './network/verbs.js';
import type { CreateNetworkOptions } from './network/store.js';
import { connectNetwork, disconnectNetwork } from './network/connect.js';
import { createVolume, inspectVolume, listVolumes, pruneVolumes, removeVolume, type VolumeFilter, type VolumeInfo } from './volumes/verbs.js';
import type { CreateVolumeOptions } from './volumes/store.js';

export interface EngineOptions {
  /** State root; default $HUTCH_ROOT or /var/lib/hutch. */
  root?: string;
  native?: Native;
  cgroups?: CgroupManager;
  images?: ImageStore;
}

// Every Promise-returning verb is async, so a bad reference rejects rather than
// throwing before the caller holds a promise.
export class Engine implements EngineApi {
  constructor(private readonly ctx: Ctx) {}

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    return this.ev('create', toInfo(await createContainer(this.ctx, spec)));
  }
  async start(ref: string, opts?: StartOptions): Promise<ContainerInfo> {
    const id = resolveId(this.ctx, ref);
    // docker's `detach` event when the detach keys leave an attached run -it.
    const onDetach = opts?.onDetach;
    const o = onDetach
      ? {
          ...opts,
          onDetach: () => {
            this.ev('detach', toInfo(mustLoad(this.ctx, id)));
            onDetach();
          },
        }
      : opts;
    return this.ev('start', toInfo(await startContainer(this.ctx, id, o)));
  }
  async stop(ref: string, timeoutSec?: number): Promise<ContainerInfo> {
    return this.ev('stop', toInfo(await stopContainer(this.ctx, resolveId(this.ctx, ref), timeoutSec)));
  }
  async restart(ref: string, timeoutSec?: number): Promise<ContainerInfo> {
    const id = resolveId(this.ctx, ref);
    const rec = await reconcile(this.ctx, mustLoad(this.ctx, id));
    if (rec.status === 'running') await stopContainer(this.ctx, id, timeoutSec);
    return this.ev('restart', toInfo(await startContainer(this.ctx, id)));
  }
  async kill(ref: string, signal?: string | number): Promise<void> {
    const id = resolveId(this.ctx, ref);
    await killContainer(this.ctx, id, signal);
    this.ev('kill', toInfo(mustLoad(this.ctx, id)), { signal: String(signal ?? 'SIGKILL').replace(/^SIG/, '') });
  }
  async remove(ref: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const id = resolveId(this.ctx, ref);
    // A record that cannot be read is removed too (removeBroken): its event has the id alone.
    let before: ContainerInfo | null = null;
    try {
      before = toInfo(mustLoad(this.ctx, id));
    } catch {
      /* broken */
    }
    await removeContainer(this.ctx, id, !!opts.force, !!opts.volumes);
    this.ev('destroy', before ?? ({ id, name: '', image: '' } as ContainerInfo));
  }
  /** A container event in the root's log (events/log.ts); returns the container. */
  private ev<T extends ContainerInfo>(action: string, c: T, extra?: Record<string, string>): T {
    containerEvent(this.ctx.paths.root, action, c, extra);
    return c;
  }
  private foreign?: import('./foreign/scan.js').ForeignScanner;
  async listForeign(): Promise<ContainerInfo[]> {
    if (!this.foreign) {
      const { ForeignScanner, scanOptionsFromEnv } = await import('./foreign/scan.js');
      this.foreign = new ForeignScanner(scanOptionsFromEnv(process.env));
    }
    return this.foreign.scan();
  }
  async foreignCommand(id: string, verb: ForeignVerb): Promise<{ argv: string[] } | { refused: string }> {
    if (!this.foreign) await this.listForeign();
    const c = this.foreign!.found(id);
    if (!c) throw new NotFound(`No such container of another engine: ${id}`);
    const { foreignCommand } = await import('./foreign/actions.js');
    // hutch-runc is the package's own (bin/ beside bin/hutch.cjs), else whatever PATH has.
    const { cliEntry } = await import('./container/exit-command.js');
    let own = '';
    try {
      own = path.join(path.dirname(cliEntry()), 'hutch-runc');
    } catch {
      /* not run from the package */
    }
    return foreignCommand(c, verb, own && fs.existsSync(own) ? own : 'hutch-runc');
  }
  async actOnForeign(id: string, verb: ForeignVerb): Promise<void> {
    const cmd = await this.foreignCommand(id, verb);
    if ('refused' in cmd) throw new Conflict(cmd.refused);
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(cmd.argv[0], cmd.argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    if (r.error) throw new Error(`${cmd.argv[0]}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH' : r.error.message}`);
    if (r.status !== 0) throw new Error(`${cmd.argv.join(' ')}: ${r.stderr.trim().split('\n').pop() || `exit status ${r.status}`}`);
  }
  async list(opts: { all?: boolean } = {}): Promise<ContainerInfo[]> {
    const out: ContainerInfo[] = [];
    for (const id of listIds(this.ctx)) {
      let rec;
      try {
        rec = await reconcile(this.ctx, mustLoad(this.ctx, id));
      } catch (e) {
        // A record that cannot be read is listed, not hidden (status 'unknown').
        if (e instanceof BrokenRecord) {
          const info = brokenInfo(this.ctx, id, e);
          if (opts.all || info.monitorPid) out.push(info);
        }
        continue; // else removed while we listed
      }
      if (await removeIfDone(this.ctx, rec)) continue;
      if (opts.all || rec.status === 'running') out.push(toInfo(rec));
    }
    return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }
  async inspect(ref: string): Promise<ContainerInfo> {
    return toInfo(await reconcile(this.ctx, mustLoad(this.ctx, resolveId(this.ctx, ref))));
  }
  async inspectContainer(ref: string): Promise<ContainerDetail> {
    const info = await this.inspect(ref);
    // The image as it is now (its config is the one the container was made from: ids are digests).
    const image = await this.inspectImage(info.imageId ?? info.image).catch(() => null);
    return dockerContainer(info, { ...bundleSources(info), image });
  }
  async wait(ref: string, opts: { condition?: WaitCondition } = {}): Promise<WaitResult> {
    if (opts.condition && opts.condition !== 'not-running') return waitForCondition(this.ctx, resolveId(this.ctx, ref), opts.condition);
    return waitContainer(this.ctx, resolveId(this.ctx, ref));
  }
  logs(ref: string, opts: { follow?: boolean; tail?: number; signal?: AbortSignal; since?: number; until?: number } = {}): AsyncIterable<LogLine> {
    return readLogs(this.ctx, resolveId(this.ctx, ref), opts);
  }
  async top(ref: string): Promise<ProcessInfo[]> {
    return listProcesses(this.ctx, resolveId(this.ctx, ref));
  }
  async signalProcess(ref: string, pid: number, signal: string | number): Promise<void> {
    return signalProcess(this.ctx, resolveId(this.ctx, ref), pid, signal);
  }
  async saveLogs(refs: string[], path: string, opts: { timestamps?: boolean } = {}): Promise<number> {
    return saveLogs(this.ctx, refs.map((r) => resolveId(this.ctx, r)), path, opts);
  }
  async runtimeConfig(ref: string): Promise<RuntimeConfig> {
    return runtimeConfig(this.ctx, resolveId(this.ctx, ref));
  }
  async attach(ref: string, opts: AttachOptions): Promise<AttachResult> {
    const id = resolveId(this.ctx, ref);
    const event = (action: string) => this.ev(action, toInfo(mustLoad(this.ctx, id)));
    const r = await (await import('./container/attach.js')).attachContainer(this.ctx, id, opts, () => event('attach'));
    if (r.detached) event('detach');
    return r;
  }
  async exec(ref: string, argv: string[], opts?: ExecOptions): Promise<number> {
    return execInContainer(this.ctx, resolveId(this.ctx, ref), argv, opts);
  }
  async openShell(ref: string, opts?: ShellOptions): Promise<ShellInfo> {
    return (await import('./container/shell.js')).openShell(this.ctx, resolveId(this.ctx, ref), opts);
  }
  async listShells(ref: string): Promise<ShellInfo[]> {
    return (await import('./container/shell.js')).listShells(this.ctx, resolveId(this.ctx, ref));
  }
  async connectShell(ref: string, shell: string): Promise<ShellConnection> {
    return (await import('./container/shell.js')).connectShell(this.ctx, resolveId(this.ctx, ref), shell);
  }
  async endShell(ref: string, shell: string): Promise<void> {
    return (await import('./container/shell.js')).endShell(this.ctx, resolveId(this.ctx, ref), shell);
  }
  async copyFrom(ref: string, srcPath: string, dst: string | Writable, opts?: CopyOptions): Promise<void> {
    return (await import('./fs/cp.js')).copyFromContainer(this.ctx, resolveId(this.ctx, ref), srcPath, dst, opts);
  }
  async copyTo(ref: string, dstPath: string, src: string | Readable, opts?: CopyOptions): Promise<void> {
    return (await import('./fs/cp.js')).copyToContainer(this.ctx, resolveId(this.ctx, ref), src, dstPath, opts);
  }
  async exportContainer(ref: string, out: string | Writable): Promise<void> {
    return (await import('./fs/cp.js')).exportContainer(this.ctx, resolveId(this.ctx, ref), out);
  }
  async diff(ref: string): Promise<FileChange[]> {
    return (await import('./fs/diff.js')).diffContainer(this.ctx, resolveId(this.ctx, ref));
  }
  images(): Promise<ImageInfo[]> {
    return this.ctx.images.list();
  }
  async builds(): Promise<BuildInfo[]> {
    return listBuilds(this.ctx.paths);
  }
  importImage(tarPath: string, name: string): Promise<ImageInfo> {
    return this.ctx.images.importTar(tarPath, name);
  }
  async removeImage(name: string, opts: { force?: boolean } = {}): Promise<string[]> {
    const lines = await this.ctx.images.remove(name, { force: opts.force, usedBy: await this.imageUsers() });
    for (const l of lines) {
      const m = /^(Untagged|Deleted): (.*)$/.exec(l);
      if (m) imageEvent(this.ctx.paths.root, m[1] === 'Untagged' ? 'untag' : 'delete', m[2], m[1] === 'Untagged' ? m[2] : undefined);
    }
    return lines;
  }
  inspectImage(ref: string): Promise<ImageDetail> {
    return this.ctx.images.inspectDetail(ref);
  }
  async tagImage(source: string, target: string): Promise<void> {
    await this.ctx.images.tag(source, target);
    imageEvent(this.ctx.paths.root, 'tag', (await this.ctx.images.inspect(target)).id, target);
  }
  async build(opts: BuildOptions): Promise<BuildResult> {
    const r = await (await import('./build/executor/index.js')).buildImage(this.ctx, opts);
    imageEvent(this.ctx.paths.root, 'build', r.id, r.tags[0]);
    return r;
  }
  async commit(ref: string, opts?: CommitOptions): Promise<CommitResult> {
    const id = resolveId(this.ctx, ref);
    const r = await (await import('./container/commit.js')).commitContainer(this.ctx, id, opts);
    this.ev('commit', toInfo(mustLoad(this.ctx, id)));
    return r;
  }
  async imageHistory(ref: string): Promise<ImageHistoryEntry[]> {
    return (await import('./images/history.js')).historyOf(this.ctx.images, this.ctx.paths.images, ref);
  }
  saveImages(refs: string[], out: string | Writable): Promise<void> {
    return this.ctx.images.save(refs, out);
  }
  loadImages(input: string | Readable, opts?: { onProgress?: (e: { layer: string; bytes: number; total: number }) => void }): Promise<string[]> {
    return this.ctx.images.load(input, opts);
  }
  async pruneImages(opts: { all?: boolean } = {}): Promise<{ deleted: string[]; reclaimed: number }> {
    return this.ctx.images.prune({ all: opts.all, usedBy: await this.imageUsers() });
  }
  /** Which container (short id) uses an image id, for rmi and prune. */
  private async imageUsers(): Promise<(imageId: string) => string | undefined> {
    const byImage = new Map<string, string>();
    for (const c of await this.list({ all: true })) if (c.imageId && !byImage.has(c.imageId)) byImage.set(c.imageId, c.id.slice(0, 12));
    return (id) => byImage.get(id);
  }
  async createNetwork(opts: CreateNetworkOptions): Promise<NetworkInfo> {
    checkCreateOptions(opts);
    const n = await createNetwork(this.ctx, opts);
    networkEvent(this.ctx.paths.root, 'create', n.id, n.name);
    return n;
  }
  async networks(): Promise<NetworkInfo[]> {
    return listNetworkInfos(this.ctx);
  }
  async inspectNetwork(ref: string): Promise<NetworkInfo> {
    return inspectNetwork(this.ctx, ref);
  }
  async removeNetwork(ref: string): Promise<void> {
    const n = await inspectNetwork(this.ctx, ref);
    await removeNetwork(this.ctx, ref);
    networkEvent(this.ctx.paths.root, 'destroy', n.id, n.name);
  }
  async pruneNetworks(): Promise<string[]> {
    return pruneNetworks(this.ctx);
  }
  async connectNetwork(network: string, container: string, opts?: { ip?: string; aliases?: string[] }): Promise<void> {
    await connectNetwork(this.ctx, network, container, opts);
    const n = await inspectNetwork(this.ctx, network);
    networkEvent(this.ctx.paths.root, 'connect', n.id, n.name, resolveId(this.ctx, container));
  }
  async disconnectNetwork(network: string, container: string): Promise<void> {
    await disconnectNetwork(this.ctx, network, container);
    const n = await inspectNetwork(this.ctx, network);
    networkEvent(this.ctx.paths.root, 'disconnect', n.id, n.name, resolveId(this.ctx, container));
  }
  async createVolume(opts: CreateVolumeOptions = {}): Promise<VolumeInfo> {
    const v = await createVolume(this.ctx, opts);
    volumeEvent(this.ctx.paths.root, 'create', v.name);
    return v;
  }
  async volumes(opts: VolumeFilter = {}): Promise<VolumeInfo[]> {
    return listVolumes(this.ctx, opts);
  }
  async inspectVolume(name: string): Promise<VolumeInfo> {
    return inspectVolume(this.ctx, name);
  }
  async removeVolume(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await removeVolume(this.ctx, name, !!opts.force);
    volumeEvent(this.ctx.paths.root, 'destroy', name);
  }
  async pruneVolumes(opts: { all?: boolean } = {}): Promise<{ deleted: string[]; reclaimed: number }> {
    return pruneVolumes(this.ctx, !!opts.all);
  }

  gc(): Promise<string[]> {
    return gc(this.ctx);
  }
  async events(opts: { since?: number; until?: number; from?: number } = {}): Promise<{ events: EngineEvent[]; offset: number }> {
    return readEvents(this.ctx.paths.root, opts);
  }
  async applyRestartPolicy(ref: string): Promise<boolean> {
    const id = resolveId(this.ctx, ref);
    const restarted = await (await import('./container/restart-policy.js')).applyRestartPolicy(this.ctx, id);
    if (restarted) this.ev('restart', toInfo(mustLoad(this.ctx, id)));
    return restarted;
  }
  async pruneBuildCache(): Promise<{ records: number; reclaimed: number }> {
    return (await import('./build/executor/prune.js')).pruneBuildCache(this.ctx);
  }
  async pause(ref: string): Promise<ContainerInfo> {
    return this.ev('pause', toInfo(await pauseContainer(this.ctx, resolveId(this.ctx, ref))));
  }
  async unpause(ref: string): Promise<ContainerInfo> {
    return this.ev('unpause', toInfo(await unpauseContainer(this.ctx, resolveId(this.ctx, ref))));
  }
  async healthcheckRun(ref: string): Promise<HealthState> {
    return (await import('./container/health.js')).runHealthcheck(this.ctx, resolveId(this.ctx, ref));
  }
  async rename(ref: string, newName: string): Promise<ContainerInfo> {
    const id = resolveId(this.ctx, ref);
    const old = mustLoad(this.ctx, id).name;
    return this.ev('rename', toInfo(await renameContainer(this.ctx, id, newName)), { oldName: `/${old}` });
  }
  async update(ref: string, opts: UpdateOptions): Promise<ContainerInfo> {
    return this.ev('update', toInfo(await updateContainer(this.ctx, resolveId(this.ctx, ref), opts)));
  }
  async pruneContainers(): Promise<{ deleted: string[]; reclaimed: number }> {
    return (await import('./container/prune.js')).pruneContainers(this.ctx);
  }
  async info(): Promise<SystemInfo> {
    const [containers, images] = await Promise.all([this.list({ all: true }), this.images()]);
    return (await import('./system/info.js')).systemInfo(this.ctx, containers, images.length);
  }
  async diskUsage(): Promise<DiskUsage> {
    const [containers, images, volumes] = await Promise.all([this.list({ all: true }), this.images(), this.volumes()]);
    return (await import('./system/df.js')).diskUsage(this.ctx, containers, images, volumes);
  }
  async topPs(ref: string, psArgs: string[] = []): Promise<TopTable> {
    return (await import('./container/top-ps.js')).topPs(this.ctx, resolveId(this.ctx, ref), psArgs);
  }
  // Registry work is loaded on first use: `run` never pays for it.
  async pull(ref: string, opts?: RegistryOptions): Promise<PullResult> {
    const r = await (await import('./registry/index.js')).pull(this.ctx, ref, opts);
    imageEvent(this.ctx.paths.root, 'pull', r.reference, r.reference);
    return r;
  }
  async push(ref: string, opts?: RegistryOptions): Promise<PushResult> {
    const r = await (await import('./registry/index.js')).push(this.ctx, ref, opts);
    imageEvent(this.ctx.paths.root, 'push', r.reference, r.reference);
    return r;
  }
  async login(registry: string, creds: { username: string; password: string }, opts?: { insecure?: boolean }): Promise<void> {
    return (await import('./registry/index.js')).login(this.ctx, registry, creds, opts);
  }
  async logout(registry: string): Promise<boolean> {
    return (await import('./registry/index.js')).logout(this.ctx, registry);
  }
}

function sealed(native: Native): Native {
  const monitorPath = sealedMonitorPath(native);
  return monitorPath === native.monitorPath ? native : { ...native, monitorPath };
}

/** Opens the state root, reconciles it with what is alive, and returns the engine. */
export async function openEngine(opts: EngineOptions = {}): Promise<Engine> {
  const paths = resolvePaths(opts.root);
  // The image store makes its own directory, owner-only (images/layout.ts).
  for (const d of [paths.root, paths.containers, paths.run]) fs.mkdirSync(d, { recursive: true, mode: 0o711 });
  // The real monitor runs from a read-only bind of its binary (native/sealed-monitor.ts).
  const native = opts.native ?? sealed(loadNative());
  const ctx: Ctx = {
    paths,
    native,
    cgroups: opts.cgroups ?? detectCgroups({ parent: paths.cgroupParent, deviceFilter: (dir, rules) => native.attachDeviceFilter(dir, rules) }),
    images: opts.images ?? new LocalImageStore(paths.images, native, paths.containers),
    exits: new Map(),
  };
  return new Engine(ctx);
}
