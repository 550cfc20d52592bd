// Shared by the native-mounts*.test.ts files: a busybox rootfs in a temporary
// directory the test owns, a config.json with the given mounts, and
// `hutch-monitor run --attach --sync-fd 3` driven directly (no engine), with its
// output, sync lines and exit status collected. Root only.
import { type TestContext } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadNative } from '../../src/engine/native/real.js';

export const MONITOR = loadNative().monitorPath;
export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
export const skip = process.getuid?.() !== 0 ? 'needs root' : !BUSYBOX ? 'needs busybox-static' : false;

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

/** A temporary directory removed when the test ends, after unmounting what the test mounted under it. */
export function tmpDir(t: TestContext, prefix = 'hutch-mnt-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => {
    const points = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((p) => p.startsWith(dir + '/'))
      .sort((a, b) => b.length - a.length);
    for (const p of points) spawnSync('umount', ['-l', p]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A busybox rootfs at dir/rootfs (every applet a symlink to /bin/busybox). */
export function makeRootfs(dir: string): string {
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(BUSYBOX!, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  const applets = spawnSync(BUSYBOX!, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox') fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  return rootfs;
}

/** Writes dir/config.json for rootfs dir/rootfs: /proc, /dev tmpfs, then mounts. */
export function writeConfig(dir: string, args: string[], mounts: Mount[], extra: { maskedPaths?: string[] } = {}): string {
  const config = {
    ociVersion: '1.0.2',
    root: { path: 'rootfs' },
    hostname: 'm',
    process: { args, env: ['PATH=/bin'], cwd: '/' },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
      ...mounts,
    ],
    linux: { namespaces: ['mount', 'pid', 'uts', 'ipc', 'network'].map((type) => ({ type })), maskedPaths: extra.maskedPaths ?? [] },
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

export interface RunResult {
  code: number | null;
  out: string;
  sync: string;
  /** The `error …` line, or ''. */
  error: string;
}

let seq = 0;
/** hutch-monitor run --attach on bundle dir; prefix (e.g. unshare) runs before it. */
export async function runMonitor(dir: string, prefix: string[] = []): Promise<RunResult> {
  const tag = `${process.pid}-${seq++}`;
  const argv = [...prefix, MONITOR, 'run', '--bundle', dir, '--id', `mnt-${tag}`, '--log', path.join(dir, `log-${tag}`), '--exit-file', path.join(dir, `exit-${tag}`), '--attach', '--sync-fd', '3'];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let out = '';
  let sync = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (sync += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  const error = sync.split('\n').find((l) => l.startsWith('error ')) ?? '';
  return { code, out, sync, error };
}

/** A bundle (rootfs + config) in a fresh directory under parent; returns the bundle dir. */
export function bundle(parent: string, args: string[], mounts: Mount[], setup?: (rootfs: string) => void): string {
  const dir = fs.mkdtempSync(path.join(parent, 'b-'));
  const rootfs = makeRootfs(dir);
  setup?.(rootfs);
  return writeConfig(dir, args, mounts);
}

/** A hash of everything under dir: names, types, modes, owners, link texts, contents. */
export function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      h.update(`${path.relative(dir, p)}\0${st.mode}\0${st.uid}:${st.gid}\0${st.mtimeMs}\0`);
      if (st.isSymbolicLink()) h.update(fs.readlinkSync(p));
      else if (st.isFile()) h.update(fs.readFileSync(p));
      else if (st.isDirectory()) walk(p);
    }
  };
  const st = fs.lstatSync(dir);
  h.update(`${st.mode}\0${st.mtimeMs}\0`);
  walk(dir);
  return h.digest('hex');
}

/** A symlink text that climbs from linkDir far above / and comes down to target (absolute). */
export function climbTo(target: string): string {
  return '../'.repeat(16) + target.replace(/^\/+/, '');
}
