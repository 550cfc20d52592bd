// Network namespaces for the network tests, as netavark's tests do: a fake host
// (where hutch runs: its bridges, veths and nftables table live and die there) and
// an "outside" machine on a veth uplink (192.0.2.0/24, TEST-NET-1). Traffic only
// flows between these namespaces; nothing reaches the real machine's network, and
// killing the two `sleep` processes that hold the namespaces removes all of it.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HUTCH, cgroupParentDirs } from './helpers.js';

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

export interface LabSuite {
  /** The lab, made by the file's before() hook. */
  readonly lab: NetLab;
  /** This file's HUTCH_ROOT. */
  readonly root: string;
  /** The hutch CLI in the fake host, with this file's root and cgroup parent. */
  hutch(...args: string[]): SpawnSyncReturns<string>;
  /** hutch, asserting exit 0; its stdout, trimmed. */
  ok(...args: string[]): string;
  /** A container serving `hello-NAME` over HTTP on port 80 (busybox httpd). */
  server(name: string, ...flags: string[]): void;
  /** `hutch inspect NAME`'s record. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read engine records loosely, as JSON
  info(name: string): any;
  /** GET from inside a container: the body, or null. */
  fromCtr(name: string, url: string): string | null;
}

/**
 * The set-up network.test.ts and network-live.test.ts share: registers the file's
 * before() (a lab, a fresh HUTCH_ROOT, a cgroup parent of its own) and after() (every
 * container removed, gc, the lab's namespaces killed, the root and cgroups removed).
 */
export function labSuite(rootPrefix: string): LabSuite {
  let lab: NetLab | undefined;
  let env: NodeJS.ProcessEnv;
  let root = '';
  let cgroupParent = '';
  const hutch = (...args: string[]) => lab!.hutch(env, args);
  const ok = (...args: string[]): string => {
    const r = hutch(...args);
    assert.equal(r.status, 0, `hutch ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  before(() => {
    lab = netLab();
    root = fs.mkdtempSync(path.join(os.tmpdir(), rootPrefix));
    cgroupParent = `hutch-test-${randomBytes(4).toString('hex')}`;
    env = { ...process.env, HUTCH_ROOT: root, HUTCH_CGROUP_PARENT: cgroupParent };
  });
  after(() => {
    try {
      for (const id of (hutch('ps', '-aq').stdout ?? '').split('\n').filter(Boolean)) hutch('rm', '-f', id);
      hutch('gc');
    } finally {
      lab!.close();
      for (const d of cgroupParentDirs(cgroupParent)) fs.rmSync(d, { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  return {
    get lab() {
      return lab!;
    },
    get root() {
      return root;
    },
    hutch,
    ok,
    server(name, ...flags) {
      ok('run', '-d', '--name', name, ...flags, 'host', 'sh', '-c', `mkdir -p /www && echo hello-${name} > /www/index.html && exec busybox httpd -f -p 80 -h /www`);
    },
    info: (name) => JSON.parse(ok('inspect', name))[0].Hutch,
    fromCtr(name, url) {
      const r = hutch('exec', name, ...httpArgv(url));
      return r.status === 0 ? httpBody(r.stdout) : null;
    },
  };
}
