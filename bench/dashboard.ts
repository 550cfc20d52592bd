// Dashboard rows of `npm run bench` (issue 4): frame time and bytes per tick with
// 500 containers, and whole-process CPU at 100 and 500 containers. Each run is a
// child process (bench/dashboard-child.ts) with the real Controller and Session on
// a fake terminal, the UI tests' fake engine and a fake stats source, so the CPU
// figure is the dashboard's alone (the stats sweep's own cost is the sweep rows).
// The child runs as the dashboard ships: bundled by esbuild (as scripts/build.mjs
// bundles dist/dashboard.mjs) and started by plain node with React's production
// build, not under tsx, whose loader alone keeps an idle process at ~0.35 % of a
// core (measured: an empty setInterval loop, 0.03 % plain, 0.35 % under tsx).
// There is no peer program to pair with: each row prints its target instead.
// BENCH_DASH_SECONDS shortens the 60 s CPU window (for trying the rows out).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const CHILD = path.join(here, 'dashboard-child.ts');

interface Dist {
  p50: number;
  p95: number;
  max: number;
  n: number;
}
interface RenderResult {
  containers: number;
  rowsOnScreen: number;
  largestWrite: number;
  all: { ms: Dist; bytes: Dist; empty: number };
  one: { ms: Dist; bytes: Dist; empty: number };
}
interface CpuResult {
  containers: number;
  seconds: number;
  cpuPercent: number;
  userMs: number;
  systemMs: number;
  bytesPerSecond: number;
}

/** The child as one ESM file in an ignored folder of the repository (so `ink` and themes/ resolve as from dist/). */
async function bundleChild(): Promise<{ argv: string[]; cleanup: () => void }> {
  try {
    const { build } = await import('esbuild');
    fs.mkdirSync(path.join(repo, 'tmp'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(repo, 'tmp', 'hutch-bench-dashboard-'));
    const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
    try {
      const outfile = path.join(dir, 'dashboard-child.mjs');
      await build({ entryPoints: [CHILD], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', jsx: 'automatic', logLevel: 'error' });
      return { argv: [outfile], cleanup };
    } catch (e) {
      cleanup();
      throw e;
    }
  } catch (e) {
    console.error(`bench: cannot bundle the dashboard child (${(e as Error).message.split('\n')[0]}); running it under tsx`);
    return { argv: ['--import', 'tsx', CHILD], cleanup: () => {} };
  }
}

let childArgv: string[] = ['--import', 'tsx', CHILD];

/** Runs the child with `args`; resolves with its JSON line. Kills it (by pid) past `timeoutMs`. */
function child<T>(args: string[], timeoutMs: number): Promise<T> {
  const env = { ...process.env };
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  // The bundle loads React at once: its production build, as src/ui/load.ts has the shipped one load.
  env.NODE_ENV = 'production';
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...childArgv, ...args], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      if (p.pid) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) return resolve(JSON.parse(line) as T);
      const why = signal ? `killed (${signal})` : `exit ${code}`;
      reject(new Error(`dashboard-child ${args.join(' ')}: ${why}: ${err.trim().split('\n').slice(-3).join(' | ') || out.trim()}`));
    });
  });
}

const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
/** Like the other rows: label, figure and unit, then the target where the peer would be. */
const fmt = (label: string, value: number, digits: number, unit: string, target: string, rest: string) =>
  `${label.padEnd(34)} ${value.toFixed(digits).padStart(8)} ${unit.padEnd(3)}  ${target.padEnd(36)} ${rest}`;

export async function dashboardRows(): Promise<string[]> {
  const bundle = await bundleChild();
  childArgv = bundle.argv;
  try {
    return await rows();
  } finally {
    bundle.cleanup();
  }
}

async function rows(): Promise<string[]> {
  const lines: string[] = [];
  const N = 500;
  try {
    const r = await child<RenderResult>(['render', String(N)], 180_000);
    const ms = r.all.ms;
    lines.push(
      fmt(
        `dashboard: frame p95, ${N} ctrs`,
        ms.p95,
        2,
        'ms',
        'no peer; target p95 ≤ 10 ms',
        `p50 ${ms.p50.toFixed(2)} ms, max ${ms.max.toFixed(2)} ms (n=${ms.n}; stats tick → end of the terminal write, every row changing; ${r.rowsOnScreen} rows on a 160×50 tty)  ${verdict(ms.p95 <= 10)}`,
      ),
    );
    const b = r.one.bytes;
    lines.push(
      fmt(
        `dashboard: bytes/tick, 1 row moves`,
        b.p50,
        0,
        'B',
        'no peer; target ≤ 3 KB (3000 B)',
        `median of ${b.n} ticks, max ${b.max} B; every row changing: ${r.all.bytes.p50.toFixed(0)} B; largest write ${r.largestWrite} B  ${verdict(b.p50 <= 3000)}`,
      ),
    );
  } catch (e) {
    lines.push(`dashboard frame/bytes rows skipped: ${(e as Error).message}`);
  }

  const seconds = Number(process.env.BENCH_DASH_SECONDS ?? 60);
  const warmup = Math.min(5, Math.max(2, Math.round(seconds / 4)));
  const cpuRun = (n: number, quiet = false) =>
    child<CpuResult>(['cpu', String(n), String(seconds), String(warmup), ...(quiet ? ['quiet'] : [])], (seconds + warmup + 120) * 1000);
  // [containers, target %, quiet]: the quiet run (no stats changing) shows what the idle screen costs alone.
  const plan: Array<[number, number, boolean]> = [
    [100, 1, false],
    [500, 3, false],
    [500, 3, true],
  ];
  // Each run measures its own process's CPU time; with cores to spare they run side by side.
  let runs: PromiseSettledResult<CpuResult>[];
  if (os.cpus().length >= 4) runs = await Promise.allSettled(plan.map(([n, , q]) => cpuRun(n, q)));
  else {
    runs = [];
    for (const [n, , q] of plan) runs.push(...(await Promise.allSettled([cpuRun(n, q)])));
  }
  const quiet = runs[2].status === 'fulfilled' ? runs[2].value : undefined;
  for (let i = 0; i < 2; i++) {
    const [n, target] = plan[i];
    const res = runs[i];
    if (res.status === 'rejected') {
      lines.push(`dashboard CPU row (${n} ctrs) skipped: ${(res.reason as Error).message}`);
      continue;
    }
    const c = res.value;
    const q = n === 500 && quiet ? `; no stats changing: ${quiet.cpuPercent.toFixed(2)} %` : '';
    lines.push(
      fmt(
        `dashboard: CPU, ${n} ctrs, ${seconds} s`,
        c.cpuPercent,
        2,
        '%',
        `no peer; target ≤ ${target} % of a core`,
        `user ${c.userMs.toFixed(0)} + sys ${c.systemMs.toFixed(0)} ms over ${c.seconds.toFixed(1)} s after ${warmup} s warm-up; 1 s ticks, every row changing, ${(c.bytesPerSecond / 1024).toFixed(1)} KiB/s written${q} (context, not measured: lazydocker users report 2.5–10 % idle)  ${verdict(c.cpuPercent <= target)}`,
      ),
    );
  }
  return lines;
}
