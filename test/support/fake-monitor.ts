// A scripted hutch-monitor for the engine's unit tests over FakeNative: no container,
// but the files and lines native/PROTOCOL.md promises, so that the real lifecycle code
// (start, stop, kill, rm, reconcile) runs unchanged and without root.
// - `spawnMonitor` answers with the read end of a real pipe (a FIFO: Node has no
//   pipe(2)), on which the monitor writes `pid <init> <monitor>`, or `error <step>
//   <ERRNO> <n>` when the command cannot be run (fake-commands.ts looks it up in the
//   host image) or the test scripted a failure, and `exit <status>` at the end;
// - `<exit-file>.lock` holds `<init> <monitor>` and is "locked" by the monitor
//   (FakeNative.locks) while it lives; at exit the status goes into it and it is
//   renamed to the exit file;
// - the init and the monitor are two real `sleep` processes (the engine checks pids
//   against /proc start times), whose pidfds are FakeNative's; the init joins the
//   container's cgroup (its pid in cgroup.procs of the fake cgroup kernel);
// - a signal the command ends on (fake-commands.ts) ends the container with 128+N;
//   SIGKILL to the monitor itself kills both without an exit file (a crash);
// - `exec`, a process the engine spawns itself, is the script fake-hutch-monitor.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FakeNative } from '../../src/engine/native/fake.js';
import { endsCommand, hostExecFailure } from './fake-commands.js';
import type { FakeKernel } from './cgroup-kernel.js';

/** A setup failure to report instead of running: the monitor's `error` line. */
export interface SetupFailure {
  step: string;
  code: string;
}

export class FakeMonitor {
  private ended = false;
  private readonly procs: ChildProcess[];
  readonly pid: number;
  readonly monitorPid: number;
  readonly lockFile: string;

  constructor(
    private readonly owner: FakeMonitors,
    /** The container's bundle directory. */
    readonly bundle: string,
    readonly exitFile: string,
    /** The write end of the sync pipe (-1 for a monitor started behind the engine's back). */
    private syncFd: number,
    private readonly cgroups: readonly string[],
    settingUp = false,
  ) {
    this.procs = [standIn(), standIn()];
    [this.pid, this.monitorPid] = this.procs.map((p) => p.pid!);
    this.lockFile = `${exitFile}.lock`;
    fs.writeFileSync(this.lockFile, '0 0\n');
    owner.native.locks.set(this.lockFile, this.monitorPid);
    if (!settingUp) this.running();
  }

  /** Set up: the init runs its command (in its cgroup), the lock file and the sync pipe say so. */
  running(): void {
    for (const dir of this.cgroups) fs.appendFileSync(path.join(dir, 'cgroup.procs'), `${this.pid}\n`);
    fs.writeFileSync(this.lockFile, `${this.pid} ${this.monitorPid}\n`);
    this.line(`pid ${this.pid} ${this.monitorPid}`);
  }

  get alive(): boolean {
    return !this.ended;
  }

  private line(text: string): void {
    if (this.syncFd >= 0) fs.writeSync(this.syncFd, `${text}\n`);
  }

  /** The container's init ended with `status`: the exit file, then the `exit` line. */
  async exit(status: number): Promise<void> {
    if (this.ended) return;
    fs.writeFileSync(this.lockFile, `${status}\n`);
    fs.renameSync(this.lockFile, this.exitFile);
    this.line(`exit ${status}`);
    await this.end();
  }

  /** The monitor is killed: no exit file, no `exit` line; its init dies with it. */
  async crash(): Promise<void> {
    await this.end();
  }

  private async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const { native, kernel } = this.owner;
    native.locks.delete(this.lockFile);
    if (this.syncFd >= 0) fs.closeSync(this.syncFd);
    this.syncFd = -1;
    kernel?.reap(this.pid);
    native.exit(this.pid);
    native.exit(this.monitorPid);
    await Promise.all(this.procs.map(stop));
  }
}

