// Shared by hutch-runc*.test.ts: Debian's runc and hutch-runc side by side, each with a --root
// in a temp dir the test owns; bundles made with `runc spec` (then edited) over a busybox
// rootfs; one command of either runtime; runc's error line read back. Root only.
import { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, busyboxRootfsTar } from './helpers.js';
import { BUSYBOX } from './native-mounts-fixture.js';

export const RUNC = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => fs.existsSync(p));
export const HUTCH_RUNC = path.join(REPO, 'bin', 'hutch-runc');
export const BUILT = path.join(REPO, 'native', 'build', 'Release', 'hutch-runc');
export const skip =
  process.getuid?.() !== 0 ? 'needs root' : !BUSYBOX ? 'needs busybox-static' : !RUNC ? 'needs runc (Debian package runc)' : false;

/** config.json as `runc spec` writes it, loosely: the tests edit a few fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document edited in place
export type Config = Record<string, any>;

export interface Runtime {
  name: 'runc' | 'hutch-runc';
  bin: string;
  root: string;
}
export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One runtime command; stdio may be given (a created container keeps create's stdio). */
export function rt(r: Runtime, args: string[], opts: SpawnSyncOptions = {}): Result {
  const res = spawnSync(r.bin, ['--root', r.root, ...args], { encoding: 'utf8', timeout: 30_000, ...opts });
  return { status: res.status, stdout: String(res.stdout ?? ''), stderr: String(res.stderr ?? '') };
}

/** The msg of runc's error line, with our name read as runc's. */
export function errMsg(stderr: string): string {
  const m = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(stderr);
  // logrus quotes the msg as Go's %q does: for these messages, a JSON string
  return (m ? (JSON.parse(`"${m[1]!}"`) as string) : stderr.trim()).replace(/hutch-runc/g, 'runc');
}

/** A bundle: busybox rootfs, `runc spec`, then edit(config). */
export function bundle(dir: string, name: string, edit: (c: Config) => void): string {
  const b = path.join(dir, name);
  fs.mkdirSync(path.join(b, 'rootfs'), { recursive: true });
  assert.equal(spawnSync('tar', ['-C', path.join(b, 'rootfs'), '-xf', busyboxRootfsTar()]).status, 0, 'tar');
  assert.equal(spawnSync(RUNC!, ['spec'], { cwd: b }).status, 0, 'runc spec');
  const file = path.join(b, 'config.json');
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Config;
  c.process.terminal = false;
  edit(c);
  fs.writeFileSync(file, JSON.stringify(c, null, 2));
  return b;
}

/**
 * A temp dir and both runtimes with their roots in it. When the test ends, whatever happened:
 * delete -f of every id under each runtime, then any cgroup directory left (a killed init
 * this machine's pid 1 has not reaped yet keeps a v2 one busy for a moment), then the dir.
 */
export function setup(t: TestContext, prefix: string, ids: string[]): { dir: string; all: Runtime[] } {
  assert.ok(fs.existsSync(BUILT), `${BUILT} is missing: build native/ (node-gyp build)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const all: Runtime[] = [
    { name: 'runc', bin: RUNC!, root: path.join(dir, 'runc-root') },
    { name: 'hutch-runc', bin: HUTCH_RUNC, root: path.join(dir, 'hutch-runc-root') },
  ];
  t.after(async () => {
    for (const r of all) for (const id of ids) rt(r, ['delete', '-f', id]);
    const left = all.flatMap((r) => ids.flatMap((id) => fs.readdirSync('/sys/fs/cgroup').map((h) => `/sys/fs/cgroup/${h}${cgPath(r, id)}`)));
    for (let i = 0; i < 100; i++) {
      const busy = left.filter((d) => fs.existsSync(d) && (() => { try { fs.rmdirSync(d); return false; } catch { return true; } })());
      if (!busy.length) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, all };
}

export function cgPath(r: Runtime, id: string): string {
  return `/hutch-runc-test-${process.pid}-${r.name}-${id}`;
}

export function state(r: Runtime, id: string): Config {
  const s = rt(r, ['state', id]);
  assert.equal(s.status, 0, `${r.name} state ${id}: ${s.stderr}`);
  return JSON.parse(s.stdout) as Config;
}

export async function waitStatus(r: Runtime, id: string, want: string): Promise<string> {
  let st = '';
  for (let i = 0; i < 100; i++) {
    st = String(state(r, id).status);
    if (st === want) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return st;
}

/** What is in a --root (none when it was never made). */
export function leftovers(root: string): string[] {
  return fs.existsSync(root) ? fs.readdirSync(root) : [];
}

export const pureV2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');

/** A cgroup file of the container's, from the host: v1 memory/pids hierarchies, or the v2 tree. */
export function cgFile(cg: string, v1: [string, string], v2: string): string {
  return fs.readFileSync(pureV2 ? `/sys/fs/cgroup${cg}/${v2}` : `/sys/fs/cgroup/${v1[0]}${cg}/${v1[1]}`, 'utf8').trim();
}
