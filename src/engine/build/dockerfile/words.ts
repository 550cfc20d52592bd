// How docker cuts an instruction's text into arguments before any substitution:
// the leading `--flag[=value]` words, exec-form JSON arrays, quote-aware words
// (ENV, LABEL, ARG) and plain whitespace splitting (FROM, COPY, EXPOSE…). Written
// from moby/buildkit's frontend/dockerfile/parser line_parsers.go and
// split_command.go; quotes stay in the words, the substitution step removes them.

/** What docker's parser counts as whitespace between arguments (not \n: lines are joined). */
export const WHITESPACE = /[\t\v\f\r ]+/;

/** Splits on runs of whitespace; an empty text has no words. */
export function splitWhitespace(text: string): string[] {
  return text === '' ? [] : text.split(WHITESPACE);
}

/** `KEYWORD rest` of a logical line (the keyword as written). */
export function splitKeyword(line: string): { keyword: string; rest: string } {
  const t = line.trim();
  const m = WHITESPACE.exec(t);
  if (!m) return { keyword: t, rest: '' };
  return { keyword: t.slice(0, m.index), rest: t.slice(m.index + m[0].length) };
}

const isSpace = (ch: string) => /\s/u.test(ch);

/**
 * Takes the leading `--name[=value]` words off an instruction's arguments (quotes
 * and backslashes inside them processed; a lone `--` ends them) and returns them
 * with the rest of the text, trimmed.
 */
export function extractFlags(text: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos <= text.length; pos++) {
    const end = pos === text.length;
    const ch = end ? '' : text[pos];
    if (!inWord) {
      if (end) break;
      if (isSpace(ch)) continue;
      if (ch !== '-' || text[pos + 1] !== '-') return { flags, rest: text.slice(pos).trim() };
      inWord = true;
    }
    if (end) {
      if (word !== '--' && (blankOK || word.length)) flags.push(word);
      break;
    }
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === '\\' && pos + 1 < text.length) word += text[++pos];
      else if (ch !== '\\') word += ch;
      continue;
    }
    if (isSpace(ch)) {
      inWord = false;
      if (word === '--') return { flags, rest: text.slice(pos).trim() };
      if (blankOK || word.length) flags.push(word);
      word = '';
      blankOK = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOK = true;
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === text.length) continue;
      word += text[++pos];
      continue;
    }
    word += ch;
  }
  return { flags, rest: '' };
}

/**
 * Quote-aware words (ENV, LABEL, ARG): split on unquoted whitespace; quotes and
 * escapes stay in the word for the substitution step to process.
 */
export function quotedWords(text: string, escape: string): string[] {
  const words: string[] = [];
  const chars = Array.from(text);
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOK = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (!inWord) {
      if (isSpace(ch)) continue;
      inWord = true;
    }
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === escape && quote !== "'") {
        if (i + 1 === chars.length) {
          quote = '';
          continue;
        }
        word += ch;
        word += chars[++i];
        continue;
      }
      word += ch;
      continue;
    }
    if (isSpace(ch)) {
      if (blankOK || word.length) words.push(word);
      word = '';
      inWord = false;
      blankOK = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOK = true;
    } else if (ch === escape) {
      if (i + 1 === chars.length) continue;
      word += ch;
      word += chars[++i];
      continue;
    }
    word += ch;
  }
  if (inWord && (blankOK || word.length)) words.push(word);
  return words;
}

export type JsonArgs = { ok: true; args: string[] } | { ok: false; notStrings: boolean };

/**
 * Exec form: the text is a JSON array of strings. A JSON array holding anything
 * else is docker's one refusal; text that is not a JSON array is shell form.
 */
export function parseJsonArgs(text: string): JsonArgs {
  const t = text.trim();
  if (!t.startsWith('[')) return { ok: false, notStrings: false };
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return { ok: false, notStrings: false };
  }
  if (!Array.isArray(v)) return { ok: false, notStrings: false };
  if (!v.every((x) => typeof x === 'string')) return { ok: false, notStrings: true };
  return { ok: true, args: v as string[] };
}
