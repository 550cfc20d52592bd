// The hutch-runc row of `npm run bench` (issue 17): `hutch-runc run` against Debian's
// `runc run` of the same bundle (a busybox rootfs, `runc spec` with /bin/true and no
// terminal), each with a --root of its own, paired. Both create the container (cgroups in
// every hierarchy, namespaces, mounts), start it, wait for it and delete it. Target ≤ 0.5×.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from '../test/integration/helpers.js';
import { paired, row } from './stats.js';

const RUNC = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => fs.existsSync(p));

/** tar: a busybox rootfs archive; dir: a scratch directory (removed with the bench's root). */
export async function runcRows(tar: string, dir: string, n: number): Promise<string[]> {
  if (!RUNC) return ['hutch-runc row skipped: runc is not installed (Debian package runc)'];
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
  const ours = run(path.join(REPO, 'bin', 'hutch-runc'), path.join(dir, 'hutch-runc-root'));
  const theirs = run(RUNC, path.join(dir, 'runc-root'));
  return [row('hutch-runc run true', 'runc run', await paired(n, 3, ours, theirs), 0.5)];
}
