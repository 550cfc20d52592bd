// COPY/ADD sources resolved against the build context: docker's wildcards
// (filepath.Match per path component), symlinks on the way followed but never out
// of the context, a leading `/` meaning the context root, `../x` refused, and what
// .dockerignore excludes invisible (a source that is only excluded files is "not
// found", as docker says). Each match comes back with the entries to copy.
import fs from 'node:fs';
import path from 'node:path';
import type { IgnoreMatcher } from './ignore.js';
import { BadPattern, cleanPath, hasWildcards, matchName } from './pattern.js';
import { entryOf, hasIncluded, walkTree, type EntryType, type SourceEntry } from './walk.js';
import { lineError } from '../dockerfile/location.js';

export interface SourceMatch {
  /** The source as written in the instruction (after substitution). */
  source: string;
  /** The matched path in the context, symlinks resolved ('.' for the context itself). */
  path: string;
  /** Its absolute path; an entry's is `abs` joined with its `rel`. */
  abs: string;
  /** A directory's contents are copied; anything else is copied itself. */
  type: EntryType;
  /** The match ('' rel) and, for a directory, everything in it, in walk order. */
  entries: SourceEntry[];
}

export interface ResolveOptions {
  /** The context directory (absolute). */
  contextDir: string;
  ignore: IgnoreMatcher;
  /** For messages: the Dockerfile's name, the instruction's line and keyword. */
  file: string;
  line: number;
  keyword: 'COPY' | 'ADD';
}

const MAX_SYMLINKS = 40;

interface Found {
  rel: string;
  st: fs.BigIntStats;
}

class Resolver {
  private readonly roots: string[];

  constructor(
    private readonly o: ResolveOptions,
    private readonly source: string,
  ) {
    const real = fs.realpathSync(o.contextDir);
    this.roots = [...new Set([real, path.resolve(o.contextDir)])];
  }

  fail(message: string): Error {
    return lineError(this.o.file, this.o.line, `${this.o.keyword} failed: ${message}`);
  }

  private abs(rel: string): string {
    return rel === '.' ? this.o.contextDir : path.join(this.o.contextDir, rel);
  }

  private lstat(rel: string): fs.BigIntStats | undefined {
    try {
      return fs.lstatSync(this.abs(rel), { bigint: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw this.fail(`stat ${rel}: ${code ?? (e as Error).message}`);
    }
  }

  /**
   * Walks a context-relative path, following symlinks inside the context only. A
   * named source leaving it is refused; a wildcard candidate doing so is no match.
   */
  walk(rel: string, leaving: 'refuse' | 'skip' = 'refuse'): Found | undefined {
    let todo = rel === '.' ? [] : rel.split('/');
    let done: string[] = [];
    let hops = 0;
    let link = '';
    const outside = () => this.fail(`forbidden path outside the build context: ${this.source}${link}`);
    while (todo.length) {
      const name = todo.shift() as string;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        // Only a symlink's target can bring `..` here (the source was cleaned).
        if (!done.length) {
          if (leaving === 'skip') return undefined;
          throw outside();
        }
        done.pop();
        continue;
      }
      const cur = [...done, name].join('/');
      const s = this.lstat(cur);
      if (!s) return undefined;
      if (s.isSymbolicLink()) {
        // The link itself must be part of the context.
        if (this.o.ignore.matches(cur)) return undefined;
        if (++hops > MAX_SYMLINKS) throw this.fail(`too many levels of symbolic links: ${this.source}`);
        const target = fs.readlinkSync(this.abs(cur));
        link = ` (symlink ${cur} -> ${target})`;
        let next: string[];
        if (path.isAbsolute(target)) {
          const t = path.resolve(target);
          const root = this.roots.find((r) => t === r || t.startsWith(r + '/'));
          if (!root) {
            if (leaving === 'skip') return undefined;
            throw outside();
          }
          done = [];
          next = t === root ? [] : t.slice(root.length + 1).split('/');
        } else next = target.split('/');
        todo = [...next, ...todo];
        continue;
      }
      done.push(name);
      if (todo.length && !s.isDirectory()) return undefined;
    }
    const final = done.length ? done.join('/') : '.';
    const st = this.lstat(final);
    return st && { rel: final, st };
  }

  /** Is the found path part of the context as .dockerignore leaves it? */
  visible(f: Found): boolean {
    if (!this.o.ignore.matches(f.rel)) return true;
    return f.st.isDirectory() && hasIncluded(this.abs(f.rel), f.rel, this.o.ignore);
  }

  glob(pattern: string): Found[] {
    let frontier: Found[] = [{ rel: '.', st: this.lstat('.') as fs.BigIntStats }];
    const parts = pattern.split('/');
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const next = new Map<string, Found>();
      for (const dir of frontier) {
        const candidates: string[] = [];
        if (hasWildcards(part)) {
          let names: string[];
          try {
            names = fs.readdirSync(this.abs(dir.rel)).sort();
          } catch {
            continue;
          }
          for (const n of names) {
            try {
              if (matchName(part, n)) candidates.push(n);
            } catch (e) {
              if (e instanceof BadPattern) throw this.fail(`syntax error in pattern: ${this.source}`);
              throw e;
            }
          }
        } else candidates.push(part.replace(/\\(.)/g, '$1'));
        for (const n of candidates) {
          const f = this.walk(dir.rel === '.' ? n : `${dir.rel}/${n}`, 'skip');
          if (!f || (!last && !f.st.isDirectory()) || (last && !this.visible(f))) continue;
          next.set(f.rel, f);
        }
      }
      frontier = [...next.values()];
    });
    return frontier;
  }

  match(f: Found): SourceMatch {
    const abs = this.abs(f.rel);
    const entries = f.st.isDirectory() ? walkTree(abs, f.rel, this.o.ignore) : [entryOf('', abs, f.st)].filter((e): e is SourceEntry => !!e);
    if (!entries.length) throw this.fail(`${this.source}: not a file, directory, symlink or fifo`);
    return { source: this.source, path: f.rel, abs, type: entries[0].type, entries };
  }
}

/**
 * Resolves COPY/ADD sources (after substitution; not heredocs, not URLs) against
 * the context. Throws InvalidArgument `Dockerfile:N: COPY failed: …`.
 */
export function resolveSources(sources: readonly string[], o: ResolveOptions): SourceMatch[] {
  const out: SourceMatch[] = [];
  for (const source of sources) {
    const r = new Resolver(o, source);
    let rel = cleanPath(source);
    if (rel.startsWith('/')) rel = cleanPath(rel.slice(1));
    if (rel === '..' || rel.startsWith('../')) throw r.fail(`forbidden path outside the build context: ${source}`);
    if (hasWildcards(rel)) {
      const found = r.glob(rel);
      if (!found.length) throw r.fail('no source files were specified');
      out.push(...found.map((f) => r.match(f)));
    } else {
      const f = r.walk(rel);
      if (!f || !r.visible(f)) throw r.fail(`file not found in build context or excluded by .dockerignore: stat ${source}: file does not exist`);
      out.push(r.match(f));
    }
  }
  return out;
}
