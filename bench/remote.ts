// Remote-host rows of `npm run bench` (issue 18, "Several hosts"):
//  1. bytes per second a host sends over ssh with 100 containers at 1 s: the stream
//     (`hutch stats --json --interval 1000`, what changed only) through the ssh
//     stand-in (a script that skips ssh's options and runs the command here with the
//     bench's state root), its stdout counted over 30 s after a 5 s warm-up. Half the
//     containers sleep, half wake every second for a short loop, so CPU figures move.
//  2. the dashboard's CPU with 3 hosts × 100 containers: a child process (bench/
//     remote-child.ts, bundled as bench/dashboard.ts bundles its child) runs the real
//     Controller and Session on a fake 160×50 terminal, the remote hosts reached through
//     a stand-in that replays row 1's recorded stream at 1 s per line; the dashboard
//     decodes, merges and draws all of it. process.cpuUsage() over 30 s (BENCH_REMOTE_SECONDS).
// No peer (lazydocker and ctop have no multi-host view): each row prints its target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../src/engine/index.js';
import { HUTCH } from '../test/integration/helpers.js';
import { sshArgv, type SshConfig } from '../src/engine/remote/ssh.js';
import { SSH_STANDIN_HERE } from '../test/support/ssh-standin.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const N = 100;

/** The replaying stand-in: the header and the first (whole) frame, then the recorded changes, one line a second, round and round. */
const REPLAY_STANDIN = (file: string) => `#!/bin/sh
for a in "$@"; do [ "$a" = -O ] && exit 0; done
head -n 2 '${file}'
while :; do
  tail -n +3 '${file}' | while IFS= read -r line; do sleep 1; printf '%s\\n' "$line"; done
done
`;

const fmt = (label: string, value: number, digits: number, unit: string, target: string, rest: string) =>
  `${label.padEnd(34)} ${value.toFixed(digits).padStart(8)} ${unit.padEnd(4)} ${target.padEnd(36)} ${rest}`;
const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function remoteRows(engine: Engine, image: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const lines: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-bench-remote-'));
  const ids: string[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const cmd = i % 2 ? ['sleep', '100000'] : ['sh', '-c', 'while :; do i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; sleep 1; done'];
      const c = await engine.create({ image, cmd, network: 'none' });
      ids.push((await engine.start(c.id)).id);
    }
    fs.writeFileSync(path.join(tmp, 'ssh'), SSH_STANDIN_HERE, { mode: 0o755 });
    const record = path.join(tmp, 'stream.ndjson');
    const seconds = Number(process.env.BENCH_REMOTE_SECONDS ?? 30);
    try {
      const r = await streamBytes(tmp, env, record, seconds, 5);
      lines.push(
        fmt(
          `remote: stream bytes/s, ${N} ctrs`,
          r.bytesPerSecond,
          0,
          'B/s',
          'no peer; target ≤ 4 KB/s (4096 B/s)',
          `${r.bytes} B in ${r.lines} lines (${(r.bytes / Math.max(1, r.lines)).toFixed(0)} B a line) over ${r.seconds.toFixed(1)} s after 5 s warm-up (--interval 1000; the first, whole frame ${r.firstFrame} B; ssh stand-in's stdout)  ${verdict(r.bytesPerSecond <= 4096)}`,
        ),
      );
    } catch (e) {
      lines.push(`remote stream bytes row skipped: ${(e as Error).message}`);
      return lines;
    }
    fs.mkdirSync(path.join(tmp, 'replay'));
    fs.writeFileSync(path.join(tmp, 'replay', 'ssh'), REPLAY_STANDIN(record), { mode: 0o755 });
    try {
      const c = await dashboardCpu(path.join(tmp, 'replay'), seconds, 5);
      lines.push(
        fmt(
          `remote: dashboard CPU, 3×${N} ctrs`,
          c.cpuPercent,
          2,
          '%',
          'no peer; target ≤ 2 % of a core',
          `user ${c.userMs.toFixed(0)} + sys ${c.systemMs.toFixed(0)} ms over ${c.seconds.toFixed(1)} s after 5 s warm-up; ${c.rows} rows from 3 hosts (recorded streams replayed at 1 s), decoded, merged and drawn on a 160×50 tty, ${(c.bytesPerSecond / 1024).toFixed(1)} KiB/s written  ${verdict(c.cpuPercent <= 2)}`,
        ),
      );
    } catch (e) {
      lines.push(`remote dashboard CPU row skipped: ${(e as Error).message}`);
    }
  } finally {
    for (const id of ids) await engine.remove(id, { force: true }).catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return lines;
}

/** Runs the stream through the stand-in; counts its stdout after `warmup` s for `seconds` s; keeps the lines in `record`. */
async function streamBytes(standinDir: string, env: NodeJS.ProcessEnv, record: string, seconds: number, warmup: number) {
  const cfg: SshConfig = { program: path.join(standinDir, 'ssh'), controlDir: standinDir, remoteHutch: [process.execPath, HUTCH], env };
  const p = spawn(cfg.program, sshArgv(cfg, 'bench-host', ['stats', '--json', '--interval', '1000']), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = fs.openSync(record, 'w');
  let counting = false;
  let bytes = 0;
  let lines = 0;
  let err = '';
  p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  p.stdout.on('data', (d: Buffer) => {
    fs.writeSync(out, d);
    if (!counting) return;
    bytes += d.length;
    for (const b of d) if (b === 10) lines++;
  });
  try {
    await sleep(warmup * 1000);
    if (p.exitCode !== null) throw new Error(`the stream ended: ${err.trim().split('\n').pop()}`);
    counting = true;
    const t0 = performance.now();
    await sleep(seconds * 1000);
    counting = false;
    const wall = (performance.now() - t0) / 1000;
    const firstFrame = Buffer.byteLength(fs.readFileSync(record, 'utf8').split('\n')[1] ?? '');
    return { bytes, lines, seconds: wall, bytesPerSecond: bytes / wall, firstFrame };
  } finally {
    if (p.pid && p.exitCode === null) p.kill('SIGTERM');
    await new Promise((r) => (p.exitCode !== null ? r(null) : p.once('close', r)));
    fs.closeSync(out);
  }
}

interface ChildResult {
  cpuPercent: number;
  userMs: number;
  systemMs: number;
  seconds: number;
  bytesPerSecond: number;
  rows: number;
}

/** The dashboard child (bundled: plain node, React's production build), its JSON line. */
async function dashboardCpu(standinDir: string, seconds: number, warmup: number): Promise<ChildResult> {
  const { build } = await import('esbuild');
  fs.mkdirSync(path.join(repo, 'tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(repo, 'tmp', 'hutch-bench-remote-'));
  try {
    const outfile = path.join(dir, 'remote-child.mjs');
    await build({ entryPoints: [path.join(here, 'remote-child.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', jsx: 'automatic', logLevel: 'error' });
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PATH: `${standinDir}:${process.env.PATH}` };
    delete env.CI;
    delete env.CONTINUOUS_INTEGRATION;
    return await new Promise<ChildResult>((resolve, reject) => {
      // BENCH_REMOTE_PROF=DIR: the child's CPU profile there (where its time goes).
      const prof = process.env.BENCH_REMOTE_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_REMOTE_PROF}`] : [];
      const p = spawn(process.execPath, [...prof, outfile, String(seconds), String(warmup)], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const timer = setTimeout(() => p.pid && p.kill('SIGKILL'), (seconds + warmup + 60) * 1000);
      p.on('close', (code) => {
        clearTimeout(timer);
        const line = out.trim().split('\n').pop() ?? '';
        if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ChildResult);
        else reject(new Error(`remote-child: exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
