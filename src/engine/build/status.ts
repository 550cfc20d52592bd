// A running build's status, for whoever shows it (the dashboard's images view):
// one small JSON file per build, <run>/builds/<pid>.json, written by the building
// process and removed when it ends. There is no daemon to ask, so the file is the
// only channel between a `hutch build` and a dashboard in another process. Each
// state root has its own run directory, so a root never lists another's builds.
// A build killed before it removed its file leaves it behind: readers check the
// pid with its start time (a reused pid is not the build) and remove dead ones.
import fs from 'node:fs';
import path from 'node:path';
import type { Paths } from '../paths.js';
import type { BuildInfo } from '../types.js';
import { isAlive, pidAlive, procStartTime } from '../proc.js';
import { removeStaleTemps, writeFileAtomic } from '../state/atomic.js';
import { SystemError } from '../errors.js';

export type BuildStatus = BuildInfo;

/** What the build knows when it starts; pid, start time and `started` are filled in. */
export type BuildStatusInit = Pick<BuildStatus, 'tags' | 'context' | 'dockerfile'> & Partial<Pick<BuildStatus, 'step' | 'steps' | 'current' | 'stage' | 'started'>>;

/** What changes as the build goes. */
export type BuildStatusUpdate = Partial<Pick<BuildStatus, 'step' | 'steps' | 'current' | 'stage' | 'tags'>>;

/** At most four writes a second: a RUN step printing fast must not turn into a file write per line. */
export const MIN_WRITE_INTERVAL_MS = 250;

/** `<pid>.json`, or `<pid>-<n>.json` for a second build running in the same process. */
const FILE_RE = /^(\d+)(?:-\d+)?\.json$/;

export function buildsDir(paths: Pick<Paths, 'run'>): string {
  return path.join(paths.run, 'builds');
}

/** File names this process's open writers hold, so two builds in one process keep a file each. */
const held = new Set<string>();

function fileNameFor(dir: string): string {
  for (let n = 0; ; n++) {
    const name = n === 0 ? `${process.pid}.json` : `${process.pid}-${n}.json`;
    const key = path.join(dir, name);
    if (!held.has(key)) return key;
  }
}

export class BuildStatusWriter {
  readonly file: string;
  /** Why the last write failed, in one line; the build goes on without its status (it is only shown, never read back). */
  problem?: string;
  private status: BuildStatus;
  private lastWrite = -Infinity;
  private timer?: NodeJS.Timeout;
  private pending = false;
  private closed = false;
  private readonly minInterval: number;

  /** Writes the first status at once: the build shows from its start. */
  constructor(paths: Pick<Paths, 'run'>, init: BuildStatusInit, opts: { minIntervalMs?: number } = {}) {
    this.minInterval = opts.minIntervalMs ?? MIN_WRITE_INTERVAL_MS;
    this.file = fileNameFor(buildsDir(paths));
    held.add(this.file);
    this.status = {
      pid: process.pid,
      // Never null for ourselves; 0 would only make readers take the file for stale.
      startTime: procStartTime(process.pid) ?? 0,
      tags: [...init.tags],
      context: init.context,
      dockerfile: init.dockerfile,
      started: init.started ?? new Date().toISOString(),
      step: init.step ?? 0,
      steps: init.steps ?? 0,
      current: init.current ?? '',
      ...(init.stage !== undefined ? { stage: init.stage } : {}),
    };
    this.write();
  }

  /** The status as last given (written or about to be). */
  get current(): BuildStatus {
    return { ...this.status, tags: [...this.status.tags] };
  }

