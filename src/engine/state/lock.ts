// A lock per container (and one for the whole store, taken while names are checked
// and containers created). flock(2) locks die with the process that held them, so a
// `hutch` killed mid-operation never leaves a stale lock behind.
import fs from 'node:fs';

export interface FlockApi {
  flock(fd: number, mode: 'sh' | 'ex' | 'un', nonblock: boolean): boolean;
}

// Node opens files with O_CLOEXEC already, so the fd never reaches a monitor.
export async function withLock<T>(native: FlockApi, file: string, fn: () => Promise<T> | T): Promise<T> {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    // Poll with a short back-off instead of blocking a libuv thread: operations
    // under a lock take milliseconds, waiting for one is rare.
    for (let delay = 1; !native.flock(fd, 'ex', true); delay = Math.min(delay * 2, 50)) {
      await new Promise((r) => setTimeout(r, delay));
    }
    return await fn();
  } finally {
    fs.closeSync(fd); // closing the fd releases the lock
  }
}
