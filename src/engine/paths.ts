// Where hutch keeps things. HUTCH_ROOT moves everything (tests use a temporary root);
// runtime files go under /run/hutch by default so a reboot clears them.
import path from 'node:path';

export interface Paths {
  /** Persistent state: containers, images. */
  root: string;
  /** Runtime files (locks of running operations, scratch). */
  run: string;
  containers: string;
  images: string;
}

export function resolvePaths(root?: string): Paths {
  const envRoot = process.env.HUTCH_ROOT;
  const r = path.resolve(root ?? envRoot ?? '/var/lib/hutch');
  const run = process.env.HUTCH_RUNROOT ?? (root || envRoot ? path.join(r, 'run') : '/run/hutch');
  return { root: r, run: path.resolve(run), containers: path.join(r, 'containers'), images: path.join(r, 'images') };
}

export function containerDir(p: Paths, id: string): string {
  return path.join(p.containers, id);
}
