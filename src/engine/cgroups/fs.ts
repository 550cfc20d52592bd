// The real CgroupFs on node:fs, and the error-wrapping layer every manager goes through
// so a failure names the file: "cgroup: write /sys/fs/cgroup/…/memory.max: EINVAL".
import fs from 'node:fs';
import { SystemError } from '../errors.js';
import type { CgroupFs } from './types.js';

export class CgroupError extends SystemError {}

export const nodeCgroupFs: CgroupFs = {
  readFile: (p) => fs.readFileSync(p, 'utf8'),
  writeFile(p, data) {
    // O_WRONLY without O_CREAT (cgroupfs files exist or the kernel lacks the knob) and
    // without O_RDWR (some knobs are write-only); a single write() as the kernel wants.
    const fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_TRUNC);
    try {
      const buf = Buffer.from(data);
      const n = fs.writeSync(fd, buf, 0, buf.length);
      if (n !== buf.length) throw Object.assign(new Error(`short write (${n} of ${buf.length} bytes)`), { code: 'EIO' });
    } finally {
      fs.closeSync(fd);
    }
  },
  writeEach(p, values) {
    const fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_TRUNC);
    try {
      for (const v of values) {
        const buf = Buffer.from(v);
        try {
          if (fs.writeSync(fd, buf, 0, buf.length) !== buf.length) throw Object.assign(new Error('short write'), { code: 'EIO' });
        } catch (e) {
          throw Object.assign(e as Error, { value: v });
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  },
  mkdir: (p) => fs.mkdirSync(p, { mode: 0o755 }),
  rmdir: (p) => fs.rmdirSync(p),
  readdir: (p) => fs.readdirSync(p, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() })),
  exists: (p) => fs.existsSync(p),
};

export function errCode(e: unknown): string | undefined {
  return e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

export function cgroupError(op: string, path: string, e: unknown, detail?: string): CgroupError {
  if (e instanceof CgroupError) return e;
  const code = errCode(e);
  const what = code ?? (e instanceof Error ? e.message : String(e));
  const errno = e && typeof e === 'object' && 'errno' in e && typeof e.errno === 'number' ? e.errno : undefined;
  return new CgroupError(`cgroup: ${op} ${path}: ${what}${detail ? ` (${detail})` : ''}`, code, errno, op, path);
}

/** CgroupFs with errors wrapped, plus the small helpers the controllers share. */
export class CgIo {
  constructor(readonly fs: CgroupFs) {}

  read(p: string): string {
    try {
      return this.fs.readFile(p);
    } catch (e) {
      throw cgroupError('read', p, e);
    }
  }
  /** null when the file (or its cgroup) does not exist. */
  readOpt(p: string): string | null {
    try {
      return this.fs.readFile(p);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return null;
      throw cgroupError('read', p, e);
    }
  }
  /** Several values, one write each, through one open file when the fs can. */
  writeEach(p: string, values: readonly string[]): void {
    if (!this.fs.writeEach) {
      for (const v of values) this.write(p, v);
      return;
    }
    try {
      this.fs.writeEach(p, values);
    } catch (e) {
      const v = e && typeof e === 'object' && 'value' in e ? String(e.value) : '';
      throw cgroupError('write', p, e, `value ${JSON.stringify(v)}`);
    }
  }

  write(p: string, data: string | number): void {
    try {
      this.fs.writeFile(p, String(data));
    } catch (e) {
      throw cgroupError('write', p, e, `value ${JSON.stringify(String(data))}`);
    }
  }
  exists(p: string): boolean {
    return this.fs.exists(p);
  }
  /** Creates one dir; false if it was already there. */
  mkdirOpt(p: string): boolean {
    try {
      this.fs.mkdir(p);
      return true;
    } catch (e) {
      if (errCode(e) === 'EEXIST') return false;
      throw cgroupError('mkdir', p, e);
    }
  }
  mkdir(p: string): void {
    try {
      this.fs.mkdir(p);
    } catch (e) {
      if (errCode(e) === 'EEXIST') throw new CgroupError(`cgroup: ${p} already exists`, 'EEXIST', undefined, 'mkdir', p);
      throw cgroupError('mkdir', p, e);
    }
  }
  rmdir(p: string): void {
    try {
      this.fs.rmdir(p);
    } catch (e) {
      throw cgroupError('rmdir', p, e);
    }
  }
  /** Names of sub-directories (child cgroups); [] when the dir is gone. */
  subdirs(p: string): string[] {
    try {
      return this.fs
        .readdir(p)
        .filter((d) => d.dir)
        .map((d) => d.name)
        .sort();
    } catch (e) {
      if (errCode(e) === 'ENOENT') return [];
      throw cgroupError('readdir', p, e);
    }
  }
}
