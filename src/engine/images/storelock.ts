// The store-wide lock: operations that add content (load, import, pull, register) hold
// it shared for their whole run; operations that delete content (rmi, prune, gc) hold it
// exclusive, so they never remove a blob or snapshot that an add has written but not
// yet named. flock dies with its process: a killed load never blocks a later gc.
import fs from 'node:fs';
import type { FlockApi } from '../state/lock.js';

export const BUSY = Symbol('busy');

export async function withStoreLock<T>(
  native: FlockApi,
  file: string,
  mode: 'sh' | 'ex',
  fn: () => Promise<T>,
  opts: { tryOnly?: boolean } = {},
): Promise<T | typeof BUSY> {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    for (let delay = 2; !native.flock(fd, mode, true); delay = Math.min(delay * 2, 200)) {
      if (opts.tryOnly) return BUSY;
      await new Promise((r) => setTimeout(r, delay));
    }
    return await fn();
  } finally {
    fs.closeSync(fd);
  }
}
