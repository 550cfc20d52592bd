// Shared set-up for integration tests: each test file gets its own temporary state
// root and its own cgroup parent (prefixed hutch-test-), and removes both, with every
// container it made, even when a test fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { parseMountinfo } from '../../src/engine/cgroups/mountinfo.js';
import { listNetworks } from '../../src/engine/network/store.js';
import { teardownNetwork } from '../../src/engine/network/setup.js';
import { loadNative } from '../../src/engine/native/real.js';
import { resolvePaths } from '../../src/engine/paths.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const HUTCH = path.join(REPO, 'bin', 'hutch.cjs');

export interface Sandbox {
  root: string;
  cgroupParent: string;
  env: NodeJS.ProcessEnv;
  engine: Engine;
  /** Runs the CLI in a separate process with this sandbox's environment. */
  cli(args: string[], opts?: { input?: string; timeout?: number }): SpawnSyncReturns<string>;
  cleanup(): Promise<void>;
}

/**
 * Containers join the default bridge network: their bridge, veths and nftables
 * table must live in the test run's own network namespace (scripts/test.mjs makes
 * one), never in the machine's. Run straight with `node --test` in the machine's
 * namespace, the tests would change its network: refuse.
 */
export function assertOwnNetns(): void {
  // scripts/test.mjs made the run's namespace and says so.
  if (process.getuid?.() !== 0 || process.env.HUTCH_TEST_NETNS === '1') return;
  let same: boolean;
  try {
    same = fs.readlinkSync('/proc/self/ns/net') === fs.readlinkSync('/proc/1/ns/net');
  } catch {
    return; // pid 1 is not ours to look at (a container): nothing to compare with
  }
  if (same)
    throw new Error("integration tests run in a network namespace of their own: use 'node scripts/test.mjs FILE…' (or unshare -n), not node --test in the machine's namespace");
}

export async function sandbox(): Promise<Sandbox> {
  assertOwnNetns();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-it-'));
  const cgroupParent = `hutch-test-${randomBytes(4).toString('hex')}`;
  process.env.HUTCH_ROOT = root;
  process.env.HUTCH_CGROUP_PARENT = cgroupParent;
  const env = { ...process.env, HUTCH_ROOT: root, HUTCH_CGROUP_PARENT: cgroupParent };
  const engine = await openEngine({ root });
  return {
    root,
    cgroupParent,
    env,
    engine,
    cli: (args, opts = {}) =>
      spawnSync(process.execPath, [HUTCH, ...args], { env, encoding: 'utf8', input: opts.input ?? '', timeout: opts.timeout ?? 60_000 }),
    async cleanup() {
      for (const c of await engine.list({ all: true }).catch(() => [])) await engine.remove(c.id, { force: true }).catch(() => {});
      await engine.gc().catch(() => {});
      removeNetworks(root);
      for (const dir of cgroupParentDirs(cgroupParent)) {
        try {
          fs.rmdirSync(dir);
        } catch {
          /* not there */
        }
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The root's bridges and their firewall elements (the default network's too: it outlives its containers). */
export function removeNetworks(root: string): void {
  const native = loadNative();
  for (const n of listNetworks(resolvePaths(root))) {
    try {
      teardownNetwork({ native, networks: () => [], activePorts: () => [] }, n);
    } catch {
      /* best effort: the test namespace goes at the end of the run */
    }
  }
}

/** Every directory named like the parent in any mounted cgroup hierarchy. */
export function cgroupParentDirs(parent: string): string[] {
  const out: string[] = [];
  for (const m of parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))) {
    if (m.fsType !== 'cgroup' && m.fsType !== 'cgroup2') continue;
    const d = path.join(m.mountPoint, parent);
    if (fs.existsSync(d)) out.push(d);
  }
  return out;
}

/** Child cgroups left under the parent in any hierarchy. */
export function cgroupChildren(parent: string): string[] {
  return cgroupParentDirs(parent).flatMap((d) => fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(d, e.name)));
}

export async function logText(engine: Engine, id: string): Promise<string> {
  let s = '';
  for await (const l of engine.logs(id)) s += l.text + (l.full ? '\n' : '');
  return s;
}

/** Runs a container on `image` to completion and returns its exit code and output. */
export async function runToEnd(engine: Engine, cmd: string[], spec: Partial<Parameters<Engine['create']>[0]> = {}) {
  const c = await engine.create({ image: 'host', cmd, ...spec });
  await engine.start(c.id);
  const r = await engine.wait(c.id);
  return { ...r, id: c.id, out: await logText(engine, c.id), info: await engine.inspect(c.id) };
}

let busyboxTar: string | null = null;
/** A busybox rootfs tarball built from Debian's busybox-static (installed by .ci/run). */
export function busyboxRootfsTar(): string {
  if (busyboxTar) return busyboxTar;
  const bb = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!bb) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-bb-'));
  // Built once per test process; gone with it.
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(bb, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  const applets = spawnSync(bb, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox') fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  const tar = path.join(dir, 'busybox.tar');
  const r = spawnSync('tar', ['--numeric-owner', '-C', rootfs, '-cf', tar, '.']);
  if (r.status !== 0) throw new Error('tar failed');
  busyboxTar = tar;
  return tar;
}
