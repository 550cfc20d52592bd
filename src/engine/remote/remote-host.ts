// One remote machine of the dashboard: `ssh HOST hutch stats --json` kept running,
// its stream decoded into the host's last figures. When the stream ends (ssh exits,
// the link dies, the remote hutch fails, speaks another stream version, or goes
// quiet), the host is marked down with the reason in one line, its last figures kept
// (the dashboard greys them), and ssh is started again after 1 s, 2 s, 4 s … 30 s at
// most; a connection that brings the stream's header resets the wait to 1 s.
// spawn and the clock are parameters: test/unit/remote-host.test.ts drives both.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { StatsStreamDecoder, type StreamContainer, type StreamHost } from '../stats/stream.js';
import { sshArgv, type SshConfig } from './ssh.js';

export type SpawnFn = (program: string, args: string[], opts: SpawnOptions) => ChildProcess;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
/** Stderr kept from ssh for the down message (its last line says why). */
const STDERR_KEEP = 4096;

export type HostState = 'connecting' | 'up' | 'down';

export interface RemoteHostOptions {
  ssh: SshConfig;
  intervalMs: number;
  spawn?: SpawnFn;
  clock?: Clock;
  /** After every change: a frame decoded, the host up or down (`error` says why). */
  onChange?: (host: RemoteHost) => void;
}

export class RemoteHost {
  state: HostState = 'connecting';
  /** Why it is down, one line naming the host; undefined while up. */
  error?: string;
  /** The last figures: kept while down. */
  containers: ReadonlyMap<string, StreamContainer> = new Map();
  hostFigures: StreamHost | null = null;
  /** The remote's clock of the last frame (ms since the epoch); 0 before any. */
  t = 0;
  /** Counts frames decoded: readers see whether anything changed since they last looked. */
  seq = 0;
  /** The current wait before the next attempt. */
  backoffMs = BACKOFF_FIRST_MS;
  /** Connections started so far (tests; the status line). */
  attempts = 0;
  private child?: ChildProcess;
  /** Why we ended a child ourselves (the link went quiet), for its close handler. */
  private readonly reasons = new WeakMap<ChildProcess, string>();
  private retryTimer?: unknown;
  private quietTimer?: unknown;
  private closed = false;
  private readonly spawn: SpawnFn;
  private readonly clock: Clock;
  /** No line for this long: the link is taken as dead (ssh's own keep-alive may take longer). */
  private readonly quietMs: number;

  constructor(
    readonly name: string,
    private readonly opts: RemoteHostOptions,
  ) {
    this.spawn = opts.spawn ?? nodeSpawn;
    this.clock = opts.clock ?? realClock;
    this.quietMs = Math.max(15_000, 5 * opts.intervalMs);
  }

  /** The ssh child's pid while one runs (tests kill it to drop the link). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.closed || this.child) return;
    this.attempts++;
    this.state = this.state === 'down' ? 'down' : 'connecting';
    const decoder = new StatsStreamDecoder();
    let stderr = '';
    let failure: string | undefined;
    let child: ChildProcess;
    const args = sshArgv(this.opts.ssh, this.name, ['stats', '--json', '--interval', String(this.opts.intervalMs)]);
    try {
      child = this.spawn(this.opts.ssh.program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.opts.ssh.env as NodeJS.ProcessEnv });
    } catch (e) {
      this.down(`cannot run ${this.opts.ssh.program}: ${(e as Error).message}`);
      return;
    }
    this.child = child;
    this.armQuiet();
    let buf = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (this.child !== child) return;
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === '' || failure) continue;
        this.armQuiet();
        try {
          const first = !decoder.header;
          decoder.push(line);
          if (first) {
            // The stream is there: the next drop starts the waits from the shortest again.
            this.backoffMs = BACKOFF_FIRST_MS;
            continue;
          }
          this.frame(decoder);
        } catch (e) {
          failure = e instanceof SyntaxError ? `not a hutch stats stream (${line.slice(0, 60)})` : (e as Error).message;
          this.kill(child);
        }
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    child.on('error', (e) => {
      failure ??= `cannot run ${this.opts.ssh.program}: ${e.message}`;
    });
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.closed) return;
      const last = stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop();
      const why = failure ?? this.reasons.get(child) ?? last ?? (signal ? `ssh ended by ${signal}` : code === 0 ? 'the stream ended' : `ssh exited with status ${code}`);
      this.down(why);
    });
  }

  private frame(decoder: StatsStreamDecoder): void {
    this.containers = decoder.containers;
    this.hostFigures = decoder.host;
    this.t = decoder.t;
    this.seq++;
    this.state = 'up';
    this.error = undefined;
    this.opts.onChange?.(this);
  }

  /** Marks the host down with `why` and schedules the next attempt. */
  private down(why: string): void {
    this.clearQuiet();
    this.state = 'down';
    this.error = `${this.name}: ${why}`;
    this.opts.onChange?.(this);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, wait);
  }

  private armQuiet(): void {
    this.clearQuiet();
    const child = this.child;
    this.quietTimer = this.clock.setTimeout(() => {
      this.quietTimer = undefined;
      if (!child || this.child !== child) return;
      // ssh's close handler reports it as down, with this reason.
      this.reasons.set(child, `no figures for ${Math.round(this.quietMs / 1000)} s`);
      this.kill(child);
    }, this.quietMs);
  }

  private clearQuiet(): void {
    if (this.quietTimer !== undefined) this.clock.clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
  }

  private kill(child: ChildProcess): void {
    // The one we started, by its pid: ssh ends its session (and the remote command with it).
    try {
      child.kill('SIGTERM');
    } catch {
      // gone already
    }
  }

  /** Ends the stream for good: no more attempts, ssh killed. */
  close(): void {
    this.closed = true;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.clearQuiet();
    const child = this.child;
    this.child = undefined;
    if (child) this.kill(child);
  }
}
