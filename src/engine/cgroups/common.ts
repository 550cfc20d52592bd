// What v1 and v2 managers share: path rules, the kill-then-rmdir teardown, pid
// collection and the parent's bookkeeping.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgument } from '../errors.js';
import { CgIo, CgroupError, cgroupError, errCode } from './fs.js';
import { parsePids } from './parse.js';
import type { CgroupManager, CgroupMode, CgroupStats, Limits } from './types.js';

export interface Tuning {
  /** How long remove() keeps killing before it gives up and lets rmdir report EBUSY. */
  killMs: number;
  /** How long rmdir retries EBUSY. */
  rmdirMs: number;
  /** Sends SIGKILL to a pid (tests substitute a recorder); default process.kill. */
  kill: (pid: number) => void;
}
export const DEFAULT_TUNING: Tuning = { killMs: 5000, rmdirMs: 2000, kill: (pid) => process.kill(pid, 'SIGKILL') };

/** Attaches the device allow-list to a cgroup v2 dir (a BPF program: v2 has no
 * devices.allow). Without one, v2 containers could open any device. */
export type DeviceFilter = (dir: string, rules: readonly string[]) => void;

/** 'hutch', '/hutch/' → 'hutch'; 'a/b' allowed; '..' and empty components refused. */
export function normalizeParent(p: string): string {
  const parts = p.split('/').filter((s) => s !== '');
  if (!parts.length || parts.some((s) => s === '.' || s === '..'))
    throw new InvalidArgument(`invalid cgroup parent: ${JSON.stringify(p)}`);
  return parts.join('/');
}

export function checkName(name: string): void {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
    throw new InvalidArgument(`invalid cgroup name: ${JSON.stringify(name)}`);
}

/** Creates `rel` (a/b/c) under base one level at a time; returns the levels, top first. */
export function levelsOf(base: string, rel: string): string[] {
  const out: string[] = [];
  let cur = base;
  for (const part of rel.split('/')) {
    cur = path.join(cur, part);
    out.push(cur);
  }
  return out;
}

export abstract class BaseManager implements CgroupManager {
  abstract readonly mode: CgroupMode;

  constructor(
    protected readonly io: CgIo,
    readonly parent: string,
    protected readonly timing: Tuning = DEFAULT_TUNING,
  ) {}

  abstract pathsFor(name: string): Record<string, string>;
  abstract create(name: string, limits: Limits): Promise<Record<string, string>>;
  abstract oomKilled(paths: Record<string, string>): Promise<boolean>;
  abstract stats(paths: Record<string, string>): Promise<CgroupStats>;
  /** The parent dir in every hierarchy this manager uses. */
  protected abstract parentDirs(): string[];

  joinDirs(paths: Record<string, string>): string[] {
    return [...new Set(Object.values(paths).map((d) => path.normalize(d)))];
  }

  async pids(paths: Record<string, string>): Promise<number[]> {
    return this.collectPids(this.joinDirs(paths));
  }

  /** Pids of the dirs and their descendants, deduplicated, ascending. */
  protected collectPids(dirs: string[]): number[] {
    const seen = new Set<number>();
    const walk = (dir: string) => {
      const text = this.io.readOpt(path.join(dir, 'cgroup.procs'));
      if (text === null) return;
      for (const p of parsePids(text)) seen.add(p);
      for (const child of this.io.subdirs(dir)) walk(path.join(dir, child));
    };
    for (const d of dirs) walk(d);
    return [...seen].sort((a, b) => a - b);
  }

  protected signal(pid: number): void {
    if (pid <= 1 || pid === process.pid) return; // never ourselves, init or a whole group
    try {
      this.timing.kill(pid);
    } catch (e) {
      if (errCode(e) !== 'ESRCH') throw cgroupError('kill', `pid ${pid}`, e);
    }
  }

  /** One round of SIGKILL to everything in the cgroups; v1 freezes around it, v2 adds cgroup.kill. */
  protected async killRound(_paths: Record<string, string>, dirs: string[]): Promise<void> {
    for (const pid of this.collectPids(dirs)) this.signal(pid);
  }

