// Go's path.Clean and filepath.Match, which docker uses for COPY wildcards (`*`,
// `?`, `[a-z]`, `[^x]`, `\` escapes; a wildcard never crosses `/`; no `**`).

/** Go's path.Clean: no `.`/empty components, `..` folded, no trailing slash; '' → '.'. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const s = (rooted ? '/' : '') + out.join('/');
  return s === '' ? '.' : s;
}

export class BadPattern extends Error {
  constructor(readonly pattern: string) {
    super(`syntax error in pattern: ${pattern}`);
  }
}

const escapeRe = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const escapeClass = (ch: string) => ch.replace(/[\]\\^-]/g, '\\$&');

/** filepath.Match's pattern as a regular expression over one name (or a path, `/` never matched). */
export function matchRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let re = '^';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\') {
      if (i + 1 >= chars.length) throw new BadPattern(pattern);
      re += escapeRe(chars[++i]);
    } else if (ch === '[') {
      let j = i + 1;
      let cls = '';
      if (chars[j] === '^') {
        cls += '^/';
        j++;
      }
      /** One class character (Go's getEsc): not `-` or `]` unless escaped. */
      const esc = (): string => {
        let c = chars[j];
        if (c === undefined || c === '-' || c === ']') throw new BadPattern(pattern);
        if (c === '\\') c = chars[++j];
        if (c === undefined || j + 1 >= chars.length) throw new BadPattern(pattern);
        j++;
        return c;
      };
      for (let n = 0; !(chars[j] === ']' && n > 0); n++) {
        const lo = esc();
        let hi = lo;
        if (chars[j] === '-') {
          j++;
          hi = esc();
        }
        // Go accepts an empty range (z-a); it matches nothing.
        if (lo <= hi) cls += lo === hi ? escapeClass(lo) : `${escapeClass(lo)}-${escapeClass(hi)}`;
      }
      re += cls === '' ? '(?!)' : cls === '^/' ? '[^/]' : `[${cls}]`;
      i = j;
    } else re += escapeRe(ch);
  }
  return new RegExp(re + '$', 'u');
}

/** filepath.Match: does `name` match the whole pattern? Throws BadPattern on a malformed one. */
export function matchName(pattern: string, name: string): boolean {
  return matchRegExp(pattern).test(name);
}

/** BuildKit's test for a COPY source with wildcards (`\` escapes the next character). */
export function hasWildcards(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === '*' || p[i] === '?' || p[i] === '[') return true;
  }
  return false;
}
