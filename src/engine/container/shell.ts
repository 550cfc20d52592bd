// Shells for the dashboard's pane: `hutch-monitor exec --tty --detach --serve DIR`
// runs the command with a pty that the monitor keeps (no pty in this process, and
// the shell outlives the dashboard), served on DIR/exec-<monitor pid>.sock with the
// attach socket's frames and a 64 KiB backlog for a client that (re)connects.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Conflict, InvalidArgument, NotFound, SystemError } from '../errors.js';
import { mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { parseErrorLine, setupError } from './monitor.js';
import type { ContainerRecord } from './record.js';
import { frameConnection } from './shell-connection.js';
import { socketLink } from './socket-link.js';
import { DEFAULT_SHELL, type ShellConnection, type ShellInfo, type ShellOptions } from './shell-types.js';

const SOCK = /^exec-(\d+)\.sock$/;

async function running(ctx: Ctx, id: string): Promise<ContainerRecord> {
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  if (rec.status !== 'running') throw new Conflict(`container ${rec.name} is not running`);
  if (rec.paused) throw new Conflict(`Container ${rec.id} is paused, unpause the container before exec`);
  return rec;
}

export async function openShell(ctx: Ctx, id: string, opts: ShellOptions = {}): Promise<ShellInfo> {
  const rec = await running(ctx, id);
  const argv = opts.argv?.length ? opts.argv : DEFAULT_SHELL;
  const args = ['exec', '--pid', String(rec.pid), '--bundle', rec.bundle, '--sync-fd', '3', '--tty', '--detach', '--serve', rec.bundle];
  for (const c of ctx.cgroups.joinDirs(rec.cgroupPaths)) args.push('--cgroup', c);
  args.push('--env', `TERM=${opts.term ?? 'xterm-256color'}`);
  if (opts.rows && opts.cols) args.push('--env', `LINES=${opts.rows}`, '--env', `COLUMNS=${opts.cols}`);
  args.push('--', ...argv);
  const { spawn } = await import('node:child_process');
  const child = spawn(ctx.native.monitorPath, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], detached: true });
  const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  sync.setEncoding('utf8');
  return new Promise<ShellInfo>((resolve, reject) => {
    let buf = '';
    let done = false;
    const finish = (r: ShellInfo | Error) => {
      if (done) return;
      done = true;
      // The shell goes on without us: nothing of it may keep this process alive.
      sync.removeAllListeners('data');
      sync.destroy();
      child.unref();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    sync.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const f = line.split(' ');
        if (f[0] === 'pid') finish({ name: `exec-${f[2]}`, monitorPid: Number(f[2]) });
        else if (f[0] === 'error') finish(setupError(parseErrorLine(line), argv[0]));
      }
    });
    sync.on('error', () => {});
    sync.on('end', () => finish(new SystemError('shell: the monitor ended without starting it')));
    child.on('error', (e) => finish(new SystemError(`shell: cannot start monitor: ${e.message}`)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The container's shells whose monitor still runs, oldest monitor pid first; a
 * killed monitor's socket file is removed. */
export async function listShells(ctx: Ctx, id: string): Promise<ShellInfo[]> {
  const rec = mustLoad(ctx, id);
  let names: string[];
  try {
    names = fs.readdirSync(rec.bundle);
  } catch (e) {
    throw new SystemError(`shells of ${rec.name}: cannot read its directory: ${(e as Error).message}`);
  }
  const out: ShellInfo[] = [];
  for (const n of names) {
    const m = SOCK.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    // Its pid may be another process's by now: the monitor's command line names the bundle.
    if (isServer(pid, rec.bundle)) out.push({ name: `exec-${pid}`, monitorPid: pid });
    else fs.rmSync(path.join(rec.bundle, n), { force: true });
  }
  return out.sort((a, b) => a.monitorPid - b.monitorPid);
}

function shellName(name: string): number {
  const m = /^exec-(\d+)$/.exec(name);
  if (!m) throw new InvalidArgument(`no such shell: ${JSON.stringify(name)} (exec-<pid>)`);
  return Number(m[1]);
}

/** Connects through /proc/self/fd/<dir fd>/<name>.sock: a bundle path can be longer than sun_path allows. */
export function connectShell(ctx: Ctx, id: string, name: string): Promise<ShellConnection> {
  shellName(name);
  const rec = mustLoad(ctx, id);
  let dirFd: number;
  try {
    dirFd = fs.openSync(rec.bundle, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (e) {
    throw new SystemError(`shell ${name} of ${rec.name}: cannot open the container's directory: ${(e as Error).message}`);
  }
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: `/proc/self/fd/${dirFd}/${name}.sock` });
    sock.once('connect', () => {
      fs.closeSync(dirFd);
      resolve(connection(sock));
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      fs.closeSync(dirFd);
      const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'it has ended' : e.message;
      reject(new NotFound(`shell ${name} of ${rec.name}: ${why}`));
    });
  });
}

/** The unix socket as a frame link, read at a bounded rate (socket-link.ts); shell-connection.ts reads and writes the frames. */
function connection(sock: net.Socket): ShellConnection {
  return frameConnection(socketLink(sock));
}

/** Is pid the serving monitor of `name` (not a process that reused its pid)? */
function isServer(pid: number, bundle: string): boolean {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = argv.indexOf('--serve');
    return i > 0 && argv[i + 1] === bundle;
  } catch {
    return false;
  }
}

/** SIGHUP to the shell (its monitor forwards it); the monitor is killed if the
 * shell is still there a second later (it dies with it: PDEATHSIG). */
export async function endShell(ctx: Ctx, id: string, name: string): Promise<void> {
  const pid = shellName(name);
  const rec = mustLoad(ctx, id);
  const file = path.join(rec.bundle, `${name}.sock`);
  if (!isServer(pid, rec.bundle)) {
    fs.rmSync(file, { force: true });
    return;
  }
  try {
    process.kill(pid, 'SIGHUP');
  } catch {
    return;
  }
  for (let i = 0; i < 20 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid) && isServer(pid, rec.bundle)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    fs.rmSync(file, { force: true });
  }
}
