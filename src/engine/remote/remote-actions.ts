// What the dashboard does to a remote container, as hutch's own commands run there
// over the host's ssh master (ssh.ts): `hutch stop|start|… ID`, `hutch logs -t --tail
// N [-f] ID` read back into log lines, and a shell as `ssh -t HOST hutch exec -it ID …`
// on this terminal (the dashboard's hand-off). Every error names the host.
import type { ChildProcess } from 'node:child_process';
import type { LogLine, SignalSource } from '../types.js';
import type { SpawnFn } from './remote-host.js';
import { sshArgv, type SshConfig } from './ssh.js';

const STDERR_KEEP = 4096;

function lastLine(text: string): string | undefined {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).pop();
}

/** `hutch ARGS` on `host`; resolves with its stdout, rejects with its last error line. */
export function runRemote(spawn: SpawnFn, cfg: SshConfig, host: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(cfg.program, sshArgv(cfg, host, args), { stdio: ['ignore', 'pipe', 'pipe'], env: cfg.env as NodeJS.ProcessEnv });
    } catch (e) {
      reject(new Error(`${host}: cannot run ${cfg.program}: ${(e as Error).message}`));
      return;
    }
    let out = '';
    let err = '';
    let spawnError: Error | undefined;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-STDERR_KEEP)));
    child.on('error', (e) => (spawnError = e));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(out);
      // hutch's errors read "hutch: …" (or docker's "Error response from daemon: …"): kept as they are, after the host.
      const why = spawnError ? `cannot run ${cfg.program}: ${spawnError.message}` : (lastLine(err) ?? (signal ? `ssh ended by ${signal}` : `ssh exited with status ${code}`));
      reject(new Error(`${host}: ${why.replace(/^hutch: /, '')}`));
    });
  });
}

/** `hutch logs -t` prints each line after its RFC 3339 time and a space. */
const TIMED = /^(\d{4}-\d\d-\d\dT[^ ]+) (.*)$/;

/** The log of `id` on `host`, as the engine's logs() gives a local one (stdout and stderr apart). */
export async function* remoteLogs(
  spawn: SpawnFn,
  cfg: SshConfig,
  host: string,
  id: string,
  opts: { follow?: boolean; tail?: number; signal?: AbortSignal },
): AsyncGenerator<LogLine> {
  const args = ['logs', '-t', ...(opts.tail !== undefined ? ['--tail', String(opts.tail)] : []), ...(opts.follow ? ['-f'] : []), id];
  const child = spawn(cfg.program, sshArgv(cfg, host, args), { stdio: ['ignore', 'pipe', 'pipe'], env: cfg.env as NodeJS.ProcessEnv });
  const queue: LogLine[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: string | undefined;
  let errTail = '';
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const reader = (stream: 'stdout' | 'stderr') => {
    let buf = '';
    return (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const raw = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = TIMED.exec(raw);
        // A stderr line without a time is ssh's or hutch's own, not the container's.
        if (!m) {
          if (stream === 'stderr') errTail = raw;
          else queue.push({ time: new Date().toISOString(), stream, full: true, text: raw });
          continue;
        }
        queue.push({ time: m[1], stream, full: true, text: m[2] });
      }
      notify();
    };
  };
  child.stdout?.setEncoding('utf8').on('data', reader('stdout'));
  child.stderr?.setEncoding('utf8').on('data', reader('stderr'));
  child.on('error', (e) => {
    failure = `cannot run ${cfg.program}: ${e.message}`;
  });
  child.on('close', (code) => {
    ended = true;
    if (code !== 0 && !opts.signal?.aborted) failure ??= errTail.trim().replace(/^hutch: /, '') || `ssh exited with status ${code}`;
    notify();
  });
  const abort = () => child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', abort, { once: true });
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (ended) break;
      await new Promise<void>((r) => (wake = r));
    }
    if (failure) throw new Error(`${host}: ${failure}`);
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    if (!ended) child.kill('SIGTERM');
  }
}

/**
 * A command in `id` on `host` with this process's terminal (`ssh -t`: ssh puts it in
 * raw mode and passes window changes itself). Being told to go (SIGHUP, SIGTERM:
 * relayed by the dashboard) ends ssh, and with it the remote shell.
 */
export function remoteExec(spawn: SpawnFn, cfg: SshConfig, host: string, id: string, argv: string[], opts: { tty?: boolean; interactive?: boolean; signals?: SignalSource }): Promise<number> {
  const flags = `-${opts.interactive ? 'i' : ''}${opts.tty ? 't' : ''}`;
  const args = ['exec', ...(flags.length > 1 ? [flags] : []), id, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(cfg.program, sshArgv(cfg, host, args, { tty: opts.tty }), { stdio: 'inherit', env: cfg.env as NodeJS.ProcessEnv });
    const unsubscribe = opts.signals?.subscribe((sig) => {
      if (sig === 'SIGHUP' || sig === 'SIGTERM') child.kill(sig);
    });
    child.on('error', (e) => {
      unsubscribe?.();
      reject(new Error(`${host}: cannot run ${cfg.program}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      unsubscribe?.();
      // 255: ssh's own failure (it printed why on the terminal, now gone with the hand-off).
      if (code === 255) reject(new Error(`${host}: ssh could not connect (status 255)`));
      else resolve(code ?? 128 + (signal === 'SIGHUP' ? 1 : 15));
    });
  });
}
