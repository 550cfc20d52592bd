// Lists a tree of the build context (or of any directory) for COPY/ADD: every
// entry below it with the metadata the copy and the cache key need, symlinks not
// followed, .dockerignore'd paths left out. An excluded directory is entered only
// when a `!` pattern may re-include something in it, and is listed only when
// something in it is.
import fs from 'node:fs';
import type { IgnoreMatcher } from './ignore.js';
import { InvalidArgument } from '../../errors.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo';

export interface SourceEntry {
  /** Path below the match ('' for the match itself), `/`-separated. */
  rel: string;
  type: EntryType;
  /** Permission bits (07777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkTarget?: string;
  /** Identity for the stat cache and for hardlink detection. */
  dev: bigint;
  ino: bigint;
  nlink: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** A source's entry for `st`; undefined for sockets and devices, which are not copied. */
export function entryOf(rel: string, abs: string, st: fs.BigIntStats): SourceEntry | undefined {
  const type: EntryType | undefined = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : undefined;
  if (!type) return undefined;
  return {
    rel,
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: type === 'file' ? Number(st.size) : 0,
    ...(type === 'symlink' ? { linkTarget: fs.readlinkSync(abs) } : {}),
    dev: st.dev,
    ino: st.ino,
    nlink: Number(st.nlink),
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  };
}

const join = (a: string, b: string) => (a === '' || a === '.' ? b : `${a}/${b}`);

/**
 * Lists `abs` (a directory) and everything under it. `ctxRel` is its path in the
 * context for .dockerignore matching (omit `ignore` outside a context).
 */
export function walkTree(abs: string, ctxRel: string, ignore?: IgnoreMatcher): SourceEntry[] {
  const out: SourceEntry[] = [];
  const rootSt = fs.lstatSync(abs, { bigint: true });
  const root = entryOf('', abs, rootSt);
  if (root) out.push(root);
  const walk = (dirAbs: string, rel: string, cRel: string, into: SourceEntry[]) => {
    let names: string[];
    try {
      names = fs.readdirSync(dirAbs).sort();
    } catch (e) {
      throw new InvalidArgument(`reading the build context: ${cRel}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    for (const name of names) {
      const childAbs = dirAbs + '/' + name;
      const childRel = join(rel, name);
      const childCtx = join(cRel, name);
      const st = fs.lstatSync(childAbs, { bigint: true });
      const excluded = ignore?.matches(childCtx) ?? false;
      if (st.isDirectory()) {
        if (excluded && !(ignore?.hasExclusions && ignore.mayReincludeUnder(childCtx))) continue;
        const at = into.length;
        into.push(entryOf(childRel, childAbs, st) as SourceEntry);
        walk(childAbs, childRel, childCtx, into);
        // An excluded directory is listed only as the parent of something re-included.
        if (excluded && into.length === at + 1) into.pop();
      } else if (!excluded) {
        const e = entryOf(childRel, childAbs, st);
        if (e) into.push(e);
      }
    }
  };
  if (rootSt.isDirectory()) walk(abs, '', ctxRel, out);
  return out;
}

/** Does the excluded directory hold something a `!` pattern re-includes? */
export function hasIncluded(abs: string, ctxRel: string, ignore: IgnoreMatcher): boolean {
  if (!ignore.hasExclusions || !ignore.mayReincludeUnder(ctxRel)) return false;
  return walkTree(abs, ctxRel, ignore).length > 1;
}
