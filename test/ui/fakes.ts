// Fakes for the dashboard tests: an in-memory engine that records calls and can
// be told to fail, and a stats source the test drives by hand.
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
  WaitResult,
} from '../../src/engine/types.js';
import type { ContainerSample, History, HostInfo, HostSample, SampleListener, StatsSource } from '../../src/engine/stats/types.js';

export class UiFakeEngine implements EngineApi {
  containers: ContainerInfo[] = [];
  imageList: ImageInfo[] = [{ name: 'host', id: 'sha256:' + 'ab'.repeat(32), created: '2024-01-01T00:00:00Z', size: 0, kind: 'builtin' }];
  logLines = new Map<string, LogLine[]>();
  calls: { method: string; args: unknown[] }[] = [];
  /** method → error to throw once. */
  failures = new Map<string, Error>();
  /** Followed log streams stay open until aborted. */
  private seq = 0;

  private record(method: string, args: unknown[]): void {
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

  add(p: Partial<ContainerInfo> & { name: string }): ContainerInfo {
    this.seq++;
    const c: ContainerInfo = {
      id: (this.seq.toString(16).padStart(2, '0') + 'c0ffee').repeat(8).slice(0, 64),
      image: 'host',
      command: ['sleep', 'infinity'],
      created: '2024-01-01T00:00:00Z',
      startedAt: '2024-01-01T00:00:00Z',
      finishedAt: '',
      status: 'running',
      pid: 1000 + this.seq,
      monitorPid: 2000 + this.seq,
      exitCode: null,
      oomKilled: false,
      spec: { image: p.image ?? 'host' },
      bundle: `/nonexistent/${p.name}`,
      logPath: `/nonexistent/${p.name}/container.log`,
      cgroupPaths: {},
      ...p,
    };
    this.containers.push(c);
    return c;
  }

  find(idOrName: string): ContainerInfo {
    const c = this.containers.find((x) => x.name === idOrName || x.id.startsWith(idOrName));
    if (!c) throw new Error(`No such container: ${idOrName}`);
    return c;
  }

  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    this.record('create', [spec]);
    const name = spec.name ?? `c${this.seq + 1}`;
    if (this.containers.some((c) => c.name === name)) throw new Error(`the container name "${name}" is already in use`);
    return this.add({ name, image: spec.image, command: spec.cmd ?? ['sh'], spec, status: 'created', startedAt: '' });
  }

  async start(id: string, opts?: StartOptions): Promise<ContainerInfo> {
    this.record('start', [id, opts]);
    const c = this.find(id);
    c.status = 'running';
    return c;
  }

  async stop(id: string, timeoutSec?: number): Promise<ContainerInfo> {
    this.record('stop', [id, timeoutSec]);
    const c = this.find(id);
    if (c.status !== 'running') throw new Error(`container ${c.name} is not running`);
    c.status = 'exited';
    c.exitCode = 143;
    c.finishedAt = new Date().toISOString();
    return c;
  }

  async restart(id: string, timeoutSec?: number): Promise<ContainerInfo> {
    this.record('restart', [id, timeoutSec]);
    const c = this.find(id);
    c.status = 'running';
    return c;
  }

  async kill(id: string, signal?: string | number): Promise<void> {
    this.record('kill', [id, signal]);
    const c = this.find(id);
    if (c.status !== 'running') throw new Error(`container ${c.name} is not running`);
    c.status = 'exited';
    c.exitCode = 137;
  }

  async remove(id: string, opts?: { force?: boolean }): Promise<void> {
    this.record('remove', [id, opts]);
    const c = this.find(id);
    this.containers.splice(this.containers.indexOf(c), 1);
  }

  async list(opts?: { all?: boolean }): Promise<ContainerInfo[]> {
    this.record('list', [opts]);
    return this.containers.filter((c) => opts?.all || c.status === 'running').map((c) => ({ ...c }));
  }

  async inspect(id: string): Promise<ContainerInfo> {
    return this.find(id);
  }

  async wait(id: string): Promise<WaitResult> {
    this.record('wait', [id]);
    return { exitCode: this.find(id).exitCode ?? 0, oomKilled: false };
  }

  async *logs(id: string, opts?: { follow?: boolean; tail?: number; signal?: AbortSignal }): AsyncIterable<LogLine> {
    this.record('logs', [id, opts]);
    const c = this.find(id);
    yield* this.logLines.get(c.id) ?? [];
    if (opts?.follow && opts.signal && !opts.signal.aborted) {
      await new Promise<void>((resolve) => opts.signal!.addEventListener('abort', () => resolve(), { once: true }));
    }
  }

  /** What top() answers for any container. */
  procs: ProcessInfo[] = [];
  runtime: RuntimeConfig = { hostname: 'box', mounts: [{ destination: '/usr', readonly: true }] };

  async top(id: string): Promise<ProcessInfo[]> {
    this.record('top', [id]);
    return this.procs;
  }

  async runtimeConfig(id: string): Promise<RuntimeConfig> {
    this.record('runtimeConfig', [id]);
    return this.runtime;
  }

