// Fakes for the remote-host tests: an ssh child whose streams the test writes, a
// spawn that records them, a clock the test moves, a stream row.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import type { Clock, SpawnFn } from '../../src/engine/remote/remote-host.js';
import type { StreamContainer } from '../../src/engine/stats/stream.js';
import type { SshConfig } from '../../src/engine/remote/ssh.js';

export class FakeChild extends EventEmitter {
  stdin = new PassThrough();
  stdout = new PassThrough();
  stderr = new PassThrough();
  killed: string[] = [];
  pid = 4242;
  constructor(
    readonly program: string,
    readonly args: string[],
  ) {
    super();
  }
  kill(sig: string = 'SIGTERM'): boolean {
    this.killed.push(sig);
    setImmediate(() => this.exit(null, sig));
    return true;
  }
  /** ssh ends: its streams close, then the process. */
  exit(code: number | null, signal: string | null = null): void {
    if (this.listenerCount('close') === 0 && this.closedOnce) return;
    this.closedOnce = true;
    this.stdout.end();
    this.stderr.end();
    setImmediate(() => this.emit('close', code, signal));
  }
  private closedOnce = false;
}

export function fakeSpawn() {
  const children: FakeChild[] = [];
  const spawn = ((program: string, args: string[]) => {
    const c = new FakeChild(program, args);
    children.push(c);
    return c as unknown as ChildProcess;
  }) as SpawnFn;
  return { spawn, children };
}

export class FakeClock implements Clock {
  t = 0;
  timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown) {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  /** The delays of the timers pending now, from now. */
  pending(): number[] {
    return this.timers.map((x) => x.at - this.t).sort((a, b) => a - b);
  }
  /** Moves the clock on, running what falls due. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

export const SSH: SshConfig = { program: 'ssh', controlDir: '/nonexistent/hutch-ssh-test', remoteHutch: ['hutch'], env: {} };

export function container(id: string, p: Partial<StreamContainer> = {}): StreamContainer {
  return {
    id, name: id, image: 'busybox', state: 'running', exitCode: null, created: '2026-01-01T00:00:00Z', startedAt: '2026-01-01T00:00:01Z', finishedAt: '',
    health: null, restarts: 0, engine: null, network: 'none', ports: '', cpu: 1.5, mem: 1000, limit: null, pids: 2, netRx: 0, netTx: 0, blkRead: 0, blkWrite: 0,
    ...p,
  };
}
