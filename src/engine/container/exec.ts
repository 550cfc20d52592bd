// `exec`: the monitor executable joins the container's namespaces and cgroups (Node,
// being multithreaded, cannot setns into a mount namespace) and runs the command.
// The command gets pipes or a pty of the monitor's, never one of our fds (they come
// from outside the container). The monitor reports on fd 3 as `run` does
// (native/PROTOCOL.md): `pid …` once the command runs, `error <step> <ERRNO> <n>
// <detail…>` when it could not be started, `exit <status>` when it ends.
import path from 'node:path';
import type { ExecOptions } from '../types.js';
import { CommandError, Conflict, InvalidArgument, SystemError } from '../errors.js';
import { mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { parseErrorLine, setupError, type SetupFailure } from './monitor.js';
import { readInRoot } from '../images/inroot.js';
import { resolveUser } from '../images/user.js';

/** `exec -u NAME|UID[:GROUP|GID]` as ids, names looked up in the container's own
 * /etc/passwd and /etc/group (read in its root, never following a link out of it). */
function execUser(pid: number, user: string): string {
  const root = `/proc/${pid}/root`;
  const u = resolveUser(user, readInRoot(root, '/etc/passwd'), readInRoot(root, '/etc/group'));
  return `${u.uid}:${u.gid}${u.additionalGids.length ? `:${u.additionalGids.join(',')}` : ''}`;
}

export async function execInContainer(ctx: Ctx, id: string, argv: string[], opts: ExecOptions = {}): Promise<number> {
  if (argv.length === 0) throw new InvalidArgument('exec: no command given');
  if (opts.cwd !== undefined && !path.posix.isAbsolute(opts.cwd))
    throw new InvalidArgument(`the working directory '${opts.cwd}' is invalid, it needs to be an absolute path`);
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  if (rec.status !== 'running') throw new Conflict(`container ${rec.name} is not running`);
  if (rec.paused) throw new Conflict(`Container ${rec.id} is paused, unpause the container before exec`);
  const args = ['exec', '--pid', String(rec.pid), '--bundle', rec.bundle, '--sync-fd', '3'];
  for (const c of ctx.cgroups.joinDirs(rec.cgroupPaths)) args.push('--cgroup', c);
  if (opts.tty) args.push('--tty');
  if (opts.interactive) args.push('--stdin');
  if (opts.detach) args.push('--detach');
  for (const e of execEnv(opts)) args.push('--env', e);
  if (opts.cwd) args.push('--cwd', opts.cwd);
  if (opts.user !== undefined && opts.user !== '') args.push('--user', execUser(rec.pid, opts.user));
  if (opts.privileged) args.push('--privileged');
  const input = opts.input && (opts.tty || opts.interactive) && !opts.detach ? Buffer.from(opts.input, 'utf8') : null;
  if (input) args.push('--input-fd', '4');
  args.push('--', ...argv);
  // Loaded here, not at the top: `hutch run` never needs it (start latency).
  const { spawn } = await import('node:child_process');
  const io = opts.stdio === 'pipe' ? 'pipe' : 'inherit';
  // A session of its own: the terminal's signals reach us alone, and we relay them.
  const child = spawn(ctx.native.monitorPath, args, { stdio: [opts.interactive ? io : 'ignore', io, io, 'pipe', input ? 'pipe' : 'ignore'], detached: true });
  if (input) {
    const w = child.stdio[4] as NodeJS.WritableStream;
    w.on('error', () => {}); // the monitor failed before reading it: its error says why
    w.end(input);
  }
  const sync = child.stdio[3] as NodeJS.ReadableStream;
  sync.setEncoding('utf8');
  return new Promise<number>((resolve, reject) => {
    let buf = '';
    let failure: Error | null = null;
    let status: number | null = null;
    let unsubscribe = () => {};
    sync.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        const f = line.split(' ');
        buf = buf.slice(nl + 1);
        if (f[0] === 'pid') {
          if (opts.detach) {
            // The command goes on without us: nothing of it may keep this process alive.
            resolve(0);
            sync.removeAllListeners('data');
            (sync as unknown as { destroy(): void }).destroy();
            child.unref();
          } else if (opts.signals) unsubscribe = opts.signals.subscribe((s) => child.kill(s));
        } else if (f[0] === 'error') failure = execError(parseErrorLine(line), argv[0], opts.cwd);
        else if (f[0] === 'exit') status = Number(f[1]);
      }
    });
    sync.on('error', () => {});
    child.on('error', (e) => reject(new SystemError(`exec: cannot start monitor: ${e.message}`)));
    child.on('close', (code, signal) => {
      unsubscribe();
      if (failure) reject(failure);
      else if (status !== null) resolve(status);
      else reject(new SystemError(`exec: the monitor ended without a status (${signal ?? `exit ${code}`})`));
    });
  });
}

/**
 * With a tty, the command gets the caller's TERM (as docker exec -t does), so a shell
 * can draw on the terminal it is really on; an explicit TERM in env wins. Without a
 * TERM of our own, xterm, as `run -t` sets.
 */
export function execEnv(opts: Pick<ExecOptions, 'tty' | 'env'>, callerTerm = process.env.TERM): string[] {
  const env = opts.env ?? [];
  if (!opts.tty || env.some((e) => e === 'TERM' || e.startsWith('TERM='))) return env;
  return [`TERM=${callerTerm || 'xterm'}`, ...env];
}

function execError(f: SetupFailure, command: string, cwd: string | undefined): Error {
  if (f.step === 'chdir' && (f.code === 'ENOENT' || f.code === 'ENOTDIR'))
    return new CommandError(`exec: working directory ${JSON.stringify(cwd ?? f.detail)} does not exist in the container`, 126);
  return setupError(f, command);
}
