// The hutch-runc rows of `npm run bench` (issue 17), each paired with Debian's runc in the
// same run:
// 1. `hutch-runc run` against `runc run` of the same bundle (a busybox rootfs, `runc spec`
//    with /bin/true and no terminal), each with a --root of its own. Both create the
//    container (cgroups in every hierarchy, namespaces, mounts), start it, wait for it and
//    delete it. Target ≤ 0.5×.
// 2. `ctr run --rm` of /bin/true through containerd's runc shim with `--runc-binary
//    hutch-runc` against the same with runc: containerd (Debian's 1.6) started here with
//    its root, state and socket in the bench's directory, the image an archive the engine
//    saved. Target ≤ 0.8×.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EngineApi } from '../src/engine/types.js';
import { REPO } from '../test/integration/helpers.js';
import { paired, row } from './stats.js';

const RUNC = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => fs.existsSync(p));
const HUTCH_RUNC = path.join(REPO, 'bin', 'hutch-runc');

/** tar: a busybox rootfs archive; image: the same imported into engine; dir: scratch (removed with the bench's root). */
export async function runcRows(engine: EngineApi, image: string, tar: string, dir: string, n: number): Promise<string[]> {
  if (!RUNC) return ['hutch-runc rows skipped: runc is not installed (Debian package runc)'];
  const bundle = path.join(dir, 'runc-bundle');
  fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
  if (spawnSync('tar', ['-C', path.join(bundle, 'rootfs'), '-xf', tar]).status !== 0) throw new Error('tar of the busybox rootfs failed');
  if (spawnSync(RUNC, ['spec'], { cwd: bundle }).status !== 0) throw new Error('runc spec failed');
  const file = path.join(bundle, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = ['/bin/true'];
  fs.writeFileSync(file, JSON.stringify(cfg));
  const id = `hutch-bench-runc-${process.pid}`;
  const run = (bin: string, root: string) => () => {
    const r = spawnSync(bin, ['--root', root, 'run', '--bundle', bundle, id], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${path.basename(bin)} run exited ${r.status}: ${r.stderr.trim()}`);
  };
  const ours = run(HUTCH_RUNC, path.join(dir, 'hutch-runc-root'));
  const theirs = run(RUNC, path.join(dir, 'runc-root'));
  const lines = [row('hutch-runc run true', 'runc run', await paired(n, 3, ours, theirs), 0.5)];
  lines.push(await ctrRow(engine, image, dir, Math.min(n, 20)));
  return lines;
}

async function ctrRow(engine: EngineApi, image: string, dir: string, n: number): Promise<string> {
  if (spawnSync('sh', ['-c', 'command -v containerd && command -v ctr'], { stdio: 'ignore' }).status !== 0)
    return 'ctr row skipped: containerd is not installed (Debian package containerd)';
  const ctd = path.join(dir, 'containerd');
  fs.mkdirSync(ctd, { recursive: true });
  const sock = path.join(ctd, 'sock');
  fs.writeFileSync(path.join(ctd, 'config.toml'), `version = 2\nroot = "${ctd}/root"\nstate = "${ctd}/state"\n[grpc]\n  address = "${sock}"\n[plugins."io.containerd.grpc.v1.cri"]\n  disable_tcp_service = true\n`);
  // the shim and ctr keep sockets and fifos under /run/containerd whatever the config says
  const hadRun = fs.existsSync('/run/containerd');
  const daemon = spawn('containerd', ['--config', path.join(ctd, 'config.toml')], { stdio: 'ignore' });
  const ctr = (...args: string[]) => spawnSync('ctr', ['--address', sock, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    for (let i = 0; i < 100 && ctr('version').status !== 0; i++) await new Promise((res) => setTimeout(res, 100));
    const archive = path.join(ctd, 'image.tar');
    await engine.saveImages([image], archive);
    const imp = spawnSync('ctr', ['--address', sock, 'image', 'import', '--all-platforms', archive], { encoding: 'utf8' });
    if (imp.status !== 0) return `ctr row skipped: ctr image import failed: ${imp.stderr.trim()}`;
    const ref = /unpacking (\S+)/.exec(imp.stdout)?.[1];
    if (!ref) return `ctr row skipped: no image name in ctr's output: ${imp.stdout.trim()}`;
    const run = (bin: string, root: string) => () => {
      const r = ctr('run', '--rm', '--runc-binary', bin, '--runc-root', root, ref, `hutch-bench-ctr-${process.pid}`, '/bin/true');
      if (r.status !== 0) throw new Error(`ctr run with ${path.basename(bin)} exited ${r.status}: ${r.stderr.trim()}`);
    };
    const r = await paired(n, 2, run(HUTCH_RUNC, path.join(ctd, 'hutch-runc-root')), run(RUNC!, path.join(ctd, 'runc-root')));
    return row('ctr run --rm true: hutch-runc', 'ctr run --rm: runc', r, 0.8);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 300));
    daemon.kill('SIGKILL');
    spawnSync('umount', ['-R', path.join(ctd, 'root')], { stdio: 'ignore' });
    if (!hadRun) fs.rmSync('/run/containerd', { recursive: true, force: true });
  }
}
