// v1 freezer: remove() freezes the cgroup while it SIGKILLs its tasks so none can fork
// between the listing and the kill; the killed tasks die when thawed.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CgIo } from '../fs.js';

/** Writes FROZEN and waits (bounded) for the state to settle; returns whether it froze. */
export async function freeze(io: CgIo, dir: string, timeoutMs = 1000): Promise<boolean> {
  const state = path.join(dir, 'freezer.state');
  io.write(state, 'FROZEN');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (io.read(state).trim() === 'FROZEN') return true;
    if (Date.now() >= deadline) return false;
    await sleep(5);
  }
}

export function thaw(io: CgIo, dir: string): void {
  io.write(path.join(dir, 'freezer.state'), 'THAWED');
}
