// Other engines' containers (src/engine/foreign/): one sweep of the scanner over 500
// of them, as the dashboard does every tick — runc-format state directories (half
// runc's, half docker's moby namespace, names from docker's config.v2.json) whose
// inits are alive, plus the cgroup tree walked (every 5 s in the dashboard; here in
// every sweep of its own row). Fake trees in a temp directory; no peer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ForeignScanner, resolverFor } from '../src/engine/foreign/scan.js';
import { defaultStateRoots } from '../src/engine/foreign/state-dirs.js';
import { procStartTime } from '../src/engine/proc.js';
import { median } from './stats.js';

const N = 500;
const TARGET_MS = 5;

export async function foreignRows(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-bench-foreign-'));
  try {
    const run = path.join(dir, 'run');
    const tree = path.join(dir, 'cg');
    const start = procStartTime(process.pid) ?? 0;
    for (let i = 0; i < N; i++) {
      const id = i.toString(16).padStart(64, '0');
      const docker = i % 2 === 1;
      const root = docker ? path.join(run, 'docker/runtime-runc/moby') : path.join(run, 'runc');
      const cg = docker ? `/docker/${id}` : `/machine.slice/libpod-${id}.scope`;
      fs.mkdirSync(path.join(root, id), { recursive: true });
      fs.mkdirSync(path.join(tree, cg), { recursive: true });
      // runc's state.json is several KiB (its whole config): the size matters to a parser.
      const config = { rootfs: `/b/${id}/rootfs`, labels: [`bundle=/b/${id}`], mounts: Array.from({ length: 20 }, (_, k) => ({ source: `/s${k}`, destination: `/d${k}`, device: 'bind', flags: 20480 })) };
      fs.writeFileSync(path.join(root, id, 'state.json'), JSON.stringify({ id, init_process_pid: process.pid, init_process_start: start, created: new Date().toISOString(), config, cgroup_paths: { memory: `/sys/fs/cgroup/memory${cg}`, cpuacct: `/sys/fs/cgroup/cpuacct${cg}`, pids: `/sys/fs/cgroup/pids${cg}` } }));
      if (docker) {
        fs.mkdirSync(path.join(dir, 'docker/containers', id), { recursive: true });
        fs.writeFileSync(path.join(dir, 'docker/containers', id, 'config.v2.json'), JSON.stringify({ Name: `/web-${i}` }));
      }
    }
    const layout = { mode: 'v1' as const, unified: null, v1: [{ mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] }] };
    const time = (scanner: ForeignScanner, now: () => number) => {
      const xs: number[] = [];
      let found = 0;
      for (let r = 0; r < 40; r++) {
        const t0 = process.hrtime.bigint();
        found = scanner.scan(now()).length;
        xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return { ms: median(xs.slice(5)), found };
    };
    const roots = defaultStateRoots(run);
    // A dashboard tick: state directories only (the tree's walk is due every 5 s).
    const tick = time(new ForeignScanner({ roots, tree: { dir: tree, resolve: resolverFor(layout) }, layout, dockerRoot: path.join(dir, 'docker'), treeEveryMs: 5000 }), () => 0);
    let clock = 0;
    const walk = time(new ForeignScanner({ roots, tree: { dir: tree, resolve: resolverFor(layout) }, layout, dockerRoot: path.join(dir, 'docker'), treeEveryMs: 1 }), () => (clock += 10));
    const verdict = (ms: number) => (ms <= TARGET_MS ? 'MET' : 'NOT MET');
    return [
      `${'foreign: scan, 500 ctrs'.padEnd(34)} ${tick.ms.toFixed(2).padStart(8)} ms   no peer; target ≤ ${TARGET_MS} ms a sweep   median of 35 sweeps after 5; ${tick.found} found (state directories of runc and docker, alive inits)  ${verdict(tick.ms)}`,
      `${'foreign: scan + cgroup walk, 500'.padEnd(34)} ${walk.ms.toFixed(2).padStart(8)} ms   no peer; context (the walk runs every 5 s)   ${walk.found} found`,
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
