// Docker's variable substitution (BuildKit's dockerfile shell lexer): `$v`, `${v}`,
// `${v:-d}` `${v-d}` `${v:+a}` `${v+a}` `${v:?msg}` `${v?msg}`, `${v#p}` `${v##p}`
// `${v%p}` `${v%%p}`, `${v/p/r}` `${v//p/r}`; single quotes keep `$` literal, double
// quotes keep spaces, the escape character escapes the next one. Written from the
// behaviour of moby/buildkit frontend/dockerfile/shell/lex.go (and its tests), so a
// Dockerfile expands here as it does under `docker build`.
//
// Every name looked up is reported (set or not): the executor keys its cache on the
// values of the build args a step read.

/** Looks a variable up; undefined when it is not set (an empty value is set). */
export type Lookup = (name: string) => string | undefined;

export interface LexOptions {
  /** The Dockerfile's escape character (`# escape=`). */
  escape?: '\\' | '`';
  /** Keep quote characters in the result (heredoc detection). */
  rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  rawEscapes?: boolean;
  /** Quotes are ordinary characters (heredoc bodies). */
  skipProcessQuotes?: boolean;
  /** Leave `$name` / `${name…}` as written when the name is not set. */
  skipUnset?: boolean;
}

export interface LexResult {
  /** The word with substitutions made and quotes removed. */
  value: string;
  /** The same split into words (quoted spaces kept, spaces from a substitution split). */
  words: string[];
  /** Every variable name looked up, in order of first use. */
  read: string[];
  /** The names among `read` that were not set. */
  unset: string[];
}

/** A substitution error, worded as docker's; the caller adds file and line. */
export class LexError extends Error {}

const EOF = '';
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
const SPACE = /\s/u;

/** Collects the result split into words, as the lexer's wordsStruct does. */
class Words {
  word = '';
  inWord = false;
  readonly list: string[] = [];

  /** A character that came from the text unquoted: a space ends the word. */
  addChar(ch: string): void {
    if (SPACE.test(ch)) {
      if (this.inWord && this.word.length) {
        this.list.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else this.addRaw(ch);
  }

  addRaw(s: string): void {
    this.word += s;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  done(): string[] {
    if (this.word.length) this.list.push(this.word);
    this.word = '';
    this.inWord = false;
    return this.list;
  }
}

class Lexer {
  private readonly chars: string[];
  private pos = 0;
  private readonly escape: string;
  private rawEscapes: boolean;
  readonly read = new Map<string, boolean>();

  constructor(
    text: string,
    private readonly lookup: Lookup,
    private readonly opts: LexOptions,
  ) {
    this.chars = Array.from(text);
    this.escape = opts.escape ?? '\\';
    this.rawEscapes = !!opts.rawEscapes;
  }

  private peek(): string {
    return this.pos < this.chars.length ? this.chars[this.pos] : EOF;
  }

  private next(): string {
    return this.pos < this.chars.length ? this.chars[this.pos++] : EOF;
  }

  private get(name: string): string | undefined {
    const v = this.lookup(name);
    this.read.set(name, v !== undefined);
    return v;
  }

  /** Reads up to `stop` (consumed) or the end when stop is EOF. */
  run(stop: string, rawEscapes: boolean): { value: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      return this.scan(stop);
    } finally {
      this.rawEscapes = saved;
    }
  }

  private scan(stop: string): { value: string; words: string[] } {
    let out = '';
    const words = new Words();
    const quotes = !this.opts.skipProcessQuotes;
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (stop !== EOF && ch === stop) {
        this.next();
        return { value: out, words: words.done() };
      }
      if (ch === '$') {
        const v = this.dollar();
        out += v;
        words.addString(v);
      } else if (quotes && (ch === "'" || ch === '"')) {
        const v = ch === "'" ? this.singleQuoted() : this.doubleQuoted();
        out += v;
        words.addRaw(v);
      } else {
        let c = this.next();
        if (c === this.escape) {
          if (this.rawEscapes) {
            words.addRaw(c);
            out += c;
          }
          c = this.next();
          if (c === EOF) break;
          words.addRaw(c);
        } else words.addChar(c);
        out += c;
      }
    }
    if (stop !== EOF) throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
    return { value: out, words: words.done() };
  }

  private singleQuoted(): string {
    let out = '';
    const q = this.next();
    if (this.opts.rawQuotes) out += q;
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.opts.rawQuotes) out += ch;
        return out;
      }
      out += ch;
    }
  }

  private doubleQuoted(): string {
    let out = '';
    const q = this.next();
    if (this.opts.rawQuotes) out += q;
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (p === '"') {
        this.next();
        if (this.opts.rawQuotes) out += p;
        return out;
      }
      if (p === '$') {
        out += this.dollar();
        continue;
      }
      let ch = this.next();
      if (ch === this.escape) {
        if (this.rawEscapes) out += ch;
        const n = this.peek();
        // A trailing escape is dropped; only " $ and the escape itself are escapable.
        if (n === EOF) continue;
        if (n === '"' || n === '$' || n === this.escape) ch = this.next();
      }
      out += ch;
    }
  }

  private name(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name === '' && DIGIT.test(ch)) {
        while (this.peek() !== EOF && DIGIT.test(this.peek())) name += this.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.next();
      if (!LETTER.test(ch) && !DIGIT.test(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }

  private dollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const v = this.get(name);
      if (v === undefined && this.opts.skipUnset) return '$' + name;
      return v ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new LexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.name();
    let ch = this.next();
    if (ch === EOF) throw new LexError("syntax error: missing '}'");
    if (ch === '}') {
      const v = this.get(name);
      if (v === undefined && this.opts.skipUnset) return '${' + name + '}';
      return v ?? '';
    }
    if (ch === '/') return this.replace(name);
    let modifier = ch;
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.next();
      modifier += ch;
    } else if (!'+-?#%'.includes(ch)) throw new LexError(`unsupported modifier (${ch}) in substitution`);
    const word = this.until('}', ch === '#' || ch === '%', "syntax error: missing '}'");
    const v = this.get(name);
    if (v === undefined && this.opts.skipUnset) return '${' + name + modifier + word + '}';
    const empty = v === undefined || (nullIsUnset && v === '');
    switch (ch) {
      case '-':
        return empty ? word : (v as string);
      case '+':
        return empty ? '' : word;
      case '?':
        if (v === undefined) throw new LexError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && v === '') throw new LexError(`${name}: ${word || 'is not allowed to be empty'}`);
        return v;
      case '#':
      case '%': {
        const greedy = word.startsWith(ch);
        const pattern = greedy ? word.slice(1) : word;
        return ch === '%' ? trimSuffix(pattern, v ?? '', greedy) : trimPrefix(pattern, v ?? '', greedy);
      }
      default:
        throw new LexError(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  /** Reads a sub-word up to `stop`, turning "ran out" into `missing`. */
  private until(stop: string, rawEscapes: boolean, missing: string): string {
    try {
      return this.run(stop, rawEscapes).value;
    } catch (e) {
      if (e instanceof LexError && this.peek() === EOF) throw new LexError(missing);
      throw e;
    }
  }

  /** `${name/pattern/replacement}`, `${name//pattern/replacement}`. */
  private replace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    const pattern = this.until('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.until('}', true, "syntax error: missing '}'");
    const v = this.get(name);
    if (v === undefined && this.opts.skipUnset) return '${' + name + '/' + pattern + '/' + replacement + '}';
    const re = shellPattern(pattern, true, false, all);
    return (v ?? '').replace(re, () => replacement);
  }
}

