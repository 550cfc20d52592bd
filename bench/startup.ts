// Startup row of `npm run bench` (issue 11 item 18): from spawning `hutch` (the
// dashboard, `node bin/hutch.cjs`) in a terminal to its first full frame, the
// containers table drawn with every container's row. The terminal is script(1)'s
// pty (160×50, set by stty in the same shell), read through a pipe; the clock runs
// from the spawn to the read that completes the frame, so it includes node's own
// start. lazydocker is not in Debian, so the peer is htop's startup to its first
// full frame (its header and process list drawn with the F10 Quit key in the footer),
// as context: a different program, the terminal tool users start the same way.
// Each run ends with `q` (then SIGKILL by pid if it lingers).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineApi } from '../src/engine/types.js';
import { HUTCH } from '../test/integration/helpers.js';
import { median } from './stats.js';

const TARGET_MS = 300;
const COLS = 160;
const ROWS = 50;

/** Strips the escape sequences of a terminal stream, leaving its text. */
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g, ' ');

/**
 * Spawns `command` on script(1)'s pty and resolves with the ms from the spawn to
 * the first output that makes `done(text so far)` true; then quits it with `q`.
 */
export function timeToFrame(command: string, env: NodeJS.ProcessEnv, done: (text: string) => boolean, timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn('script', ['-qfec', `stty cols ${COLS} rows ${ROWS}; exec ${command}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let text = '';
    let ms: number | undefined;
    const kill = () => {
      if (p.pid && p.exitCode === null && p.signalCode === null) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    };
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`no full frame from ${command} within ${timeoutMs} ms: ${plain(text).replace(/\s+/g, ' ').slice(-200)}`));
    }, timeoutMs);
    let linger: NodeJS.Timeout | undefined;
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (ms !== undefined) return;
      text += d;
      if (!done(plain(text))) return;
      ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      p.stdin.write('q');
      linger = setTimeout(kill, 3000);
    });
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', () => {
      clearTimeout(timer);
      if (linger) clearTimeout(linger);
      if (ms !== undefined) resolve(ms);
      else reject(new Error(`${command} ended before a full frame: ${plain(text).replace(/\s+/g, ' ').slice(-200)}`));
    });
  });
}

interface Series {
  label: string;
  times: number[];
}

/** hutch (with `names` as its containers) and htop, alternately, n times after 2 warm-up pairs. */
async function pairedStartup(n: number, names: string[], env: NodeJS.ProcessEnv): Promise<{ hutch: number[]; htop: number[] | null }> {
  const node = JSON.stringify(process.execPath);
  // The first screen's rows: the table shows ROWS minus header and footer lines at most.
  const expect = names.slice(0, Math.min(names.length, 20));
  const hutchDone = (t: string) => expect.every((name) => t.includes(name));
  const hasHtop = spawnSync('htop', ['--version'], { stdio: 'ignore' }).status === 0;
  const htopDone = (t: string) => /PID\s+USER/.test(t) && /F10\s*Quit/.test(t);
  const hutch: number[] = [];
  const htop: number[] = [];
  for (let i = 0; i < n + 2; i++) {
    const runs: Array<[() => Promise<number>, number[]]> = [[() => timeToFrame(`${node} ${JSON.stringify(HUTCH)}`, env, hutchDone), hutch]];
    if (hasHtop) runs.push([() => timeToFrame('htop', env, htopDone), htop]);
    if (i % 2) runs.reverse();
    for (const [run, out] of runs) {
      const ms = await run();
      if (i >= 2) out.push(ms);
    }
  }
  return { hutch, htop: hasHtop ? htop : null };
}

const fmtRow = (label: string, a: Series, b: Series | null, extra: string) => {
  const ma = median(a.times);
  const peer = b ? `${b.label.padEnd(22)} ${median(b.times).toFixed(2).padStart(8)} ms   ratio ${(ma / median(b.times)).toFixed(2)} (context)` : `${'htop not installed'.padEnd(22)} ${'n/a'.padStart(8)}`;
  return `${label.padEnd(34)} ${ma.toFixed(2).padStart(8)} ms   ${peer}  p90 ${[...a.times].sort((x, y) => x - y)[Math.floor(a.times.length * 0.9)].toFixed(0)} ms, n=${a.times.length}${extra}; target ≤ ${TARGET_MS} ms ${ma <= TARGET_MS ? 'MET' : 'NOT MET'}`;
};

/**
 * The startup rows: hutch's dashboard to its first full frame with `base` running
 * containers, then with `extra` more (created, not started: the list and the table
 * grow, the sweep does not), each paired with htop.
 */
export async function startupRows(engine: EngineApi, image: string, n = 20, base = 5, extra = 100): Promise<string[]> {
  const lines: string[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION', 'NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'COLUMNS', 'LINES']) delete env[k];
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-bench-startup-'));
  env.XDG_CONFIG_HOME = config;
  const ids: string[] = [];
  try {
    // Names sort before any the table could show first ("aa-"): the first screen holds all of `base`.
    const names: string[] = [];
    for (let i = 0; i < base; i++) {
      const name = `aa-startup-${i}`;
      const c = await engine.create({ image, name, cmd: ['sleep', '1000'] });
      ids.push(c.id);
      await engine.start(c.id);
      names.push(name);
    }
    try {
      const r = await pairedStartup(n, names, env);
      lines.push(fmtRow(`dashboard: startup, ${base} ctrs`, { label: 'hutch', times: r.hutch }, r.htop && { label: 'htop startup', times: r.htop }, ''));
    } catch (e) {
      lines.push(`dashboard startup row skipped: ${(e as Error).message}`);
    }
    if (extra > 0) {
      for (let i = 0; i < extra; i++) ids.push((await engine.create({ image, name: `zz-startup-${i}`, cmd: ['true'] })).id);
      try {
        const r = await pairedStartup(n, names, env);
        lines.push(fmtRow(`dashboard: startup, ${base + extra} ctrs`, { label: 'hutch', times: r.hutch }, r.htop && { label: 'htop startup', times: r.htop }, ` (${extra} created)`));
      } catch (e) {
        lines.push(`dashboard startup row (+${extra}) skipped: ${(e as Error).message}`);
      }
    }
  } finally {
    for (const id of ids) await engine.remove(id, { force: true }).catch(() => {});
    fs.rmSync(config, { recursive: true, force: true });
  }
  return lines;
}
