// `ps --format '{{.Names}}' --filter status=running` over 1000 containers (issue 16,
// target ≤ 0.5× podman's), paired with `podman ps` of the same over the same population
// of its own: 1000 created and 10 running (sleep) on each side. The status filter makes
// both look at every container, not only the running ones. Podman gets a state of its
// own (--root, --runroot, --tmpdir in a temp dir, removed after); the containers are only
// created, not started, but for the running few. Set-up takes minutes, nearly all of it
// podman's thousand creates (0.1–0.3 s each, slower as its database grows).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import type { Engine } from '../src/engine/index.js';
import { HUTCH } from '../test/integration/helpers.js';
import { paired, row } from './stats.js';

const CREATED = 1000;
const RUNNING = 10;
const FORMAT = '{{.Names}}';

/** Runs `jobs` with at most `width` at a time: set-up of a thousand creates on each side. */
async function pool(width: number, jobs: Array<() => Promise<void>>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.slice(0, 8).join(' ')}…: exit ${code}: ${err.trim().split('\n').pop()}`))));
  });
}

export async function psRows(engine: Engine, env: NodeJS.ProcessEnv, image: string, rootfsTar: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-bench-podman-'));
  const podman = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--tmpdir', path.join(dir, 'tmp'), '--events-backend', 'none'];
  const pimage = 'localhost/hutch-bench-ps:latest';
  const pargs = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
  try {
    const tag = `p${process.pid}`;
    await pool(4, Array.from({ length: CREATED }, (_, i) => async () => void ids.push((await engine.create({ image, name: `ps-${tag}-c${i}`, cmd: ['/bin/true'], network: 'none' })).id)));
    for (let i = 0; i < RUNNING; i++) {
      const c = await engine.create({ image, name: `ps-${tag}-r${i}`, cmd: ['sleep', '1000'], network: 'none' });
      ids.push(c.id);
      await engine.start(c.id);
    }

    const imp = spawnSync('podman', [...podman, 'import', rootfsTar, pimage], { encoding: 'utf8' });
    if (imp.status !== 0) return [`ps row skipped: podman import failed: ${imp.stderr.trim()}`];
    await pool(4, Array.from({ length: CREATED }, (_, i) => () => run('podman', [...podman, 'create', '--name', `ps-c${i}`, ...pargs, pimage, '/bin/true'])));
    for (let i = 0; i < RUNNING; i++) await run('podman', [...podman, 'run', '-d', '--name', `ps-r${i}`, ...pargs, pimage, 'sleep', '1000']);

    const names = (out: string) => out.trim().split('\n').filter(Boolean).length;
    const hutchPs = () => {
      const r = spawnSync(process.execPath, [HUTCH, 'ps', '--format', FORMAT, '--filter', 'status=running'], { env, encoding: 'utf8' });
      if (r.status !== 0 || names(r.stdout) !== RUNNING) throw new Error(`hutch ps: exit ${r.status}, ${names(r.stdout)} names: ${r.stderr.trim()}`);
    };
    const podmanPs = () => {
      const r = spawnSync('podman', [...podman, 'ps', '--format', FORMAT, '--filter', 'status=running'], { encoding: 'utf8' });
      if (r.status !== 0 || names(r.stdout) !== RUNNING) throw new Error(`podman ps: exit ${r.status}, ${names(r.stdout)} names: ${r.stderr.trim()}`);
    };
    return [row(`cli: ps --format '${FORMAT}' --filter status=running, ${CREATED} containers`, 'podman ps (same)', await paired(n, 2, hutchPs, podmanPs), 0.5)];
  } finally {
    for (const id of ids) await engine.remove(id, { force: true }).catch(() => {});
    spawnSync('podman', [...podman, 'rm', '-a', '-f', '-t', '0'], { stdio: 'ignore' });
    spawnSync('podman', [...podman, 'rmi', '-a', '-f'], { stdio: 'ignore' });
    // containers/storage keeps its overlay directory mounted (in the bench's own mount namespace).
    for (const m of fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((p) => p?.startsWith(dir)).reverse())
      spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
