// `--filter KEY=VALUE` as docker reads it: the same key given again widens the match
// (OR), different keys narrow it (AND); `label` is the exception, every label given
// must match (docker's MatchKVList). Matchers are compiled once, not per row.
import { InvalidArgument } from '../engine/errors.js';

/** Key → values, in the order given. */
export type Filters = ReadonlyMap<string, readonly string[]>;

/** Parses the flags; a key outside `accepted` is `invalid filter 'KEY'` (exit 125). */
export function parseFilters(flags: readonly string[], accepted: readonly string[]): Filters {
  const out = new Map<string, string[]>();
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq < 0) throw new InvalidArgument(`bad format of filter (expected name=value)`);
    const key = f.slice(0, eq).trim().toLowerCase();
    const value = f.slice(eq + 1).trim();
    if (!accepted.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** docker's Args.Match: a value equal to the source, or a regular expression found in it.
 * No values: everything matches. */
export function textMatcher(values: readonly string[] | undefined): (source: string) => boolean {
  if (!values?.length) return () => true;
  const exact = new Set(values);
  const patterns: RegExp[] = [];
  for (const v of values) {
    try {
      patterns.push(new RegExp(v));
    } catch {
      /* docker skips a value that is not a regular expression */
    }
  }
  return (s) => exact.has(s) || patterns.some((p) => p.test(s));
}

/** `label=KEY` or `label=KEY=VALUE`, every one of them (AND). */
export function labelMatcher(values: readonly string[] | undefined): (labels: Readonly<Record<string, string>> | undefined | null) => boolean {
  if (!values?.length) return () => true;
  const pairs = values.map((v) => {
    const eq = v.indexOf('=');
    return eq < 0 ? { key: v, value: undefined } : { key: v.slice(0, eq), value: v.slice(eq + 1) };
  });
  return (labels) => pairs.every(({ key, value }) => labels != null && Object.hasOwn(labels, key) && (value === undefined || labels[key] === value));
}

/** A yes/no filter (`dangling=true|false`, also 1/0); undefined when not given. */
export function boolFilter(f: Filters, key: string): boolean | undefined {
  const values = f.get(key);
  if (!values?.length) return undefined;
  const bools = values.map((v) => {
    const l = v.toLowerCase();
    if (l === 'true' || l === '1') return true;
    if (l === 'false' || l === '0') return false;
    throw new InvalidArgument(`invalid filter '${key}=${v}'`);
  });
  // Both given: docker keeps the first it checks (true).
  return bools.includes(true);
}

/** Every value must be one of `allowed`, else `invalid filter 'KEY=VALUE'`. */
export function checkValues(f: Filters, key: string, allowed: readonly string[]): void {
  for (const v of f.get(key) ?? []) if (!allowed.includes(v)) throw new InvalidArgument(`invalid filter '${key}=${v}'`);
}

/** A shell pattern as Go's path.Match reads it (`*` and `?` stop at '/', `[a-z]`), as a RegExp. */
export function globPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new InvalidArgument(`invalid filter 'reference=${pattern}': syntax error in pattern`);
      const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
      re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
