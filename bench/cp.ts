// `hutch cp` throughput against `tar -c | tar -x`, paired in one run: the same
// ~200 MiB tree of small files as bench/extract.ts (its builder), copied from a
// tmpfs into a running host-image container's /tmp (its layer, on a tmpfs state
// root), each round into a fresh directory; tar writes through
// /proc/<init>/root, the same place. hutch goes through the engine's copyTo, as
// the CLI does (process start not counted). Runs alone with
// `node --import tsx bench/cp.ts` (as root).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openEngine } from '../src/engine/index.js';
import { treeList } from './extract.js';
import { median } from './stats.js';

const ROUNDS = Number(process.env.BENCH_CP_ROUNDS ?? 5);
const TARGET = 0.8;

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
}

export async function cpRows(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-bench-cp-'));
  const mnt = path.join(dir, 'hutch-test-tmpfs');
  fs.mkdirSync(mnt);
  let mounted = false;
  const saved = { root: process.env.HUTCH_ROOT, cg: process.env.HUTCH_CGROUP_PARENT };
  try {
    run('mount', ['-t', 'tmpfs', '-o', 'size=4g', 'hutch-test-cp', mnt]);
    mounted = true;
    const list = path.join(dir, 'list');
    fs.writeFileSync(list, treeList().join('\n') + '\n');
    const src = path.join(mnt, 'src');
    fs.mkdirSync(src);
    const r = spawnSync('sh', ['-c', `tar -C / --no-recursion -T "${list}" -cf - | tar -C "${src}" -xf -`]);
    if (r.status !== 0) throw new Error(`building the tree: ${r.stderr}`);
    const mib = Number(spawnSync('du', ['-sb', src], { encoding: 'utf8' }).stdout.split('\t')[0]) / 2 ** 20;
    const entries = fs.readFileSync(list, 'utf8').trim().split('\n').length;
    const root = path.join(mnt, 'state');
    process.env.HUTCH_CGROUP_PARENT = `hutch-test-bench-cp-${process.pid}`;
    const engine = await openEngine({ root });
    const c = await engine.create({ image: 'host', cmd: ['sleep', '3600'] });
    try {
      const info = await engine.start(c.id);
      const ctrRoot = `/proc/${info.pid}/root`;
      let n = 0;
      const p = { hutch: [] as number[], tar: [] as number[] };
      const once = async (who: 'hutch' | 'tar') => {
        const name = `/tmp/dst-${n++}`;
        fs.mkdirSync(path.join(ctrRoot, name));
        const t0 = process.hrtime.bigint();
        if (who === 'hutch') await engine.copyTo(c.id, name, `${src}/.`);
        else run('sh', ['-c', `tar -C "${src}" -cf - . | tar -C "${ctrRoot}${name}" -xf -`]);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        fs.rmSync(path.join(ctrRoot, name), { recursive: true, force: true });
        return ms;
      };
      for (let i = 0; i < ROUNDS + 1; i++) {
        for (const who of i % 2 ? (['tar', 'hutch'] as const) : (['hutch', 'tar'] as const)) {
          const ms = await once(who);
          if (i > 0) p[who].push(ms);
        }
      }
      const rate = (ms: number) => mib / (ms / 1000);
      const ratios = p.hutch.map((h, i) => p.tar[i] / h);
      const ratio = median(ratios);
      const label = `cp into a container (${mib.toFixed(0)} MiB, ${entries} entries)`;
      return [
        `${label.padEnd(34)} ${rate(median(p.hutch)).toFixed(0).padStart(8)} MiB/s ${'tar -c | tar -x'.padEnd(22)} ${rate(median(p.tar)).toFixed(0).padStart(8)} MiB/s ratio ${ratio.toFixed(2)} (pairs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}, n=${ratios.length})  target ≥ ${TARGET}× ${ratio >= TARGET ? 'MET' : 'NOT MET'}`,
      ];
    } finally {
      await engine.remove(c.id, { force: true }).catch(() => {});
      await engine.gc().catch(() => {});
      // The row's own cgroup parent, in every hierarchy (empty once the container is gone).
      for (const h of fs.readdirSync('/sys/fs/cgroup')) {
        try {
          fs.rmdirSync(path.join('/sys/fs/cgroup', h, `hutch-test-bench-cp-${process.pid}`));
        } catch {
          /* not in this hierarchy */
        }
      }
    }
  } finally {
    if (saved.cg === undefined) delete process.env.HUTCH_CGROUP_PARENT;
    else process.env.HUTCH_CGROUP_PARENT = saved.cg;
    if (mounted) spawnSync('umount', ['-l', mnt]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const l of await cpRows()) console.log(l);
}
