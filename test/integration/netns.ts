// Network namespaces for the network tests, as netavark's tests do: a fake host
// (where hutch runs: its bridges, veths and nftables table live and die there) and
// an "outside" machine on a veth uplink (192.0.2.0/24, TEST-NET-1). Traffic only
// flows between these namespaces; nothing reaches the real machine's network, and
// killing the two `sleep` processes that hold the namespaces removes all of it.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { HUTCH } from './helpers.js';

export const UPLINK_HOST = '192.0.2.1';
export const UPLINK_OUTSIDE = '192.0.2.2';

export interface NetLab {
  /** pid holding the fake host's namespace */
  hostPid: number;
  outsidePid: number;
  /** Runs a program in the fake host's network namespace. */
  inHost(argv: string[], opts?: { input?: string; timeout?: number; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string>;
  inOutside(argv: string[], opts?: { timeout?: number }): SpawnSyncReturns<string>;
  /** The hutch CLI in the fake host, with this environment (HUTCH_ROOT…). */
  hutch(env: NodeJS.ProcessEnv, args: string[], opts?: { timeout?: number }): SpawnSyncReturns<string>;
  close(): void;
}

function holder(): ChildProcess {
  // `unshare -n` makes the namespace; sleep keeps it alive until we kill it.
  const p = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  return p;
}

function waitNs(pid: number): void {
  // unshare execs sleep once the namespace exists: the netns link changes from ours.
  const ours = spawnSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).stdout.trim();
  for (let i = 0; i < 500; i++) {
    const r = spawnSync('readlink', [`/proc/${pid}/ns/net`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() !== ours && r.stdout.trim() !== '') return;
    spawnSync('sleep', ['0.01']);
  }
  throw new Error(`the namespace of ${pid} did not appear`);
}

function must(r: SpawnSyncReturns<string>, what: string): void {
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status}: ${r.stderr}${r.error ?? ''}`);
}

export function netLab(): NetLab {
  const host = holder();
  const outside = holder();
  const kill = () => {
    for (const p of [host, outside]) if (p.pid && p.exitCode === null) p.kill('SIGKILL');
  };
  try {
    waitNs(host.pid!);
    waitNs(outside.pid!);
    const inNs = (pid: number) => (argv: string[], opts: { input?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}) =>
      spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, '--', ...argv], { encoding: 'utf8', input: opts.input ?? '', timeout: opts.timeout ?? 30_000, env: opts.env ?? process.env });
    const inHost = inNs(host.pid!);
    const inOutside = inNs(outside.pid!);
    must(inHost(['ip', 'link', 'set', 'lo', 'up']), 'lo up (host)');
    must(inOutside(['ip', 'link', 'set', 'lo', 'up']), 'lo up (outside)');
    must(inHost(['ip', 'link', 'add', 'hutchtup', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(outside.pid)]), 'uplink veth');
    must(inHost(['ip', 'addr', 'add', `${UPLINK_HOST}/24`, 'dev', 'hutchtup']), 'uplink address (host)');
    must(inHost(['ip', 'link', 'set', 'hutchtup', 'up']), 'uplink up (host)');
    must(inOutside(['ip', 'addr', 'add', `${UPLINK_OUTSIDE}/24`, 'dev', 'eth0']), 'uplink address (outside)');
    must(inOutside(['ip', 'link', 'set', 'eth0', 'up']), 'uplink up (outside)');
    return {
      hostPid: host.pid!,
      outsidePid: outside.pid!,
      inHost,
      inOutside,
      hutch: (env, args, opts = {}) => inHost([process.execPath, HUTCH, ...args], { env, timeout: opts.timeout ?? 60_000 }),
      close: kill,
    };
  } catch (e) {
    kill();
    throw e;
  }
}

/** `busybox nc` sending an HTTP/1.0 GET to http://HOST:PORT/ (2 s timeout). */
export function httpArgv(url: string): string[] {
  const m = /^http:\/\/([^/:]+)(?::(\d+))?\//.exec(url);
  if (!m) throw new Error(`bad url ${url}`);
  // Not busybox wget: the static build's resolver crashes on this glibc (SIGSEGV, even for an address).
  return ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 2 ${m[1]} ${m[2] ?? '80'}`];
}

/** The body of a 200 response, or null when the connection or the request failed. */
export function httpBody(out: string): string | null {
  const i = out.indexOf('\r\n\r\n');
  return /^HTTP\/1\.[01] 200/.test(out) && i >= 0 ? out.slice(i + 4) : null;
}

/** An HTTP GET run through `run` (a namespace's runner): the body, or null. */
export function fetchVia(run: (argv: string[]) => SpawnSyncReturns<string>, url: string): string | null {
  const r = run(httpArgv(url));
  return r.status === 0 ? httpBody(r.stdout) : null;
}
