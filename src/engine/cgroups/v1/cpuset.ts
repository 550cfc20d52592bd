// v1 cpuset: a new cpuset cgroup starts with empty cpus/mems and refuses tasks (ENOSPC)
// until both are set, so each level we create copies its parent's values.
import path from 'node:path';
import type { CgIo } from '../fs.js';

export const CPUSET_FILES = ['cpuset.cpus', 'cpuset.mems'] as const;

/** For each dir (top first), fills empty cpuset.cpus / cpuset.mems from its parent. */
export function initCpuset(io: CgIo, dirs: string[]): void {
  for (const dir of dirs) {
    for (const f of CPUSET_FILES) {
      const own = io.read(path.join(dir, f)).trim();
      if (own !== '') continue;
      io.write(path.join(dir, f), io.read(path.join(path.dirname(dir), f)).trim());
    }
  }
}