/** Installs the fake monitor on a FakeNative; `all` lists every monitor started. */
export class FakeMonitors {
  readonly all: FakeMonitor[] = [];
  /** Reported by the next monitor instead of running its command. */
  failNext?: SetupFailure;
  /** [pid, signal] of every signal sent through a pidfd, in order. */
  readonly signals: Array<[number, number]> = [];

  constructor(
    readonly native: FakeNative,
    /** The fake cgroup kernel whose cgroup.procs the inits join. */
    readonly kernel?: FakeKernel,
  ) {
    native.monitorPath = path.join(import.meta.dirname, 'fake-hutch-monitor');
    native.on('spawnMonitor', (_path, argv) => this.spawn(argv));
    native.onSignal = (pid, signal) => {
      this.signals.push([pid, signal]);
      this.signalled(pid, signal);
    };
  }

  /** The live monitor of a bundle, if any. */
  of(bundle: string): FakeMonitor | undefined {
    return this.all.find((m) => m.bundle === bundle && m.alive);
  }

  /** A monitor of the container of `bundle` that the engine did not see start (a hutch
   * killed before it saved its record): only its lock tells of it. `settingUp`: its
   * container does not run yet (running() makes it). */
  behindTheEngine(bundle: string, opts: { settingUp?: boolean } = {}): FakeMonitor {
    const m = new FakeMonitor(this, bundle, path.join(bundle, 'exit'), -1, [], opts.settingUp);
    this.all.push(m);
    return m;
  }

  /** What the cgroup manager's kill of a pid does (cgroup removal): the pid leaves its cgroup. */
  kill(pid: number): void {
    this.kernel?.reap(pid);
    this.signalled(pid, os.constants.signals.SIGKILL);
  }

  /** Ends every monitor still alive (their stand-in processes). */
  async cleanup(): Promise<void> {
    await Promise.all(this.all.map((m) => m.crash()));
  }

  private spawn(argv: string[]): { pid: number; syncFd: number } {
    const opt = (name: string) => argv.filter((_, i) => argv[i - 1] === name);
    const [bundle] = opt('--bundle');
    const [exitFile] = opt('--exit-file');
    const { read, write } = pipe();
    const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { process: { args: string[] } };
    const code = hostExecFailure(config.process.args[0] ?? '');
    const failure = this.failNext ?? (code ? { step: 'exec', code } : undefined);
    this.failNext = undefined;
    if (failure) {
      // As the monitor: it exits with status 1, writes no exit file, leaves nothing running.
      fs.writeSync(write, `error ${failure.step} ${failure.code} ${os.constants.errno[failure.code as keyof typeof os.constants.errno] ?? 0}\n`);
      fs.closeSync(write);
      return { pid: 99_999_999, syncFd: read };
    }
    const m = new FakeMonitor(this, bundle, exitFile, write, opt('--cgroup'));
    this.all.push(m);
    return { pid: m.monitorPid, syncFd: read };
  }

  private signalled(pid: number, signal: number): void {
    const init = this.all.find((m) => m.alive && m.pid === pid);
    if (init && endsCommand(signal)) setImmediate(() => void init.exit(128 + signal));
    const monitor = this.all.find((m) => m.alive && m.monitorPid === pid);
    if (monitor && signal === os.constants.signals.SIGKILL) setImmediate(() => void monitor.crash());
  }
}

/** A real process with a pid and a start time in /proc, doing nothing. */
function standIn(): ChildProcess {
  const p = spawn('sleep', ['1000'], { stdio: 'ignore' });
  if (!p.pid) throw new Error('cannot start a stand-in process');
  return p;
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = once(p, 'exit');
  p.kill('SIGKILL');
  await gone;
}

/** A pipe's two ends, through a FIFO (unlinked at once). */
function pipe(): { read: number; write: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-fake-monitor-'));
  const fifo = path.join(dir, 'sync');
  try {
    execFileSync('mkfifo', [fifo]);
    const read = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const write = fs.openSync(fifo, fs.constants.O_WRONLY);
    return { read, write };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