const REGEX_SPECIAL = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

/** A shell wildcard pattern (`*`, `?`, `\x`; no brackets) as a regular expression. */
function shellPattern(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') out += greedy ? '.*' : '.*?';
    else if (ch === '?') out += '.';
    else if (ch === '\\') {
      // `\}` and `\/` were escapes for the ${} syntax, not for the pattern.
      if (chars[i + 1] === '}' || chars[i + 1] === '/') continue;
      const n = chars[++i];
      if (n !== '*' && n !== '?' && n !== '\\') throw new LexError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${n ?? ''}'`);
      out += '\\' + n;
    } else if (REGEX_SPECIAL.has(ch)) out += '\\' + ch;
    else out += ch;
  }
  return new RegExp(out, global ? 'gu' : 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = shellPattern(pattern, greedy, true).exec(value);
  return m ? value.slice(m[0].length) : value;
}

/** Reverses a pattern keeping each `\x` escape in front of its character. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = [];
  for (let i = 0; i < chars.length; ) {
    if (chars[i] === '\\' && i !== chars.length - 1) {
      out.unshift(chars[i], chars[i + 1]);
      i += 2;
    } else out.unshift(chars[i++]);
  }
  return out.join('');
}

const reverse = (s: string) => Array.from(s).reverse().join('');

function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  // The shortest match from the right is the shortest from the left of the reversed text.
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

/** Expands `text`; throws LexError with docker's wording. */
export function lex(text: string, lookup: Lookup, opts: LexOptions = {}): LexResult {
  const lexer = new Lexer(text, lookup, opts);
  let r: { value: string; words: string[] };
  try {
    r = lexer.run(EOF, !!opts.rawEscapes);
  } catch (e) {
    if (e instanceof LexError) throw new LexError(`failed to process ${JSON.stringify(text)}: ${e.message}`);
    throw e;
  }
  const read = [...lexer.read.keys()];
  return { value: r.value, words: r.words, read, unset: read.filter((n) => !lexer.read.get(n)) };
}

/** A Lookup over a map. */
export const fromMap =
  (m: ReadonlyMap<string, string>): Lookup =>
  (name) =>
    m.get(name);

/** A Lookup where nothing is set. */
export const nothing: Lookup = () => undefined;
