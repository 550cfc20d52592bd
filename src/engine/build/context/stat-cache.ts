// Remembers the sha256 of files by what lstat says of them (device, inode, size,
// mtime and ctime in nanoseconds), so a rebuild of an unchanged context reads no
// content. ctime cannot be set by a user, so a changed file gets a new key. A file
// changed in the last seconds is not remembered: the kernel stamps times from a
// coarse clock, and a second write within the same tick, same size, would keep
// the key (git's "racily clean" problem). Kept in a text file the caller names,
// one `dev:ino:size:mtime:ctime sha256` line per file, most recently used last.
import fs from 'node:fs';
import path from 'node:path';
import type { SourceEntry } from './walk.js';

const HEADER = 'hutch-stat-cache 1';
/** Entries kept: enough for several large contexts. */
const MAX_ENTRIES = 200_000;

export interface StatCacheOptions {
  /** How recent a change makes a file "racy" (not remembered); default 2000 ms. */
  racyWindowMs?: number;
}

export class StatCache {
  private readonly map = new Map<string, string>();
  /** Keys read or written this time: saved last, so they are the last to be dropped. */
  private readonly used = new Set<string>();
  private dirty = false;
  private readonly racyNs: bigint;

  private constructor(
    readonly file: string,
    opts: StatCacheOptions,
  ) {
    this.racyNs = BigInt(opts.racyWindowMs ?? 2000) * 1_000_000n;
  }

  /** Loads the cache file; a missing or unreadable one starts empty. */
  static open(file: string, opts: StatCacheOptions = {}): StatCache {
    const c = new StatCache(file, opts);
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch {
      return c;
    }
    const lines = text.split('\n');
    if (lines[0] !== HEADER) return c;
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i];
      const sp = l.indexOf(' ');
      if (sp > 0 && l.length - sp - 1 === 64) c.map.set(l.slice(0, sp), l.slice(sp + 1));
    }
    return c;
  }

  static key(e: Pick<SourceEntry, 'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs'>): string {
    return `${e.dev}:${e.ino}:${e.size}:${e.mtimeNs}:${e.ctimeNs}`;
  }

  get size(): number {
    return this.map.size;
  }

  /** The content hash (hex) of an unchanged file, or undefined. */
  get(e: SourceEntry, key = StatCache.key(e)): string | undefined {
    const v = this.map.get(key);
    if (v !== undefined) this.used.add(key);
    return v;
  }

  /** Remembers a file's hash unless it changed within the racy window. */
  set(e: SourceEntry, sha256: string, nowNs = BigInt(Date.now()) * 1_000_000n, key = StatCache.key(e)): void {
    const newest = e.mtimeNs > e.ctimeNs ? e.mtimeNs : e.ctimeNs;
    if (nowNs - newest < this.racyNs) return;
    this.map.set(key, sha256);
    this.used.add(key);
    this.dirty = true;
  }

  /** Writes the cache (atomically) if it changed; drops the least recently used beyond the cap. */
  save(): void {
    if (!this.dirty && this.map.size <= MAX_ENTRIES) return;
    const all: [string, string][] = [];
    for (const kv of this.map) if (!this.used.has(kv[0])) all.push(kv);
    for (const k of this.used) {
      const v = this.map.get(k);
      if (v !== undefined) all.push([k, v]);
    }
    const kept = all.slice(Math.max(0, all.length - MAX_ENTRIES));
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, HEADER + '\n' + kept.map(([k, v]) => `${k} ${v}`).join('\n') + '\n', 'latin1');
    fs.renameSync(tmp, this.file);
    this.dirty = false;
  }
}
