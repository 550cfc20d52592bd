// COPY/ADD as a list of operations, planned against the merged view of the stage's
// layers (lower-view.ts) with docker's destination rules: relative to WORKDIR; a
// directory when it ends in `/`, is one already, or several sources are copied; a
// directory source copies its contents; missing parents are made (root, 0755).
// copy-step.ts then writes them, through the overlay or straight into a new upper.
import path from 'node:path';
import { lineError, type CopyInstruction, type Heredoc } from '../dockerfile/index.js';
import type { SourceEntry, SourceMatch } from '../context/index.js';
import type { LowerView } from './lower-view.js';

/** Whether rel (no leading `/`) is a directory in the view the ops are planned against. */
export type IsDir = (rel: string) => boolean;

export interface CopyPlan {
  /** Resolved sources (context, stage or image files). */
  matches: SourceMatch[];
  heredocs: Heredoc[];
  /** Owner of the copies; 'keep' for COPY --from. */
  owner: { uid: number; gid: number } | 'keep';
  chmod?: number;
  /** ADD: local tar archives are extracted. */
  extract: boolean;
  /** Content digests of the regular files (from the content key). */
  shas: Map<SourceEntry, string>;
}

export type CopyOp =
  | { kind: 'dir'; name: string; mode: number; e?: SourceEntry }
  | { kind: 'file'; name: string; abs: string; e: SourceEntry }
  | { kind: 'symlink'; name: string; e: SourceEntry }
  | { kind: 'fifo'; name: string; e: SourceEntry }
  | { kind: 'bytes'; name: string; data: Buffer }
  | { kind: 'archive'; name: string; abs: string };

/** The destination, absolute inside the image, keeping a trailing `/`. */
export function destOf(ins: CopyInstruction, workdir: string): string {
  return path.posix.isAbsolute(ins.dest) ? ins.dest : path.posix.join(workdir, ins.dest) + (ins.dest.endsWith('/') ? '/' : '');
}

const rel = (p: string) => path.posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '').replace(/^\.$/, '');

export function planOps(ins: CopyInstruction, plan: CopyPlan, dest: string, dirAt: IsDir, file: string, isArchive: (abs: string) => boolean): CopyOp[] {
  const count = plan.matches.length + plan.heredocs.length;
  const wildcard = plan.matches.some((m) => m.source !== m.path && /[*?[]/.test(m.source));
  if ((count > 1 || wildcard) && !dest.endsWith('/'))
    throw lineError(file, ins.line, `When using ${ins.kind} with more than one source file, the destination must be a directory and end with a /`);
  const ops: CopyOp[] = [];
  const made = new Set<string>();
  const isDir = (r: string) => made.has(r) || dirAt(r);
  const parents = (target: string) => {
    const parts = target.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (isDir(p)) continue;
      made.add(p);
      ops.push({ kind: 'dir', name: p, mode: 0o755 });
    }
  };
  const d = rel(dest);
  const destIsDir = dest.endsWith('/') || isDir(d);
  const tree = (m: SourceMatch, target: string) => {
    const exists = isDir(target);
    for (const e of m.entries) {
      const name = e.rel ? (target ? `${target}/${e.rel}` : e.rel) : target;
      if (name === '') continue;
      if (e.type === 'dir') {
        if (!e.rel && exists) continue;
        made.add(name);
        ops.push({ kind: 'dir', name, mode: e.mode, e });
      } else if (e.type === 'symlink') ops.push({ kind: 'symlink', name, e });
      else if (e.type === 'fifo') ops.push({ kind: 'fifo', name, e });
      else ops.push({ kind: 'file', name, abs: e.rel ? path.join(m.abs, e.rel) : m.abs, e });
    }
  };
  for (const m of plan.matches) {
    if (m.type === 'dir') {
      parents(d);
      tree(m, d);
    } else if (plan.extract && m.type === 'file' && isArchive(m.abs)) {
      parents(d);
      if (!isDir(d)) {
        made.add(d);
        ops.push({ kind: 'dir', name: d, mode: 0o755 });
      }
      ops.push({ kind: 'archive', name: d, abs: m.abs });
    } else {
      const target = destIsDir ? path.posix.join(d, path.posix.basename(m.path)) : d;
      parents(target);
      tree(m, target);
    }
  }
  for (const h of plan.heredocs) {
    const target = destIsDir ? path.posix.join(d, h.name) : d;
    parents(target);
    ops.push({ kind: 'bytes', name: target, data: Buffer.from(h.content) });
  }
  return ops;
}

/**
 * Whether the ops can be written straight into a new upper directory (no overlay):
 * nothing extracted from an archive, and no op whose path the layers have as
 * another kind (a directory where a file or symlink is, or the reverse) — writing
 * those is left to the overlay, which handles them as a container's write would.
 */
export function directOk(ops: readonly CopyOp[], view: LowerView): boolean {
  for (const op of ops) {
    if (op.kind === 'archive') return false;
    const e = view.stat(op.name);
    if (!e) continue;
    if ((op.kind === 'dir') !== (e.kind === 'dir')) return false;
  }
  return true;
}
