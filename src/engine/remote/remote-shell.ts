// The shell pane on a remote container: the shell's pty is held by an exec monitor on
// that host, as for a local pane, and reached with hutch's unlisted `shell-serve` verb
// there over the host's ssh master (src/cli/verbs/shell-serve.ts): `ls` and `open`
// print JSON, `end` ends one, and `connect` relays the shell socket's frames over
// ssh's stdin and stdout, which this side reads and writes with the local pane's own
// frame code (container/shell-connection.ts). No pty on this side: `ssh -T`. Closing
// the connection detaches (ssh's stdin ends, the relay lets go; the shell runs on).
import type { ChildProcess } from 'node:child_process';
import type { ShellConnection, ShellInfo, ShellOptions } from '../types.js';
import { frameConnection } from '../container/shell-connection.js';
import type { SpawnFn } from './remote-host.js';
import { runRemote } from './remote-actions.js';
import { sshArgv, type SshConfig } from './ssh.js';

const STDERR_KEEP = 4096;
/** After ssh's stdin ends, how long it has to go by itself before it is ended. */
const DETACH_GRACE_MS = 2000;

/** `hutch ARGS` on `host` printing one JSON value. */
export async function remoteJson<T>(spawn: SpawnFn, cfg: SshConfig, host: string, args: string[]): Promise<T> {
  const out = await runRemote(spawn, cfg, host, args);
  try {
    return JSON.parse(out) as T;
  } catch {
    throw new Error(`${host}: hutch ${args.slice(0, 2).join(' ')} printed no JSON (${JSON.stringify(out.trim().slice(0, 60))}): an older hutch there?`);
  }
}

export function remoteListShells(spawn: SpawnFn, cfg: SshConfig, host: string, id: string): Promise<ShellInfo[]> {
  return remoteJson<ShellInfo[]>(spawn, cfg, host, ['shell-serve', 'ls', id]);
}

export function remoteOpenShell(spawn: SpawnFn, cfg: SshConfig, host: string, id: string, opts: ShellOptions = {}): Promise<ShellInfo> {
  const args = ['shell-serve', 'open'];
  if (opts.rows && opts.cols) args.push('--rows', String(opts.rows), '--cols', String(opts.cols));
  if (opts.term) args.push('--term', opts.term);
  args.push(id);
  if (opts.argv?.length) args.push('--', ...opts.argv);
  return remoteJson<ShellInfo>(spawn, cfg, host, args);
}

export async function remoteEndShell(spawn: SpawnFn, cfg: SshConfig, host: string, id: string, shell: string): Promise<void> {
  await runRemote(spawn, cfg, host, ['shell-serve', 'end', id, shell]);
}

/**
 * A client of shell `shell` of `id` on `host`: resolves once the relay's first frame
 * (empty: "connected") arrives, rejects with the remote's error line, naming the host,
 * when ssh ends before it.
 */
export function remoteConnectShell(spawn: SpawnFn, cfg: SshConfig, host: string, id: string, shell: string): Promise<ShellConnection> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(cfg.program, sshArgv(cfg, host, ['shell-serve', 'connect', id, shell]), { stdio: ['pipe', 'pipe', 'pipe'], env: cfg.env as NodeJS.ProcessEnv });
    } catch (e) {
      reject(new Error(`${host}: cannot run ${cfg.program}: ${(e as Error).message}`));
      return;
    }
    let connected = false;
    let stderr = '';
    let spawnError: Error | undefined;
    let gone = false;
    const closers: (() => void)[] = [];
    child.stdin?.on('error', () => {});
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_KEEP)));
    child.on('error', (e) => (spawnError = e));
    child.on('close', (code, signal) => {
      gone = true;
      if (connected) return closers.forEach((f) => f());
      const last = stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop();
      const why = spawnError ? `cannot run ${cfg.program}: ${spawnError.message}` : (last ?? (signal ? `ssh ended by ${signal}` : `ssh exited with status ${code}`));
      reject(new Error(`${host}: ${why.replace(/^hutch: /, '')}`));
    });
    const conn = frameConnection({
      onBytes: (f) =>
        child.stdout?.on('data', (chunk: Buffer) => {
          if (!connected) {
            connected = true;
            resolve(conn);
          }
          f(chunk);
        }),
      onClose: (f) => void closers.push(f),
      writable: () => !gone && !!child.stdin?.writable,
      write: (b) => void child.stdin?.write(b),
      destroy: () => {
        if (gone) return;
        // The relay lets go when its stdin ends; ssh is ended if it is still there later.
        child.stdin?.end();
        const t = setTimeout(() => {
          if (!gone) child.kill('SIGTERM');
        }, DETACH_GRACE_MS);
        t.unref?.();
      },
    });
  });
}
