// What a path is in the merged view of a stage's layers (overlayfs rules) without
// mounting them: the topmost layer that has the path decides its type; a whiteout
// (char 0:0) hides it; an opaque directory (trusted.overlay.opaque=y) or a
// non-directory hides what the layers below have beneath it. Every lookup is
// in-root by fd, never following a symlink: COPY's fast path uses it to know the
// directories above its destination and to find entries it must not write over
// directly (copy-step.ts falls back to the overlay then).
import type { InRootStat, Native } from '../../native/native.js';

export type LowerKind = 'dir' | 'file' | 'symlink' | 'other';

export interface LowerEntry {
  kind: LowerKind;
  st: InRootStat;
}

const S_IFMT = 0o170000;
const kindOf = (mode: number): LowerKind => {
  const t = mode & S_IFMT;
  return t === 0o040000 ? 'dir' : t === 0o100000 ? 'file' : t === 0o120000 ? 'symlink' : 'other';
};

export class LowerView {
  private readonly fds: number[];
  /** rel → the entry, null when absent; for directories also how many layers (from the top) still show beneath them. */
  private readonly cache = new Map<string, { e: LowerEntry | null; depth: number }>();

  /** lowerdirs: top first. */
  constructor(
    private readonly native: Native,
    lowerdirs: readonly string[],
  ) {
    this.fds = lowerdirs.map((d) => native.openRoot(d));
  }

  close(): void {
    for (const fd of this.fds) this.native.closeFd(fd);
    this.fds.length = 0;
  }

  /** The merged view's entry at rel ('' is the root), or null when it has none. */
  stat(rel: string): LowerEntry | null {
    return this.lookup(rel).e;
  }

  private lookup(rel: string): { e: LowerEntry | null; depth: number } {
    const hit = this.cache.get(rel);
    if (hit) return hit;
    let out: { e: LowerEntry | null; depth: number };
    if (rel === '') out = { e: { kind: 'dir', st: this.native.inRootStat(this.fds[0], '.', false)! }, depth: this.fds.length };
    else {
      const slash = rel.lastIndexOf('/');
      const parent = this.lookup(slash < 0 ? '' : rel.slice(0, slash));
      out = { e: null, depth: 0 };
      if (parent.e?.kind === 'dir') {
        for (let i = 0; i < parent.depth; i++) {
          const st = this.native.inRootStat(this.fds[i], rel, false);
          if (!st) continue;
          const kind = kindOf(st.mode);
          // A whiteout hides the name from here down.
          if (kind === 'other' && (st.mode & S_IFMT) === 0o020000 && st.rdevMajor === 0 && st.rdevMinor === 0) break;
          let depth = 0;
          if (kind === 'dir') {
            // Layers below show through unless this directory is opaque.
            depth = this.native.inRootGetXattr(this.fds[i], rel, 'trusted.overlay.opaque') === 'y' ? i + 1 : parent.depth;
          }
          out = { e: { kind, st }, depth };
          break;
        }
      }
    }
    this.cache.set(rel, out);
    return out;
  }
}
