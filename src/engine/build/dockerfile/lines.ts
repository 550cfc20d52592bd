// From the Dockerfile's text to logical instructions, as docker's parser reads it:
// parser directives (`# syntax=`, `# escape=`) only in the leading block of
// `# key=value` comments; the escape character at the end of a line continues it
// (comment lines and blank lines inside a continuation are dropped); a comment is a
// line whose first non-blank character is `#`; the bodies of here-documents follow
// their line verbatim. Line numbers are 1-based.
import type { EscapeChar } from './types.js';
import type { HeredocHeader } from './heredoc.js';
import { lineError } from './location.js';

export interface LogicalLine {
  /** Continuations joined (without the escape characters), comments dropped. */
  text: string;
  line: number;
  endLine: number;
  /** Heredoc headers with their bodies as written (leading tabs still there). */
  heredocs: (HeredocHeader & { raw: string })[];
}

export interface Lines {
  escape: EscapeChar;
  syntax?: string;
  lines: LogicalLine[];
  warnings: string[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax']);

const trimLeft = (s: string) => s.replace(/^\s+/u, '');
const isComment = (s: string) => trimLeft(s).startsWith('#');

/** Splits text into lines; `\r\n` endings lose their `\r` (kept in `raw` for heredoc bodies). */
function physicalLines(text: string): { line: string; raw: string }[] {
  const parts = text.split('\n');
  // A final newline does not start another line.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((p, i) => ({ line: p.replace(/\r$/, ''), raw: i < parts.length - 1 || text.endsWith('\n') ? p + '\n' : p }));
}

/**
 * Reads the logical lines. `heredocsFor` says which heredocs a logical line
 * introduces (none unless RUN/COPY/ADD, or ONBUILD of one, in shell form).
 */
export function readLines(file: string, text: string, heredocsFor: (line: string) => HeredocHeader[]): Lines {
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const phys = physicalLines(text);
  let escape: EscapeChar = '\\';
  let syntax: string | undefined;
  let directivesDone = false;
  const seen = new Set<string>();
  let continuation = continuationRe(escape);
  const out: Lines = { escape, lines: [], warnings: [] };

  /** Looks at a line for a parser directive while they are still allowed. */
  const directive = (line: string, n: number) => {
    if (directivesDone) return;
    const m = DIRECTIVE.exec(line);
    const key = m?.[1].toLowerCase();
    if (!m || !key || !KNOWN_DIRECTIVES.has(key)) {
      directivesDone = true;
      return;
    }
    if (seen.has(key)) throw lineError(file, n, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw lineError(file, n, `invalid escape token '${m[2]}' does not match \` or \\`);
      escape = m[2];
      continuation = continuationRe(escape);
    } else syntax = m[2];
  };
  /** A line without its comment (the whole line when it is one). */
  const strip = (line: string) => (line.startsWith('#') ? '' : line);
  /** [text without the continuation escape, whether the instruction ends here]. */
  const cont = (line: string): [string, boolean] => (continuation.test(line) ? [line.replace(continuation, '$1'), false] : [line, true]);

  let i = 0;
  while (i < phys.length) {
    const first = trimLeft(phys[i].line);
    directive(first, i + 1);
    const start = ++i;
    let [text, ended] = cont(strip(first));
    if (ended && text === '') continue;
    let emptyContinuation = false;
    while (!ended && i < phys.length) {
      const raw = phys[i].line;
      directive(raw, i + 1);
      i++;
      if (isComment(raw)) continue;
      if (trimLeft(raw) === '') {
        emptyContinuation = true;
        continue;
      }
      const [more, end] = cont(strip(raw));
      text += more;
      ended = end;
    }
    if (emptyContinuation) out.warnings.push(`${file}:${i}: empty continuation line found in: ${text.trim()}`);
    const heredocs: LogicalLine['heredocs'] = [];
    for (const h of heredocsFor(text)) {
      let body = '';
      let terminated = false;
      while (i < phys.length) {
        const { line, raw } = phys[i++];
        const candidate = h.chomp ? line.replace(/^\t+/, '') : line;
        if (candidate === h.name) {
          terminated = true;
          break;
        }
        body += raw;
      }
      if (!terminated) throw lineError(file, start, `unterminated heredoc ${h.name}`);
      heredocs.push({ ...h, raw: body });
    }
    out.lines.push({ text, line: start, endLine: i, heredocs });
  }
  out.escape = escape;
  out.syntax = syntax;
  return out;
}

/** The escape character at the end of a line, unless itself escaped. */
function continuationRe(escape: EscapeChar): RegExp {
  const e = escape === '\\' ? '\\\\' : '`';
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}
