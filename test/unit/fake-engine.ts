// An in-memory EngineApi for CLI tests: records calls, keeps containers in a map.
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
import type { Readable, Writable } from 'node:stream';
import { Conflict, NotFound } from '../../src/engine/errors.js';

export interface Call {
  method: string;
  args: unknown[];
}

export class FakeEngine implements EngineApi {
  readonly containers: ContainerInfo[] = [];
  readonly calls: Call[] = [];
  imageList: ImageInfo[] = [];
  logLines: LogLine[] = [];
  waitResult: WaitResult = { exitCode: 0, oomKilled: false };
  execResult = 0;
  gcResult: string[] = [];
  /** Thrown by start() when set (e.g. a CommandError). */
  startError?: Error;
  private seq = 0;

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Adds a container directly (for ps/rm tests). */
  add(partial: Partial<ContainerInfo> & { name: string }): ContainerInfo {
    this.seq++;
    const c: ContainerInfo = {
      id: this.seq.toString(16).padStart(2, '0').repeat(32),
      image: 'host',
      command: ['sh'],
      created: '2024-01-01T00:00:00Z',
      startedAt: '',
      finishedAt: '',
      status: 'created',
      pid: 0,
      monitorPid: 0,
      exitCode: null,
      oomKilled: false,
      spec: { image: partial.image ?? 'host' },
      bundle: `/run/hutch/containers/${partial.name}`,
      logPath: `/var/lib/hutch/containers/${partial.name}/container.log`,
      cgroupPaths: {},
      ...partial,
    };
    this.containers.push(c);
    return c;
  }

  find(idOrName: string): ContainerInfo {
    const c = this.containers.find((x) => x.name === idOrName || x.id.startsWith(idOrName));
    if (!c) throw new NotFound(`No such container: ${idOrName}`);
    return c;
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    this.record('create', spec);
    const name = spec.name ?? `c${this.seq + 1}`;
    if (this.containers.some((c) => c.name === name)) {
      throw new Conflict(`the container name "${name}" is already in use`);
    }
    return this.add({ name, image: spec.image, command: spec.cmd ?? ['sh'], spec });
  }

  async start(idOrName: string, opts?: StartOptions): Promise<ContainerInfo> {
    this.record('start', idOrName, opts);
    const c = this.find(idOrName);
    if (this.startError) throw this.startError;
    c.status = 'running';
    return c;
  }

  async stop(idOrName: string, timeoutSec?: number): Promise<ContainerInfo> {
    this.record('stop', idOrName, timeoutSec);
    const c = this.find(idOrName);
    c.status = 'exited';
    c.exitCode = 143;
    return c;
  }

  async restart(idOrName: string, timeoutSec?: number): Promise<ContainerInfo> {
    this.record('restart', idOrName, timeoutSec);
    const c = this.find(idOrName);
    c.status = 'running';
    return c;
  }

  async kill(idOrName: string, signal?: string | number): Promise<void> {
    this.record('kill', idOrName, signal);
    const c = this.find(idOrName);
    if (c.status !== 'running') throw new Conflict(`container ${c.name} is not running`);
  }

  async remove(idOrName: string, opts?: { force?: boolean }): Promise<void> {
    this.record('remove', idOrName, opts);
    const c = this.find(idOrName);
    if (c.status === 'running' && !opts?.force) {
      throw new Conflict(
        `cannot remove container "${c.name}": container is running: stop the container before removing or force remove`,
      );
    }
    this.containers.splice(this.containers.indexOf(c), 1);
  }

  async list(opts?: { all?: boolean }): Promise<ContainerInfo[]> {
    this.record('list', opts);
    return this.containers.filter((c) => opts?.all || c.status === 'running');
  }

  async inspect(idOrName: string): Promise<ContainerInfo> {
    this.record('inspect', idOrName);
    return this.find(idOrName);
  }

  async wait(idOrName: string): Promise<WaitResult> {
    this.record('wait', idOrName);
    const c = this.find(idOrName);
    return c.status === 'exited' ? { exitCode: c.exitCode ?? 0, oomKilled: c.oomKilled } : this.waitResult;
  }

