// --ulimit, --sysctl, --oom-score-adj, --stop-signal, --stop-timeout: parsed and checked
// as docker does, for the CLI (parse*) and for the engine's validate (check*).
import os from 'node:os';
import { InvalidArgument } from '../errors.js';
import type { ContainerSpec, Ulimit } from '../types.js';

/** docker's (go-units) ulimit names → OCI rlimit types. `as` is left out, as docker does. */
export const ULIMITS: Record<string, string> = {
  core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE', locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE', nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC', rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO', rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK',
};

function limitValue(s: string, arg: string): number {
  if (!/^-?\d+$/.test(s)) throw new InvalidArgument(`invalid argument ${JSON.stringify(arg)} for "--ulimit" flag: strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < -1) throw new InvalidArgument(`invalid argument ${JSON.stringify(arg)} for "--ulimit" flag: value out of range`);
  return n;
}

/** `nofile=1024[:2048]` (go-units ParseUlimit); -1 is unlimited; soft ≤ hard. */
export function parseUlimit(arg: string): Ulimit {
  const eq = arg.indexOf('=');
  if (eq < 0) throw new InvalidArgument(`invalid argument ${JSON.stringify(arg)} for "--ulimit" flag: invalid ulimit argument: ${arg}`);
  const name = arg.slice(0, eq);
  if (!ULIMITS[name]) throw new InvalidArgument(`invalid argument ${JSON.stringify(arg)} for "--ulimit" flag: invalid ulimit type: ${name}`);
  const parts = arg.slice(eq + 1).split(':');
  if (parts.length > 2) throw new InvalidArgument(`invalid argument ${JSON.stringify(arg)} for "--ulimit" flag: too many limit value arguments - ${arg.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const soft = limitValue(parts[0], arg);
  const hard = parts.length > 1 ? limitValue(parts[1], arg) : soft;
  checkUlimit({ name, soft, hard });
  return { name, soft, hard };
}

export function checkUlimit(u: Ulimit): void {
  if (!ULIMITS[u.name]) throw new InvalidArgument(`invalid ulimit type: ${u.name}`);
  for (const v of [u.soft, u.hard]) if (!Number.isSafeInteger(v) || v < -1) throw new InvalidArgument(`invalid ulimit ${u.name}: ${v}`);
  const big = (v: number) => (v === -1 ? Infinity : v);
  if (big(u.soft) > big(u.hard)) throw new InvalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${u.soft} > ${u.hard}`);
}

/** OCI rlimits; -1 (unlimited) as 2^64, which the monitor reads as RLIM_INFINITY. */
export function rlimitsFor(ulimits: readonly Ulimit[] = []): Array<{ type: string; soft: number; hard: number }> {
  const byName = new Map(ulimits.map((u) => [u.name, u])); // a repeated name: the last wins
  const v = (n: number) => (n === -1 ? 2 ** 64 : n);
  return [...byName.values()].map((u) => ({ type: ULIMITS[u.name], soft: v(u.soft), hard: v(u.hard) }));
}

/** `K=V` → [K, V]. */
export function parseSysctl(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new InvalidArgument(`invalid argument ${JSON.stringify(arg)} for "--sysctl" flag: ${JSON.stringify(arg)} is not a valid sysctl value (K=V)`);
  return [arg.slice(0, eq).trim(), arg.slice(eq + 1)];
}

const NAME_RE = /^[A-Za-z0-9_-]+(?:[./][A-Za-z0-9_-]+)*$/;

/**
 * Only sysctls of the container's own namespaces (docker/runc's list): IPC ones
 * (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*), and net.* when the container
 * has a network namespace of its own. Anything else would change the host.
 */
export function checkSysctl(key: string, value: string, network: ContainerSpec['network']): void {
  const allowed = 'only namespaced ones are (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)';
  if (!NAME_RE.test(key)) throw new InvalidArgument(`sysctl ${JSON.stringify(key)} is not allowed: not a sysctl name`);
  if (value.includes('\0') || value.includes('\n')) throw new InvalidArgument(`sysctl ${JSON.stringify(key)}: invalid value`);
  const k = key.replace(/\//g, '.');
  if (k.startsWith('net.')) {
    if (network === 'host') throw new InvalidArgument(`sysctl ${JSON.stringify(key)} is not allowed in the host's network namespace`);
    if (network?.startsWith('container:')) throw new InvalidArgument(`sysctl ${JSON.stringify(key)} is not allowed: the network namespace is another container's`);
    return;
  }
  if (k.startsWith('kernel.shm') || k.startsWith('kernel.msg') || k === 'kernel.sem' || k.startsWith('fs.mqueue.')) return;
  throw new InvalidArgument(`sysctl ${JSON.stringify(key)} is not allowed: ${allowed}`);
}

export function checkOomScoreAdj(n: number): void {
  if (!Number.isInteger(n) || n < -1000 || n > 1000) throw new InvalidArgument(`Invalid value ${n}, range for oom score adj is [-1000, 1000]`);
}

/** A signal name or number (`SIGTERM`, `term`, `15`) → its number; docker's error otherwise. */
export function signalNumber(sig: string): number {
  if (/^\d+$/.test(sig)) {
    const n = Number(sig);
    if (n > 0 && n <= 64) return n;
  } else {
    const up = sig.toUpperCase();
    const n = os.constants.signals[(up.startsWith('SIG') ? up : `SIG${up}`) as keyof typeof os.constants.signals];
    if (n !== undefined) return n;
  }
  throw new InvalidArgument(`Invalid signal: ${sig}`);
}