  async exec(id: string, argv: string[], opts?: ExecOptions): Promise<number> {
    this.record('exec', [id, argv, opts]);
    const c = this.find(id);
    if (c.status !== 'running') throw new Error(`container ${c.name} is not running`);
    return 0;
  }

  async images(): Promise<ImageInfo[]> {
    this.record('images', []);
    return this.imageList;
  }

  async importImage(): Promise<ImageInfo> {
    throw new Error('not in the fake');
  }

  async removeImage(name: string, opts?: { force?: boolean }): Promise<string[]> {
    this.record('removeImage', [name, opts]);
    const img = this.imageList.find((i) => i.name === name);
    if (!img) throw new Error(`No such image: ${name}`);
    // As the engine: an image a container uses goes only when forced.
    const user = this.containers.find((c) => (c.imageId ? c.imageId === img.id : c.image === name));
    if (user && !opts?.force) {
      throw new Error(`conflict: unable to remove repository reference "${name}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${img.id.slice(7, 19)}`);
    }
    this.imageList = this.imageList.filter((i) => i.name !== name);
    return [`Untagged: ${name}`, `Deleted: ${img.id}`];
  }

  async inspectImage(): Promise<ImageDetail> {
    throw new Error('not in the fake');
  }

  async tagImage(): Promise<void> {
    throw new Error('not in the fake');
  }

  async saveImages(): Promise<void> {
    throw new Error('not in the fake');
  }

  async loadImages(): Promise<string[]> {
    throw new Error('not in the fake');
  }

  async pruneImages(): Promise<{ deleted: string[]; reclaimed: number }> {
    return { deleted: [], reclaimed: 0 };
  }

  async gc(): Promise<string[]> {
    return [];
  }

  /** Runs inside pull() before the image appears: tests send progress and hold the pull here. */
  pullHook?: (ref: string, opts: RegistryOptions) => Promise<void>;

  async pull(ref: string, opts: RegistryOptions = {}): Promise<PullResult> {
    this.record('pull', [ref, { insecure: opts.insecure }]);
    if (this.pullHook) await this.pullHook(ref, opts);
    opts.signal?.throwIfAborted();
    const digest = `sha256:${'cd'.repeat(32)}`;
    opts.onProgress?.({ id: digest.slice(7, 19), digest, phase: 'done', current: 1, total: 1 });
    const colon = ref.lastIndexOf(':');
    const tagged = colon > ref.lastIndexOf('/');
    const repository = tagged ? ref.slice(0, colon) : ref;
    const tag = tagged ? ref.slice(colon + 1) : 'latest';
    const image: ImageInfo = { name: `${repository}:${tag}`, repository, tag, id: digest, created: '2024-01-01T00:00:00Z', size: 1, sharedSize: 0, layers: 1, kind: 'oci' };
    this.imageList.push(image);
    return { image, reference: ref, digest, downloaded: 1 };
  }

  async push(): Promise<PushResult> {
    throw new Error('not in the fake');
  }

  async login(): Promise<void> {
    throw new Error('not in the fake');
  }

  async logout(): Promise<boolean> {
    return false;
  }
}

export function sample(id: string, p: Partial<ContainerSample> = {}): ContainerSample {
  return {
    id,
    time: Date.now(),
    cpuPercent: 0,
    cpuLimitPercent: null,
    memUsage: 0,
    memLimit: null,
    pids: 1,
    pidsLimit: null,
    blkRead: 0,
    blkWrite: 0,
    netRx: 0,
    netTx: 0,
    ...p,
  };
}

export class FakeStats implements StatsSource {
  private listeners = new Set<SampleListener>();
  histories = new Map<string, { cpu: number[]; mem: number[] }>();
  started?: number;
  stopped = false;
  host: HostSample = { time: Date.now(), cpuPercent: 12.5, memUsed: 2 * 1024 ** 3, memTotal: 8 * 1024 ** 3, load: [0.5, 0.25, 0.1] };

  /** The engine whose container list each sweep carries, as the real sampler's does. */
  constructor(private readonly engine: UiFakeEngine) {}

  onSample(cb: SampleListener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Sends one sweep; each sample is also appended to the history. */
  emit(samples: ContainerSample[]): void {
    for (const s of samples) {
      const h = this.histories.get(s.id) ?? { cpu: [], mem: [] };
      h.cpu.push(s.cpuPercent);
      h.mem.push(s.memUsage);
      this.histories.set(s.id, h);
    }
    const m = new Map(samples.map((s) => [s.id, s]));
    for (const l of this.listeners) l(m, this.host, [...this.engine.containers]);
  }

  history(id: string): History {
    return this.histories.get(id) ?? { cpu: [], mem: [] };
  }

  async hostInfo(): Promise<HostInfo> {
    return { hostname: 'testhost', os: 'Linux', cpuModel: 'Test CPU', cores: 4, memTotal: 8 * 1024 ** 3 };
  }

  start(intervalMs: number): void {
    this.started = intervalMs;
  }

  stop(): void {
    this.stopped = true;
  }
}