  async *logs(
    idOrName: string,
    opts?: { follow?: boolean; tail?: number; signal?: AbortSignal },
  ): AsyncIterable<LogLine> {
    this.record('logs', idOrName, opts);
    this.find(idOrName);
    const lines = opts?.tail === undefined ? this.logLines : this.logLines.slice(-opts.tail || this.logLines.length);
    yield* lines;
  }

  async top(idOrName: string): Promise<ProcessInfo[]> {
    this.record('top', idOrName);
    return [];
  }

  async runtimeConfig(idOrName: string): Promise<RuntimeConfig> {
    this.record('runtimeConfig', idOrName);
    return { mounts: [] };
  }

  async exec(idOrName: string, argv: string[], opts?: ExecOptions): Promise<number> {
    this.record('exec', idOrName, argv, opts);
    const c = this.find(idOrName);
    if (c.status !== 'running') throw new Conflict(`container ${c.name} is not running`);
    return this.execResult;
  }

  async images(): Promise<ImageInfo[]> {
    this.record('images');
    return this.imageList;
  }

  async importImage(tarPath: string, name: string): Promise<ImageInfo> {
    this.record('importImage', tarPath, name);
    const img: ImageInfo = { name, id: `sha256:${'ab'.repeat(32)}`, created: '2024-01-01T00:00:00Z', size: 1, kind: 'rootfs' };
    this.imageList.push(img);
    return img;
  }

  async removeImage(name: string, opts?: { force?: boolean }): Promise<string[]> {
    this.record('removeImage', name, opts);
    this.imageList = this.imageList.filter((i) => i.name !== name);
    return [`Untagged: ${name}`];
  }

  async inspectImage(ref: string): Promise<ImageDetail> {
    this.record('inspectImage', ref);
    throw new NotFound(`No such image: ${ref}`);
  }

  async tagImage(source: string, target: string): Promise<void> {
    this.record('tagImage', source, target);
  }

  async saveImages(refs: string[], out: string | Writable): Promise<void> {
    this.record('saveImages', refs, typeof out === 'string' ? out : 'stream');
  }

  async loadImages(input: string | Readable): Promise<string[]> {
    this.record('loadImages', typeof input === 'string' ? input : 'stream');
    return [];
  }

  async pruneImages(opts?: { all?: boolean }): Promise<{ deleted: string[]; reclaimed: number }> {
    this.record('pruneImages', opts);
    return { deleted: [], reclaimed: 0 };
  }

  async gc(): Promise<string[]> {
    this.record('gc');
    return this.gcResult;
  }

  /** Progress events pull and push report, in order, before they resolve. */
  transferEvents: TransferProgress[] = [];
  registryError?: Error;
  logins = new Map<string, { username: string; password: string }>();

  async pull(ref: string, opts: RegistryOptions = {}): Promise<PullResult> {
    this.record('pull', ref, { insecure: opts.insecure });
    for (const e of this.transferEvents) opts.onProgress?.(e);
    if (this.registryError) throw this.registryError;
    const image: ImageInfo = { name: ref, id: `sha256:${'cd'.repeat(32)}`, created: '2024-01-01T00:00:00Z', size: 1, kind: 'oci' };
    return { image, reference: `docker.io/library/${ref.includes(':') ? ref : `${ref}:latest`}`, digest: `sha256:${'ef'.repeat(32)}`, downloaded: 10 };
  }

  async push(ref: string, opts: RegistryOptions = {}): Promise<PushResult> {
    this.record('push', ref, { insecure: opts.insecure });
    for (const e of this.transferEvents) opts.onProgress?.(e);
    if (this.registryError) throw this.registryError;
    return { reference: ref, digest: `sha256:${'ef'.repeat(32)}`, size: 527, uploaded: 10 };
  }

  async login(registry: string, creds: { username: string; password: string }, opts?: { insecure?: boolean }): Promise<void> {
    this.record('login', registry, creds.username, opts);
    if (this.registryError) throw this.registryError;
    this.logins.set(registry, creds);
  }

  async logout(registry: string): Promise<boolean> {
    this.record('logout', registry);
    return this.logins.delete(registry);
  }
}
