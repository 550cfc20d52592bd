// Here-documents (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) as BuildKit recognises
// them: a word of the instruction's line that starts with `<<` names a body that
// follows the line, up to a line holding only the delimiter. A quoted delimiter
// turns substitution in the body off; `-` strips leading tabs.
import { lex, LexError, nothing } from './lex.js';

export interface HeredocHeader {
  name: string;
  expand: boolean;
  chomp: boolean;
  fd: number;
}

const HEREDOC = /^(\d*)<<(-?)([^<]*)$/;

/** The heredoc a word introduces, or undefined when the word is not one. */
export function heredocWord(word: string): HeredocHeader | undefined {
  const m = HEREDOC.exec(word);
  if (!m || m[3] === '') return undefined;
  const words = lex(m[3], nothing, { skipUnset: true }).words;
  if (words.length !== 1) return undefined;
  const raw = lex(m[3], nothing, { skipUnset: true, rawQuotes: true }).words;
  // Quotes that the plain reading removed mean part of the word was quoted.
  const quotes = (s: string) => (s.match(/['"]/g) ?? []).length;
  return { name: words[0], expand: quotes(words[0]) === quotes(raw[0] ?? ''), chomp: m[2] === '-', fd: Number(m[1] || 0) };
}

/** The heredocs a logical line introduces, in order. */
export function heredocsInLine(line: string): HeredocHeader[] {
  let words: string[];
  try {
    words = lex(line, nothing, { rawQuotes: true, rawEscapes: true, skipUnset: true }).words;
  } catch (e) {
    // An unbalanced quote: docker then sees no heredoc at all.
    if (e instanceof LexError) return [];
    throw e;
  }
  const out: HeredocHeader[] = [];
  for (const w of words) {
    const h = heredocWord(w);
    if (h) out.push(h);
  }
  return out;
}

/** `<<-`: every line's leading tabs go. */
export function chompTabs(content: string): string {
  return content.replace(/^\t+/gm, '');
}
