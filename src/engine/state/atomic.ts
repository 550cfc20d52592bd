// Every state write is tmp file + fsync + rename, so a reader (another hutch process,
// or this one after a crash) sees either the old or the new file, never half of one.
import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from '../proc.js';

/** `.<name>.<pid>.tmp`: the writer's pid tells gc when a leftover is stale. */
const TMP_RE = /^\.(.+)\.(\d+)\.tmp$/;

export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    // A full disk (ENOSPC) must not leave one more file behind per try.
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Removes writeFileAtomic's temp files in dir (not below it) whose writer is gone
 * (a process killed between open and rename); returns their paths. Files of a live
 * pid are left: the write may be under way.
 */
export function removeStaleTemps(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const m = TMP_RE.exec(e.name);
    if (!m || !e.isFile() || pidAlive(Number(m[2]))) continue;
    const f = path.join(dir, e.name);
    try {
      fs.unlinkSync(f);
      out.push(f);
    } catch {
      /* removed by someone else */
    }
  }
  return out;
}

/**
 * The files of a new directory that nobody reads until the caller renames it into
 * place whole: written directly (the rename is what publishes them), then fsynced
 * together. Concurrent fsyncs share the filesystem's journal commits, where one
 * after another each waits for a commit of its own.
 */
export async function writeNewFilesDurable(entries: ReadonlyArray<readonly [string, string]>, mode = 0o644): Promise<void> {
  const fds: number[] = [];
  try {
    for (const [file, data] of entries) {
      const fd = fs.openSync(file, 'wx', mode);
      fds.push(fd);
      fs.writeSync(fd, Buffer.from(data));
    }
    await Promise.all(fds.map((fd) => new Promise<void>((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())))));
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
