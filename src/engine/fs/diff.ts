// hutch diff: what the container changed, from its overlay upper directory, as
// docker prints it: `D /p` for a whiteout (char device 0:0), `C /p` for a path
// that also exists below (a directory copied up because something in it
// changed, a file rewritten), `A /p` for one that does not; an opaque
// directory (trusted.overlay.opaque=y) is `C` when it existed below and
// everything in it is `A`. Sorted by path. The upper and the lowers are read
// through in-root fds, like every other look at a container's files.
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../container/context.js';
import { mustLoad } from '../container/context.js';
import type { Native } from '../native/native.js';
import { readOverlay } from './root.js';

export type ChangeKind = 'A' | 'C' | 'D';

export interface Change {
  kind: ChangeKind;
  path: string;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;

/** The changes recorded in `upperfd` against the lower view `lowerfd`. */
export function changesOf(native: Native, upperfd: number, lowerfd: number): Change[] {
  const out: Change[] = [];
  const visit = (dirfd: number, rel: string, added: boolean) => {
    for (const name of native.inRootList(dirfd, '')) {
      const st = native.inRootStat(dirfd, name, false);
      if (!st) continue;
      const p = rel ? `${rel}/${name}` : name;
      const type = st.mode & S_IFMT;
      if (type === S_IFCHR && st.rdevMajor === 0 && st.rdevMinor === 0) {
        out.push({ kind: 'D', path: `/${p}` });
        continue;
      }
      const below = !added && native.inRootStat(lowerfd, p, false) !== null;
      out.push({ kind: below ? 'C' : 'A', path: `/${p}` });
      if (type !== S_IFDIR) continue;
      const opaque = native.inRootGetXattr(dirfd, name, 'trusted.overlay.opaque') === 'y';
      const child = native.inRootOpen(dirfd, name, 4);
      try {
        visit(child, p, added || !below || opaque);
      } finally {
        native.closeFd(child);
      }
    }
  };
  visit(upperfd, '', false);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The lower layers as one view: a single one as it is, several as a read-only overlay. */
async function withLower<T>(ctx: Ctx, lowerdirs: string[], fn: (fd: number) => T): Promise<T> {
  if (lowerdirs.length <= 1) {
    const fd = ctx.native.openRoot(lowerdirs[0] ?? '/var/empty');
    try {
      return fn(fd);
    } finally {
      ctx.native.closeFd(fd);
    }
  }
  const target = fs.mkdtempSync(path.join(ctx.paths.run, 'diff-'));
  let mounted = false;
  try {
    ctx.native.mount('overlay', target, 'overlay', ctx.native.constants.MS_RDONLY, `lowerdir=${lowerdirs.join(':')}`);
    mounted = true;
    const fd = ctx.native.openRoot(target);
    try {
      return fn(fd);
    } finally {
      ctx.native.closeFd(fd);
    }
  } finally {
    if (mounted) ctx.native.umount2(target, ctx.native.constants.MNT_DETACH);
    fs.rmdirSync(target);
  }
}

export async function diffContainer(ctx: Ctx, id: string): Promise<Change[]> {
  const o = readOverlay(mustLoad(ctx, id).bundle);
  const upper = ctx.native.openRoot(o.upperdir);
  try {
    return await withLower(ctx, o.lowerdirs, (lower) => changesOf(ctx.native, upper, lower));
  } finally {
    ctx.native.closeFd(upper);
  }
}
