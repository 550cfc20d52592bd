// Layer extraction throughput against GNU tar, paired in one run: the same
// ~200 MiB tree of small files (/usr/include, then /usr/share, cut at 200 MiB)
// packed by GNU tar as tree.tar and tree.tar.gz, each extracted into a fresh
// directory on a tmpfs mounted for the bench. hutch goes through extractLayer
// (worker thread included), as `hutch load`/`pull` do. Runs alone with
// `node --import tsx bench/extract.ts` (as root).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractLayer } from '../src/engine/images/extract/index.js';
import { median } from './stats.js';

const TREE_BYTES = 200 * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_EXTRACT_ROUNDS ?? 5);

/** usr/include then usr/share, depth-first and sorted, until the files add up to TREE_BYTES. */
export function treeList(): string[] {
  const out: string[] = [];
  let bytes = 0;
  const walk = (rel: string): boolean => {
    out.push(rel);
    for (const e of fs.readdirSync(path.join('/', rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!walk(p)) return false;
      } else if (e.isFile()) {
        const size = fs.lstatSync(path.join('/', p)).size;
        if (bytes + size > TREE_BYTES) return false;
        bytes += size;
        out.push(p);
      } else if (e.isSymbolicLink()) out.push(p);
    }
    return true;
  };
  for (const top of ['usr/include', 'usr/share']) if (fs.existsSync(`/${top}`) && !walk(top)) break;
  return out;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
}

interface Pair {
  hutch: number[];
  tar: number[];
}

function line(label: string, peer: string, mib: number, p: Pair, target: number): string {
  const rate = (ms: number) => mib / (ms / 1000);
  const ratios = p.hutch.map((h, i) => p.tar[i] / h);
  const ratio = median(ratios);
  return `${label.padEnd(34)} ${rate(median(p.hutch)).toFixed(0).padStart(8)} MiB/s ${peer.padEnd(22)} ${rate(median(p.tar)).toFixed(0).padStart(8)} MiB/s ratio ${ratio.toFixed(2)} (pairs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}, n=${ratios.length})  target ≥ ${target}× ${ratio >= target ? 'MET' : 'NOT MET'}`;
}

export async function extractRows(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-bench-extract-'));
  const mnt = path.join(dir, 'hutch-test-tmpfs');
  fs.mkdirSync(mnt);
  let mounted = false;
  try {
    run('mount', ['-t', 'tmpfs', '-o', 'size=3g', 'hutch-test-extract', mnt]);
    mounted = true;
    const list = path.join(dir, 'list');
    fs.writeFileSync(list, treeList().join('\n') + '\n');
    const plain = path.join(mnt, 'tree.tar');
    const gz = path.join(mnt, 'tree.tar.gz');
    run('tar', ['-C', '/', '--no-recursion', '-T', list, '-cf', plain]);
    spawnSync('sh', ['-c', `gzip -c "${plain}" > "${gz}"`]);
    const mib = fs.statSync(plain).size / 2 ** 20;
    const entries = fs.readFileSync(list, 'utf8').trim().split('\n').length;
    let n = 0;
    const fresh = () => {
      const d = path.join(mnt, `out-${n++}`);
      fs.mkdirSync(d);
      return d;
    };
    const clean = (d: string) => fs.rmSync(d, { recursive: true, force: true });
    const timed = async (fn: (d: string) => Promise<void> | void) => {
      const d = fresh();
      const t0 = process.hrtime.bigint();
      await fn(d);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clean(d);
      return ms;
    };
    const pair = async (file: string, tarFlag: string): Promise<Pair> => {
      const p: Pair = { hutch: [], tar: [] };
      const hutch = (d: string) => extractLayer(file, d, { whiteouts: 'apply' }).then(() => undefined);
      const gnu = (d: string) => run('tar', [tarFlag, file, '-C', d]);
      for (let i = 0; i < ROUNDS + 1; i++) {
        const order: Array<['hutch' | 'tar', (d: string) => Promise<void> | void]> = i % 2 ? [['tar', gnu], ['hutch', hutch]] : [['hutch', hutch], ['tar', gnu]];
        for (const [who, fn] of order) {
          const ms = await timed(fn);
          if (i > 0) p[who].push(ms); // round 0 warms the page cache and the worker code
        }
      }
      return p;
    };
    const label = `${mib.toFixed(0)} MiB, ${entries} entries`;
    return [
      line(`extract tar (${label})`, 'tar -xf', mib, await pair(plain, '-xf'), 0.7),
      line(`extract tar.gz (${(fs.statSync(gz).size / 2 ** 20).toFixed(0)} MiB gz)`, 'tar -xzf', mib, await pair(gz, '-xzf'), 1.0),
    ];
  } finally {
    if (mounted) spawnSync('umount', [mnt]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const l of await extractRows()) console.log(l);
}
