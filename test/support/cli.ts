// Runs the hutch CLI without blocking this process: tests that serve HTTP from
// their own process (proxies, token servers, fake registries) cannot use
// spawnSync, which would stop their event loop while hutch waits on them.
import { spawn, type ChildProcess } from 'node:child_process';
import { HUTCH } from '../integration/helpers.js';

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cliAsync(env: NodeJS.ProcessEnv, args: string[], opts: { input?: string; timeoutMs?: number; onSpawn?: (child: ChildProcess) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HUTCH, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    opts.onSpawn?.(child);
  });
}
