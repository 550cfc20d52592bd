// Saves container logs to a file as `hutch logs [-t]` prints them (the dashboard's
// save key: the UI does no file work itself). Several containers are merged by
// time, each line led by its container's name, as the merged logs view shows them.
import fs from 'node:fs';
import { InvalidArgument, SystemError } from '../errors.js';
import type { LogLine } from '../types.js';
import { mustLoad, type Ctx } from './context.js';
import { readLogs } from './logs.js';

export interface NamedLine {
  /** The container's name: set when several are merged. */
  name?: string;
  line: LogLine;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EEXIST: 'the file exists (give another name)',
  ENOENT: 'no such directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/** One line an error naming the path and why, in words (not "EACCES: …, open '…'"). */
export function saveError(path: string, e: unknown): SystemError {
  const err = e as NodeJS.ErrnoException;
  const why = (err.code && REASONS[err.code]) || err.message;
  return new SystemError(`cannot save logs to ${path}: ${why}`, err.code, err.errno, err.syscall, path);
}

/** The text of the lines: partial (P) lines join the next one, as `hutch logs` prints them. */
export function formatLogLines(lines: Iterable<NamedLine>, timestamps: boolean): string {
  let out = '';
  const midLine = new Map<string, boolean>();
  for (const { name, line } of lines) {
    const key = `${name ?? ''}\0${line.stream}`;
    const start = !midLine.get(key);
    midLine.set(key, !line.full);
    if (start) out += (name !== undefined ? `${name} | ` : '') + (timestamps ? `${line.time} ` : '');
    out += line.text + (line.full ? '\n' : '');
  }
  return out;
}

/** Creates `path` (never overwriting a file: a default name typed twice must not lose the first) and writes `text`. */
export async function writeNewFile(path: string, text: string): Promise<void> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(path, 'wx', 0o644);
  } catch (e) {
    throw saveError(path, e);
  }
  try {
    await fh.writeFile(text);
  } catch (e) {
    throw saveError(path, e);
  } finally {
    await fh.close();
  }
}

/** Writes the logs of `ids` (resolved already) to a new file; returns how many lines it has. */
export async function saveLogs(ctx: Ctx, ids: string[], path: string, opts: { timestamps?: boolean }): Promise<number> {
  if (ids.length === 0) throw new InvalidArgument('no container to save the logs of');
  const merged = ids.length > 1;
  const all: NamedLine[] = [];
  for (const id of ids) {
    const name = merged ? mustLoad(ctx, id).name : undefined;
    for await (const line of readLogs(ctx, id, {})) all.push({ name, line });
  }
  // A stable sort: each container's lines keep their order among equal times.
  if (merged) all.sort((a, b) => (a.line.time < b.line.time ? -1 : a.line.time > b.line.time ? 1 : 0));
  await writeNewFile(path, formatLogLines(all, !!opts.timestamps));
  return all.filter((l) => l.line.full).length;
}
