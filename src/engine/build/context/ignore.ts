// .dockerignore with docker's semantics (moby/patternmatcher), not gitignore's:
// a pattern matches the cleaned path relative to the context root from the root
// (`*.md` is only the root's), `**` matches any number of directories, a pattern
// matching a directory excludes what is under it, `!` re-includes, and the last
// pattern that matches decides. Leading `/` and `./` are dropped, `#` lines are
// comments. `<Dockerfile>.dockerignore` next to the Dockerfile takes precedence
// over the context's `.dockerignore`, as BuildKit does.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../../errors.js';
import { BadPattern, cleanPath, matchName, matchRegExp } from './pattern.js';

interface Pattern {
  text: string;
  exclusion: boolean;
  test: (p: string) => boolean;
  parts: string[];
}

/** A path that cleanPath would change (empty, `.`/`..` parts, doubled or outer slashes). */
const NOT_CLEAN = /^$|^\/|\/$|\/\/|(^|\/)\.\.?(\/|$)/;

/** The `.`-escaped characters of docker's pattern → regexp conversion. */
const ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** patternmatcher's compile: exact, prefix (`a/**`), suffix (`**\/a`) or a regular expression. */
function compile(p: string): (s: string) => boolean {
  const chars = Array.from(p);
  let re = '^';
  let type: 'exact' | 'prefix' | 'suffix' | 'regexp' = 'exact';
  for (let i = 0, n = 0; i < chars.length; n++) {
    const ch = chars[i++];
    if (ch === '*') {
      if (chars[i] === '*') {
        i++;
        if (chars[i] === '/') i++;
        if (i >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (n === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (ESCAPED.has(ch)) re += '\\' + ch;
    else if (ch === '\\') {
      if (i < chars.length) {
        const c = chars[i++];
        re += /[A-Za-z0-9]/.test(c) ? c : '\\' + c;
        type = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else re += ch;
  }
  switch (type) {
    case 'exact':
      return (s) => s === p;
    case 'prefix': {
      const prefix = p.slice(0, -2);
      return (s) => s.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = p.slice(2);
      return (s) => s.endsWith(suffix) || (suffix.startsWith('/') && s === suffix.slice(1));
    }
    default: {
      const r = new RegExp(re + '$');
      return (s) => r.test(s);
    }
  }
}

export class IgnoreMatcher {
  private readonly patterns: Pattern[];
  /** Some pattern starts with `!`. */
  readonly hasExclusions: boolean;

  /** `patterns` as .dockerignore lines after reading (`!` prefixed for re-includes). */
  constructor(patterns: readonly string[], source = '.dockerignore') {
    this.patterns = [];
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      const exclusion = p.startsWith('!');
      if (exclusion) {
        if (p.length === 1) throw new InvalidArgument(`${source}: illegal exclusion pattern: "!"`);
        p = p.slice(1);
      }
      p = cleanPath(p);
      try {
        matchRegExp(p);
        this.patterns.push({ text: p, exclusion, test: compile(p), parts: p.split('/') });
      } catch (e) {
        if (e instanceof BadPattern || e instanceof SyntaxError) throw new InvalidArgument(`${source}: syntax error in pattern: ${raw}`);
        throw e;
      }
    }
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Is the context-relative path excluded (it or a parent directory matches, last match wins)? */
  matches(rel: string): boolean {
    if (this.patterns.length === 0) return false;
    // Walks pass clean paths; clean only what may not be.
    const file = NOT_CLEAN.test(rel) ? cleanPath(rel) : rel;
    if (file === '.') return false;
    const parents = file.split('/').slice(0, -1);
    let matched = false;
    for (const p of this.patterns) {
      // An include cannot change an excluded path, nor a re-include an included one.
      if (p.exclusion !== matched) continue;
      let m = p.test(file);
      for (let i = 1; !m && i <= parents.length; i++) m = p.test(parents.slice(0, i).join('/'));
      if (m) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * Could a `!` pattern re-include something under this excluded directory? When
   * not, a walk need not go in. Errs on yes (the walk checks each path anyway).
   */
  mayReincludeUnder(dir: string): boolean {
    const d = cleanPath(dir).split('/');
    return this.patterns.some((p) => {
      if (!p.exclusion) return false;
      for (let i = 0; i < Math.min(d.length, p.parts.length); i++) {
        if (p.parts[i].includes('**')) return true;
        try {
          if (!matchName(p.parts[i], d[i])) return false;
        } catch {
          return true;
        }
      }
      return true;
    });
  }
}

/** Docker's reading of a .dockerignore: comments, blank lines, `/` and `./` prefixes. */
export function readIgnoreFile(text: string): string[] {
  const out: string[] = [];
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw) => {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) return;
    let p = line.trim();
    if (p === '') return;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p !== '') {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? '!' + p : p);
  });
  return out;
}

/**
 * The matcher for a build: `<dockerfile>.dockerignore` if it exists, else
 * `<context>/.dockerignore`, else one that excludes nothing.
 */
export function loadIgnore(contextDir: string, dockerfile?: string): IgnoreMatcher {
  const candidates = [...(dockerfile ? [`${dockerfile}.dockerignore`] : []), path.join(contextDir, '.dockerignore')];
  for (const f of candidates) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new InvalidArgument(`reading ${f}: ${(e as Error).message}`);
    }
    return new IgnoreMatcher(readIgnoreFile(text), path.basename(f));
  }
  return new IgnoreMatcher([]);
}
