// The container's record on disk (`state.json` in its bundle directory) and the
// files the monitor writes beside it. All writes go through writeJsonAtomic under the
// container's lock.
import type { IdRange } from '../security/userns.js';
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerInfo } from '../types.js';
import { readJson, writeJsonAtomic } from '../state/atomic.js';
import type { Native } from '../native/native.js';
import { BrokenRecord } from '../errors.js';
import { readHealth } from './health-file.js';

/** What state.json holds: the public info plus what is needed to find processes again. */
export interface ContainerRecord extends ContainerInfo {
  /** Start time (clock ticks since boot, /proc/PID/stat field 22) of the monitor and
   * the init, so a reused pid is never mistaken for ours. */
  monitorStartTime: number;
  pidStartTime: number;
  /** `--userns=auto`: the host ids its user namespace maps 0… to (freed by rm). */
  idRange?: IdRange;
  /** The restart policy's last delay, ms (doubled each restart, reset after 10 s up). */
  restartDelayMs?: number;
  /** While a restart is pending: the process waiting out its delay, and when it is due
   * (ms since the epoch); a dead waiter is replaced by whoever notices (exit-command.ts). */
  restartWaiter?: RestartWaiter;
  restartDueAt?: number;
}

/** A process named for good: its pid and start time (/proc/PID/stat field 22). */
export interface RestartWaiter {
  pid: number;
  startTime: number;
}

export const files = {
  state: (dir: string) => path.join(dir, 'state.json'),
  config: (dir: string) => path.join(dir, 'config.json'),
  log: (dir: string) => path.join(dir, 'ctr.log'),
  exit: (dir: string) => path.join(dir, 'exit'),
  /** Held (POSIX lock) by the live monitor; renamed to `exit` when it ends. */
  exitLock: (dir: string) => path.join(dir, 'exit.lock'),
  lock: (dir: string) => path.join(dir, 'lock'),
  rootfs: (dir: string) => path.join(dir, 'rootfs'),
  upper: (dir: string) => path.join(dir, 'upper'),
  work: (dir: string) => path.join(dir, 'work'),
  hostname: (dir: string) => path.join(dir, 'hostname'),
  hosts: (dir: string) => path.join(dir, 'hosts'),
  resolv: (dir: string) => path.join(dir, 'resolv.conf'),
};

/** null when there is no record; BrokenRecord when there is one that cannot be read. */
export function loadRecord(dir: string): ContainerRecord | null {
  let rec: ContainerRecord | null;
  try {
    rec = readJson<ContainerRecord>(files.state(dir));
  } catch (e) {
    throw new BrokenRecord(path.basename(dir), (e as Error).message.split('\n')[0]);
  }
  if (rec === null) return null;
  if (typeof rec !== 'object' || typeof rec.id !== 'string' || typeof rec.name !== 'string' || typeof rec.status !== 'string' || typeof rec.spec !== 'object' || rec.spec === null)
    throw new BrokenRecord(path.basename(dir), 'not a container record');
  return rec;
}

export function saveRecord(rec: ContainerRecord): void {
  writeJsonAtomic(files.state(rec.bundle), rec);
}

/** The monitor's exit file: decimal status; its mtime is the exit time. */
export function readExitFile(dir: string): { code: number; time: string } | null {
  try {
    const f = files.exit(dir);
    const text = fs.readFileSync(f, 'utf8').trim();
    const st = fs.statSync(f, { bigint: true });
    const ns = st.mtimeNs;
    const ms = Number(ns / 1000000n);
    const frac = (ns % 1000000000n).toString().padStart(9, '0');
    const time = new Date(ms).toISOString().replace(/\.\d+Z$/, `.${frac}Z`);
    const code = Number.parseInt(text, 10);
    return Number.isNaN(code) ? null : { code, time };
  } catch {
    return null;
  }
}

export interface LiveMonitor {
  monitorPid: number;
  /** The container init's pid; 0 while the monitor is still setting it up. */
  pid: number;
}

/**
 * The container's live monitor, found from the lock it holds on `exit.lock`
 * (native/monitor/exitfile.h), whatever state.json says: a hutch killed between
 * starting a monitor and saving its state leaves a record that lies.
 */
export function liveMonitor(native: Native, dir: string): LiveMonitor | null {
  let r;
  try {
    r = native.lockHolder(files.exitLock(dir));
  } catch {
    return null;
  }
  if (!r || r.holder <= 0) return null;
  const m = /^(\d+) (\d+)\n/.exec(r.text);
  // "0 0" until the container runs; after it ends, its status (for an instant).
  const pid = m && Number(m[2]) === r.holder ? Number(m[1]) : 0;
  return { monitorPid: r.holder, pid };
}

/**
 * liveMonitor, but a monitor still setting its container up (no pid yet: a few
 * milliseconds, unless a hutch was killed right after starting it) is waited for,
 * up to timeoutMs, until its container runs or it is gone. Acting in between would
 * race it: a start would launch a second monitor, and the first one's exit (of a
 * container killed half made) would be taken for the second's.
 */
export async function settledMonitor(native: Native, dir: string, timeoutMs = 10_000): Promise<LiveMonitor | null> {
  const end = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    const live = liveMonitor(native, dir);
    if (!live || live.pid || Date.now() >= end) return live;
    await new Promise((r) => setTimeout(r, delay));
  }
}

export function toInfo(rec: ContainerRecord): ContainerInfo {
  const { monitorStartTime: _a, pidStartTime: _b, ...info } = rec;
  // Written by the container's monitor (health.ts), read fresh: only for a container with a check.
  if (rec.healthcheck) {
    const health = readHealth(rec.bundle);
    if (health) return { ...info, health };
  }
  return info;
}
