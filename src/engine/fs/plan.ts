// docker cp's rules (docs "docker container cp"), as a pure function: where the
// copy goes, given what the source is and what the destination is now.
//   SRC file: DST missing → a file created at DST (its parent must exist; a DST
//     ending in / must exist: "no such directory"); DST a file → overwritten;
//     DST a directory → copied into it under SRC's name.
//   SRC directory: DST missing → created as the copy; DST a file → error;
//     DST a directory → SRC copied into it, or with SRC ending in `/.` its
//     contents.
import path from 'node:path';
import { InvalidArgument } from '../errors.js';

export type DstKind = 'dir' | 'other' | null;

export interface CopyPlan {
  /** The directory the copy lands in (as the caller's paths go: absolute host, or in-root relative). */
  dir: string;
  /** The top entry's name in `dir`; null: SRC's contents go straight into `dir`. */
  name: string | null;
  /** The destination did not exist: `dir` must (the caller checks). */
  needParent: boolean;
}

/** `/.` at the end (or `.`): a directory's contents. */
export function endsWithDot(p: string): boolean {
  return p === '.' || p.endsWith('/.');
}

export function endsWithSlash(p: string): boolean {
  return p.endsWith('/') || endsWithDot(p);
}

/** The last name of a path, ignoring trailing slashes and `/.`. */
export function lastName(p: string): string {
  return path.posix.basename(path.posix.normalize(`/${p}`));
}

export function planCopy(src: string, srcIsDir: boolean, dst: string, dstKind: DstKind, show: string = dst): CopyPlan {
  const dstDir = path.posix.dirname(path.posix.normalize(`/${dst}`).replace(/\/$/, '') || '/');
  const srcName = lastName(src);
  if (dstKind === null) {
    if (!srcIsDir && endsWithSlash(dst)) throw new InvalidArgument(`no such directory: ${show}`);
    return { dir: dstDir, name: lastName(dst), needParent: true };
  }
  if (dstKind === 'other') {
    if (srcIsDir) throw new InvalidArgument(`cannot copy a directory to a file: ${show}`);
    if (endsWithSlash(dst)) throw new InvalidArgument(`not a directory: ${show}`);
    return { dir: dstDir, name: lastName(dst), needParent: false };
  }
  const dir = path.posix.normalize(`/${dst}`);
  if (srcIsDir && (endsWithDot(src) || srcName === '/')) return { dir, name: null, needParent: false };
  return { dir, name: srcName, needParent: false };
}

/** A container path as an in-root relative path ('' for /): `..` stops at the root, as in the container. */
export function inRootPath(p: string): string {
  return path.posix.normalize(`/${p}`).replace(/^\/+/, '').replace(/\/+$/, '');
}
