// Shared by the native-*.test.ts files that drive hutch-monitor directly (no engine):
// a scratch network namespace per test, busybox bundles, and `hutch-monitor run
// --attach --sync-fd 3` with its output collected. A module of its own, not a
// *.test.ts file: importing a test file would register its tests in the importer.
//
// The scratch namespace is `unshare -n sleep infinity`, entered with nsenter: the
// host's links and firewall are never touched, and the namespace (with its bridges,
// veths and nftables tables) dies with the sleep, which is killed by pid when the test
// ends, failed or not.
import { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './helpers.js';
import { loadNative } from '../../src/engine/native/real.js';

export const MONITOR = loadNative().monitorPath;
export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));

/** A container command's tail: it waits until the test writes rootfs/tmp/go. */
export const WAIT_GO = 'while [ ! -e /tmp/go ]; do sleep 0.02; done';

export async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGKILLs child (by its pid) when the test ends, unless it is gone already. */
export function killOnEnd(t: TestContext, child: ChildProcess): void {
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/** A temporary directory removed when the test ends. */
export function tmpDir(t: TestContext, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Scratch {
  pid: number;
  /** Runs argv in the scratch network namespace; stdout, throws on failure unless allowFail. */
  sh(argv: string[], opts?: { input?: string; allowFail?: boolean }): string;
  /** argv in the scratch namespace, whatever its status. */
  run(argv: string[]): SpawnSyncReturns<string>;
  /** Runs a CommonJS snippet with the addon as `a` in the namespace; its JSON result. */
  addon(code: string): unknown;
  /** nsenter prefix for spawn. */
  enter: string[];
}

export async function scratch(t: TestContext): Promise<Scratch> {
  const child = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  killOnEnd(t, child);
  const pid = child.pid!;
  const own = fs.readlinkSync('/proc/self/ns/net');
  // unshare execs sleep once its namespace exists.
  await until('the scratch namespace', () => {
    try {
      return fs.readlinkSync(`/proc/${pid}/ns/net`) !== own && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep';
    } catch {
      return false;
    }
  });
  assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/net`), own, 'scratch namespace');
  const enter = ['nsenter', `--net=/proc/${pid}/ns/net`];
  const run = (argv: string[], input = '') => spawnSync(enter[0]!, [...enter.slice(1), ...argv], { encoding: 'utf8', input });
  const sh = (argv: string[], opts: { input?: string; allowFail?: boolean } = {}): string => {
    const r = run(argv, opts.input);
    if (r.status !== 0 && !opts.allowFail) throw new Error(`${argv.join(' ')}: ${r.status} ${r.stderr}`);
    return r.stdout;
  };
  const addon = (code: string): unknown => {
    const js = `const {addon: a} = require('@hutch/native'); const r = (() => { ${code} })(); process.stdout.write(JSON.stringify(r === undefined ? null : r));`;
    const r = spawnSync(enter[0]!, [...enter.slice(1), process.execPath, '-e', js], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`addon: ${r.stderr}`);
    return JSON.parse(r.stdout) as unknown;
  };
  sh(['ip', 'link', 'set', 'lo', 'up']);
  return { pid, sh, run: (argv) => run(argv), addon, enter };
}

export interface BundleOptions {
  /** busybox applets linked in /bin. */
  applets: string[];
  /** Join this network namespace (a path) instead of making a new one. */
  netns?: string;
  /** Mount /sys (read-only); default true. */
  sysfs?: boolean;
}

/** A bundle with a busybox rootfs in a fresh directory under dir. */
export function bundle(dir: string, args: string[], annotations: Record<string, string>, opts: BundleOptions): string {
  const b = path.join(dir, `bundle-${Math.random().toString(16).slice(2, 8)}`);
  const rootfs = path.join(b, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(BUSYBOX!, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const a of opts.applets) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  const namespaces: { type: string; path?: string }[] = ['mount', 'pid', 'uts', 'ipc'].map((type) => ({ type }));
  namespaces.push(opts.netns ? { type: 'network', path: opts.netns } : { type: 'network' });
  const config = {
    ociVersion: '1.0.2',
    root: { path: 'rootfs' },
    hostname: 'c',
    process: { args, env: ['PATH=/bin'], cwd: '/' },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      ...(opts.sysfs === false ? [] : [{ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] }]),
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
    ],
    linux: { namespaces },
    annotations,
  };
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(config));
  return b;
}

export interface Monitor {
  child: ChildProcess;
  out: () => string;
  sync: () => string;
  exited: Promise<number | null>;
  exitFile: string;
  /** The container's pid, from the sync line `pid N M`. */
  pid: () => number;
}

/** hutch-monitor run --attach in the scratch namespace; output and sync lines collected. */
export function startMonitor(t: TestContext, s: Scratch, b: string, id: string): Monitor {
  const exitFile = path.join(b, 'exit');
  const child = spawn(
    s.enter[0]!,
    [...s.enter.slice(1), MONITOR, 'run', '--bundle', b, '--id', id, '--log', path.join(b, 'log'), '--exit-file', exitFile, '--attach', '--sync-fd', '3'],
    { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  );
  killOnEnd(t, child);
  let out = '';
  let sync = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (sync += d));
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return { child, out: () => out, sync: () => sync, exited, exitFile, pid: () => Number(/^pid (\d+) (\d+)/.exec(sync)![1]) };
}
