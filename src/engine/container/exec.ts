// `exec`: the monitor executable joins the container's namespaces and cgroups (Node,
// being multithreaded, cannot setns into a mount namespace) and runs the command.
import os from 'node:os';
import type { ExecOptions } from '../types.js';
import { Conflict, InvalidArgument, SystemError } from '../errors.js';
import { mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';

export async function execInContainer(ctx: Ctx, id: string, argv: string[], opts: ExecOptions = {}): Promise<number> {
  if (argv.length === 0) throw new InvalidArgument('exec: no command given');
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  if (rec.status !== 'running') throw new Conflict(`container ${rec.name} is not running`);
  const args = ['exec', '--pid', String(rec.pid), '--bundle', rec.bundle];
  for (const c of ctx.cgroups.joinDirs(rec.cgroupPaths)) args.push('--cgroup', c);
  if (opts.tty) args.push('--tty');
  for (const e of opts.env ?? []) args.push('--env', e);
  if (opts.cwd) args.push('--cwd', opts.cwd);
  args.push('--', ...argv);
  // Loaded here, not at the top: `hutch run` never needs it (start latency).
  const { spawn } = await import('node:child_process');
  const child = spawn(ctx.native.monitorPath, args, { stdio: opts.stdio === 'pipe' ? 'pipe' : 'inherit' });
  return new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(new SystemError(`exec: cannot start monitor: ${e.message}`)));
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}

