// Where hutch keeps things. HUTCH_ROOT moves everything (tests use a temporary root);
// runtime files go under /run/hutch by default so a reboot clears them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const DEFAULT_ROOT = '/var/lib/hutch';
export const DEFAULT_CGROUP_PARENT = 'hutch';

export interface Paths {
  /** Persistent state: containers, images. */
  root: string;
  /** Runtime files (locks of running operations, scratch). */
  run: string;
  containers: string;
  images: string;
  /** The cgroup parent this root's containers live under: $HUTCH_CGROUP_PARENT, else
   * cgroupParentFor(root). It is the root's mark on the host: gc touches no other. */
  cgroupParent: string;
}

export function resolvePaths(root?: string): Paths {
  const envRoot = process.env.HUTCH_ROOT;
  const r = path.resolve(root ?? envRoot ?? DEFAULT_ROOT);
  const run = process.env.HUTCH_RUNROOT ?? (root || envRoot ? path.join(r, 'run') : '/run/hutch');
  return {
    root: r,
    run: path.resolve(run),
    containers: path.join(r, 'containers'),
    images: path.join(r, 'images'),
    cgroupParent: process.env.HUTCH_CGROUP_PARENT || cgroupParentFor(r),
  };
}

/**
 * The default cgroup parent of a state root, so that two roots side by side never
 * share one (and one's gc never takes the other's cgroups for leftovers):
 * `hutch` for /var/lib/hutch, else `hutch-` + the first 12 hex digits of the
 * SHA-256 of the root's canonical path (symlinks resolved, as far as the path
 * exists), i.e. `hutch-$(printf %s "$(realpath -m ROOT)" | sha256sum | cut -c1-12)`.
 */
export function cgroupParentFor(root: string): string {
  const r = path.resolve(root);
  if (r === DEFAULT_ROOT) return DEFAULT_CGROUP_PARENT;
  const canon = canonicalPath(r);
  if (canon === canonicalPath(DEFAULT_ROOT)) return DEFAULT_CGROUP_PARENT;
  // node:crypto only here: the default root (every plain `hutch run`) never loads it.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return `${DEFAULT_CGROUP_PARENT}-${createHash('sha256').update(canon).digest('hex').slice(0, 12)}`;
}

/** realpath of the longest existing prefix, with the rest appended: the same
 * answer before and after the root is created. */
function canonicalPath(p: string): string {
  const rest: string[] = [];
  for (let cur = p; ; cur = path.dirname(cur)) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      if (cur === path.dirname(cur)) return p;
      rest.push(path.basename(cur));
    }
  }
}

export function containerDir(p: Paths, id: string): string {
  return path.join(p.containers, id);
}
