// The lexer of Go's text/template as docker uses it ({{ }} delimiters, `{{-`/`-}}`
// trim markers, comments). Errors are Go's words, e.g. `template: :1: unclosed action`.
import { InvalidArgument } from '../../../engine/errors.js';

/** A template that does not parse, or fails while it runs: one line, exit 125. */
export class TemplateError extends InvalidArgument {}

export type TokenKind =
  | 'text' | 'open' | 'close' | 'field' | 'variable' | 'dot' | 'ident' | 'keyword' | 'string' | 'number'
  | 'bool' | 'nil' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text (for strings and chars: the decoded value; for text: after trimming). */
  value: string;
  /** Byte offset in the template, for error positions. */
  pos: number;
  /** A space came before it inside the action: `.A .B` is two operands, `.A.B` one chain. */
  spaced: boolean;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);
const SPACE = new Set([' ', '\t', '\r', '\n']);

export function lineOf(src: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src[i] === '\n') n++;
  return n;
}

function fail(src: string, pos: number, msg: string): never {
  throw new TemplateError(`template: :${lineOf(src, pos)}: ${msg}`);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

function unquote(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? e;
  });
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}

export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) out.push({ kind: 'text', value: text, pos: i, spaced: false });
      break;
    }
    // `{{- ` trims the white space before the action.
    const trimLeft = src[open + 2] === '-' && SPACE.has(src[open + 3] ?? '');
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) out.push({ kind: 'text', value: text, pos: i, spaced: false });
    i = open + 2 + (trimLeft ? 2 : 0);
    // A comment is the whole action: {{/* … */}}.
    let j = i;
    while (SPACE.has(src[j] ?? '')) j++;
    if (src.startsWith('/*', j)) {
      const end = src.indexOf('*/', j + 2);
      if (end < 0) fail(src, open, 'unclosed comment');
      let k = end + 2;
      const spaceBefore = SPACE.has(src[k] ?? '');
      while (SPACE.has(src[k] ?? '')) k++;
      if (spaceBefore && src.startsWith('-}}', k)) {
        trimNext = true;
        k++;
      }
      if (!src.startsWith('}}', k)) fail(src, open, 'comment ends before closing delimiter');
      i = k + 2;
      continue;
    }
    out.push({ kind: 'open', value: '{{', pos: open, spaced: false });
    i = lexAction(src, i, out, () => (trimNext = true));
  }
  out.push({ kind: 'eof', value: '', pos: src.length, spaced: false });
  return out;
}

/** Tokens of one action from `i` up to and including its `}}`; returns the offset after it. */
function lexAction(src: string, i: number, out: Token[], onTrimRight: () => void): number {
  const start = i;
  let spaced = false;
  const push = (kind: TokenKind, value: string, pos: number) => {
    out.push({ kind, value, pos, spaced });
    spaced = false;
  };
  for (;;) {
    const c = src[i];
    if (c === undefined) fail(src, start, 'unclosed action');
    if (SPACE.has(c)) {
      // ` -}}` trims the white space after the action.
      let k = i;
      while (SPACE.has(src[k] ?? '')) k++;
      if (src.startsWith('-}}', k)) {
        onTrimRight();
        push('close', '}}', k);
        return k + 3;
      }
      spaced = true;
      i = k;
      continue;
    }
    if (src.startsWith('}}', i)) {
      push('close', '}}', i);
      return i + 2;
    }
    if (c === '|') push('pipe', c, i++);
    else if (c === '(') push('lparen', c, i++);
    else if (c === ')') push('rparen', c, i++);
    else if (c === ',') push('comma', c, i++);
    else if (src.startsWith(':=', i)) push('declare', ':=', (i += 2) - 2);
    else if (c === '=') push('assign', c, i++);
    else if (c === '"') {
      let k = i + 1;
      while (k < src.length && src[k] !== '"' && src[k] !== '\n') k += src[k] === '\\' ? 2 : 1;
      if (src[k] !== '"') fail(src, i, 'unterminated quoted string');
      push('string', unquote(src.slice(i + 1, k)), i);
      i = k + 1;
    } else if (c === '`') {
      const k = src.indexOf('`', i + 1);
      if (k < 0) fail(src, i, 'unterminated raw quoted string');
      push('string', src.slice(i + 1, k), i);
      i = k + 1;
    } else if (c === "'") {
      const m = /^'(\\.|[^\\'])[^']*'/u.exec(src.slice(i));
      if (!m) fail(src, i, 'unterminated character constant');
      push('number', String(unquote(m[0].slice(1, -1)).codePointAt(0)), i);
      i += m[0].length;
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?)/.exec(src.slice(i))!;
      if (isIdentChar(src[i + m[0].length])) fail(src, i, `bad number syntax: "${src.slice(i, i + m[0].length + 1)}"`);
      push('number', m[0], i);
      i += m[0].length;
    } else if (c === '.') {
      let k = i + 1;
      while (isIdentChar(src[k])) k++;
      push(k === i + 1 ? 'dot' : 'field', src.slice(i, k), i);
      i = k;
    } else if (c === '$') {
      let k = i + 1;
      while (isIdentChar(src[k])) k++;
      push('variable', src.slice(i, k), i);
      i = k;
    } else if (isIdentChar(c)) {
      let k = i;
      while (isIdentChar(src[k])) k++;
      const word = src.slice(i, k);
      push(word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : KEYWORDS.has(word) ? 'keyword' : 'ident', word, i);
      i = k;
    } else {
      const cp = c.codePointAt(0)!;
      fail(src, i, `unrecognized character in action: U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`);
    }
  }
}