  /**
   * Merges `partial` in and writes it, at most once per interval: an update that
   * comes too soon is held, and the latest held one is written when the interval
   * ends, so the last update always reaches the file.
   */
  update(partial: BuildStatusUpdate): void {
    if (this.closed) return;
    const next: BuildStatus = { ...this.status, ...partial };
    if (partial.tags) next.tags = [...partial.tags];
    if ('stage' in partial && partial.stage === undefined) delete next.stage;
    this.status = next;
    // A monotonic clock: a wall clock set back would hold updates for as long.
    const wait = this.lastWrite + this.minInterval - performance.now();
    if (wait <= 0) {
      this.write();
      return;
    }
    this.pending = true;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
      // A writer left open must not keep the process alive; its file then goes as stale.
      this.timer.unref();
    }
  }

  /** Writes a held update now. */
  flush(): void {
    if (this.pending && !this.closed) this.write();
  }

  /** The build ended (built, failed or cancelled): its file goes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
    held.delete(this.file);
    try {
      fs.rmSync(this.file, { force: true });
    } catch (e) {
      this.problem = `removing the build status ${this.file}: ${(e as Error).message}`;
    }
  }

  private write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
    this.lastWrite = performance.now();
    try {
      // Made again each time: a cleared /run (tmpfs) or a gc'd directory comes back.
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      // 0600: RUN lines may carry substituted build args.
      writeFileAtomic(this.file, JSON.stringify(this.status) + '\n', 0o600);
      this.problem = undefined;
    } catch (e) {
      this.problem = `writing the build status ${this.file}: ${(e as Error).message}`;
    }
  }
}

/** The builds running now on this root, oldest first; files of dead builds are removed. */
export function listBuilds(paths: Pick<Paths, 'run'>): BuildStatus[] {
  return scan(paths).live;
}

/** For gc: removes the status files (and temp files) of builds that are gone; one line each. */
export function removeStaleBuilds(paths: Pick<Paths, 'run'>): string[] {
  const dir = buildsDir(paths);
  const lines = scan(paths).removed.map((f) => `status of a dead build ${f}`);
  for (const f of removeStaleTemps(dir)) lines.push(`temp file ${f}`);
  return lines;
}

function scan(paths: Pick<Paths, 'run'>): { live: BuildStatus[]; removed: string[] } {
  const dir = buildsDir(paths);
  const live: BuildStatus[] = [];
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    // No build ever ran on this root: the usual case, every dashboard tick.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { live, removed };
    const err = e as NodeJS.ErrnoException;
    throw new SystemError(`listing the builds in ${dir}: ${err.message}`, err.code, err.errno, err.syscall, dir);
  }
  for (const name of names) {
    const m = FILE_RE.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const file = path.join(dir, name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // the build ended while we listed
    }
    const st = parseStatus(text);
    if (st && st.pid === pid && isAlive(pid, st.startTime)) {
      live.push(st);
      continue;
    }
    // Stale when its writer (the pid in its name) is gone, or is another process by
    // now. A file that cannot be read as a status is left while that pid lives (a
    // newer hutch's format, say): only a dead writer's file is certainly stale.
    if (!pidAlive(pid) || (st && st.pid === pid && !isAlive(pid, st.startTime))) {
      try {
        fs.unlinkSync(file);
        removed.push(file);
      } catch {
        /* removed by another reader */
      }
    }
  }
  live.sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : a.pid - b.pid));
  return { live, removed };
}

/** The fields of a status file, checked; undefined when it is not one. */
export function parseStatus(text: string): BuildStatus | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const num = (k: string) => typeof o[k] === 'number' && Number.isFinite(o[k]);
  const str = (k: string) => typeof o[k] === 'string';
  if (!num('pid') || !num('startTime') || !num('step') || !num('steps')) return undefined;
  if (!str('context') || !str('dockerfile') || !str('started') || !str('current')) return undefined;
  if (!Array.isArray(o.tags) || !o.tags.every((t) => typeof t === 'string')) return undefined;
  if (o.stage !== undefined && !str('stage')) return undefined;
  return {
    pid: o.pid as number,
    startTime: o.startTime as number,
    tags: [...(o.tags as string[])],
    context: o.context as string,
    dockerfile: o.dockerfile as string,
    started: o.started as string,
    step: o.step as number,
    steps: o.steps as number,
    current: o.current as string,
    ...(o.stage !== undefined ? { stage: o.stage as string } : {}),
  };
}