  /** The dirs of paths, each checked to be a direct child of the parent. */
  private childDirs(paths: Record<string, string>): string[] {
    const dirs = this.joinDirs(paths);
    const parents = new Set(this.parentDirs().map((d) => path.normalize(d)));
    for (const d of dirs) {
      const base = path.basename(d);
      if (!parents.has(path.dirname(d)) || base === '' || base === '.' || base === '..')
        throw new CgroupError(`cgroup: refusing to remove ${d}: not a child of the '${this.parent}' cgroup parent`);
    }
    return dirs;
  }

  async removeIfEmpty(paths: Record<string, string>): Promise<boolean> {
    const dirs = this.childDirs(paths);
    if (this.collectPids(dirs).length) return false;
    // A process that joins after the check makes its dir's rmdir fail (EBUSY): that
    // dir and its ancestors stay, and nothing is killed.
    let gone = true;
    for (const d of dirs) if (!this.rmdirTreeIfEmpty(d)) gone = false;
    return gone;
  }

  /** rmdir of dir's descendants, deepest first, then of dir; no kill, no retry. */
  private rmdirTreeIfEmpty(dir: string): boolean {
    let ok = true;
    for (const child of this.io.subdirs(dir)) if (!this.rmdirTreeIfEmpty(path.join(dir, child))) ok = false;
    return ok && this.rmdirIfEmpty(dir);
  }

  async remove(paths: Record<string, string>): Promise<void> {
    const dirs = this.childDirs(paths);
    if (!dirs.length) return;
    // Fast path: an exited container's cgroups are empty leaves, and rmdir alone
    // removes them (the kernel refuses, EBUSY, while a process or a child cgroup
    // is inside). Only what is left goes through the kill-and-walk below.
    const left = dirs.filter((d) => !this.rmdirIfEmpty(d));
    if (!left.length) return;
    const deadline = Date.now() + this.timing.killMs;
    for (let round = 0; ; round++) {
      if (!this.collectPids(left).length || Date.now() >= deadline) break; // rmdir then says what is left
      await this.killRound(paths, left);
      await sleep(Math.min(5 * 2 ** round, 100));
    }
    let first: unknown;
    for (const d of left) {
      try {
        await this.removeTree(d);
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  }

  /** rmdir(dir): true when it is gone (or was), false when the kernel refused. */
  private rmdirIfEmpty(dir: string): boolean {
    try {
      this.io.fs.rmdir(dir);
      return true;
    } catch (e) {
      return errCode(e) === 'ENOENT';
    }
  }

  /** rmdir of dir and its descendants, deepest first; ENOENT ignored, EBUSY retried. */
  protected async removeTree(dir: string): Promise<void> {
    const deadline = Date.now() + this.timing.rmdirMs;
    for (let i = 0; ; i++) {
      for (const child of this.io.subdirs(dir)) await this.removeTree(path.join(dir, child));
      try {
        this.io.fs.rmdir(dir);
        return;
      } catch (e) {
        const code = errCode(e);
        if (code === 'ENOENT') return;
        if (code === 'EBUSY' && Date.now() < deadline) {
          await sleep(Math.min(5 * 2 ** i, 100));
          continue;
        }
        const left = code === 'EBUSY' ? this.collectPids([dir]) : [];
        throw cgroupError('rmdir', dir, e, left.length ? `processes still inside: ${left.join(' ')}` : undefined);
      }
    }
  }

  async listChildren(): Promise<string[]> {
    const names = new Set<string>();
    for (const d of this.parentDirs()) for (const n of this.io.subdirs(d)) names.add(n);
    return [...names].sort();
  }

  async removeParentIfEmpty(): Promise<boolean> {
    let gone = true;
    for (const d of this.parentDirs()) {
      try {
        this.io.fs.rmdir(d);
      } catch (e) {
        const code = errCode(e);
        if (code === 'ENOENT') continue;
        if (code === 'EBUSY' || code === 'ENOTEMPTY') {
          gone = false;
          continue;
        }
        throw cgroupError('rmdir', d, e);
      }
    }
    return gone;
  }
}
