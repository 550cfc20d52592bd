// Starts `hutch-monitor run` for a container and follows its sync pipe (fd 3), whose
// line protocol is described in native/PROTOCOL.md: `pid …` once the container's
// command is running, `error <step> <ERRNO> <n> <detail…>` if setting it up failed,
// and `exit <status>` when it ends.
import { Socket } from 'node:net';
import { getSystemErrorMap } from 'node:util';
import { CommandError, Conflict, SystemError } from '../errors.js';
import type { Native } from '../native/native.js';
import type { SignalSource } from '../types.js';

export interface LaunchArgs {
  monitorPath: string;
  bundle: string;
  id: string;
  log: string;
  exitFile: string;
  cgroups: string[];
  /** Foreground: monitor stays our child and copies output to our stdout/stderr. */
  attach: boolean;
  /** Copy our stdin to the container (-i, or -t when attached): through a pipe or
   * the pty, never as the fd itself. */
  stdin: boolean;
  /** Attached: relayed to the monitor (which forwards them) until it exits. */
  signals?: SignalSource;
  /** Attached with a tty: the detach keys the monitor looks for in our stdin; once
   * typed it runs on detached and says `detached` (then onDetach). */
  detachKeys?: Buffer;
  onDetach?: () => void;
  /** Attached: `run -a`, which of our stdout/stderr get the output (default both). */
  stdout?: boolean;
  stderr?: boolean;
  /** argv[0] of the container's command, for error messages. */
  command: string;
}

export interface Launched {
  pid: number;
  monitorPid: number;
  /** Resolves with the exit status, or null if the pipe closed without one. */
  exited: Promise<number | null>;
}

export function launchMonitor(native: Native, a: LaunchArgs): Promise<Launched> {
  const args = ['run', '--bundle', a.bundle, '--id', a.id, '--log', a.log, '--exit-file', a.exitFile, '--sync-fd', '3'];
  for (const c of a.cgroups) args.push('--cgroup', c);
  if (a.attach) args.push('--attach');
  if (a.stdin) args.push('--stdin');
  if (a.attach && a.detachKeys?.length) args.push('--detach-keys', a.detachKeys.toString('hex'));
  // posix_spawn through the addon: libuv's fork of this large process costs
  // milliseconds on every start. A detached monitor's first process exits at once
  // (its child carries on): reap it; an attached one is reaped when it ends.
  const out = a.attach && a.stdout !== false ? 1 : -1;
  const err = a.attach && a.stderr !== false ? 2 : -1;
  // Detached with --stdin, the monitor keeps the container's stdin pipe for attach clients.
  const { pid, syncFd } = native.spawnMonitor(a.monitorPath, ['hutch-monitor', ...args], [a.stdin && a.attach ? 0 : -1, out, err]);
  if (!a.attach) native.reapPid(pid, true);
  const sync = new Socket({ fd: syncFd, readable: true, writable: false });
  sync.setEncoding('utf8');
  let buf = '';
  let onExitLine: (code: number | null) => void = () => {};
  const exited = new Promise<number | null>((r) => (onExitLine = r));
  let exitSeen = false;
  let unsubscribe = () => {};

  return new Promise<Launched>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    };
    sync.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const f = line.split(' ');
        if (f[0] === 'pid' && !settled) {
          settled = true;
          // A detached monitor's pipe must not keep this process alive.
          if (!a.attach) sync.unref();
          // Our own child until we reap it below: the pid cannot name another process.
          else if (a.signals) unsubscribe = a.signals.subscribe((s) => relay(pid, s));
          resolve({ pid: Number(f[1]), monitorPid: Number(f[2]), exited });
        } else if (f[0] === 'error') {
          fail(setupError(parseErrorLine(line), a.command));
        } else if (f[0] === 'detached') {
          // The detach keys: the container runs on without us (no exit line will come).
          unsubscribe();
          unsubscribe = () => {};
          sync.unref();
          a.onDetach?.();
        } else if (f[0] === 'exit') {
          exitSeen = true;
          onExitLine(Number(f[1]));
        }
      }
    });
    sync.on('close', () => {
      unsubscribe();
      if (a.attach) native.reapPid(pid, true); // the pipe closes as the monitor exits
      if (!exitSeen) onExitLine(null);
      fail(new SystemError('monitor exited before the container started'));
    });
    sync.on('error', () => {});
  });
}

function relay(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* exiting */
  }
}

/** An `error <step> <ERRNAME> <errno>[ <detail…>]` line of the sync pipe: the step
 * that failed, its errno, and what it was doing (`/data (bind from /srv/x)` for a
 * `mount`), the rest of the line, '' from a monitor that sends none. */
export interface SetupFailure {
  step: string;
  code: string;
  errno: number;
  detail: string;
}

export function parseErrorLine(line: string): SetupFailure {
  const f = line.split(' ');
  return { step: f[1] || '?', code: f[2] || 'EUNKNOWN', errno: Number(f[3]), detail: f.slice(4).join(' ') };
}

/** The C library's words for an errno ("No such file or directory"), as libuv
 * knows them; '' for a number it does not know. */
function describeErrno(errno: number): string {
  const text = Number.isInteger(errno) && errno > 0 ? getSystemErrorMap().get(-errno)?.[1] : undefined;
  return text ? (text[0].toUpperCase() + text.slice(1)).replace(/^I\/o\b/, 'I/O') : '';
}

/** One line, as crun says it: `container setup failed: mount /data (bind from
 * /srv/x): ENOENT (No such file or directory)`; a command that cannot be run is
 * docker's 127/126 message. */
export function setupError(f: SetupFailure, command: string): Error {
  const { step, code, errno, detail } = f;
  if (step === 'exitfile' && code === 'EBUSY') return new Conflict('container is already running (its monitor holds it)');
  if (step === 'exec' && code === 'ENOENT')
    return new CommandError(`exec: "${command}": executable file not found in $PATH`, 127);
  if (step === 'exec' && (code === 'EACCES' || code === 'ENOEXEC' || code === 'EISDIR'))
    return new CommandError(`exec: "${command}": permission denied`, 126);
  if (step === 'ports' && code === 'EADDRINUSE') {
    // detail: `tcp 0.0.0.0:8080` (native/PROTOCOL.md); docker's words.
    const where = detail.split(' ')[1] ?? detail;
    return new Conflict(`Bind for ${where} failed: port is already allocated`);
  }
  if (step === 'chdir' && code === 'ENOENT')
    return new SystemError(`working directory ${detail ? `${JSON.stringify(detail)} ` : ''}does not exist in the container`, code, errno, step, detail || undefined);
  const what = detail ? `${step} ${detail}` : step;
  const desc = describeErrno(errno);
  return new SystemError(`container setup failed: ${what}: ${code}${desc ? ` (${desc})` : ''}`, code, errno, step);
}
