// Cutting a line of terminal text (printable characters and SGR escapes) the
// ways ink-output-cache.ts serialises it: by its shape (the escapes kept, every
// other character an "x"), filled back with the characters after ink's
// tokenizer has serialised the shape once; and into pieces at unstyled spaces.
// Pure string functions: why each cut is exact is told in ink-output-cache.ts.
import { isPlainCell } from './plain-cells.js';

const SGR = /\x1b\[([0-9;]*)m/y; // eslint-disable-line no-control-regex

/** SGR parameters that open a style, by the parameter that closes it. */
function closerOf(p: number): number | undefined {
  if ((p >= 30 && p <= 37) || (p >= 90 && p <= 97) || p === 38) return 39;
  if ((p >= 40 && p <= 47) || (p >= 100 && p <= 107) || p === 48) return 49;
  switch (p) {
    case 1:
    case 2:
      return 22;
    case 3:
      return 23;
    case 4:
      return 24;
    case 5:
      return 25;
    case 7:
      return 27;
    case 8:
      return 28;
    case 9:
      return 29;
    case 53:
      return 55;
  }
  return undefined;
}
const CLOSERS = new Set([22, 23, 24, 25, 27, 28, 29, 39, 49, 55]);

/** Where a cut may start a piece: ESC, printable ASCII, and box, block and braille glyphs
 * (none of which can join the space before it in one grapheme cluster). */
function cutBefore(cc: number): boolean {
  return cc === 0x1b || (cc > 0x20 && cc < 0x7f) || (cc >= 0x2500 && cc <= 0x28ff);
}

/**
 * A line's shape: its SGR sequences as they are, every other character (all of
 * them plain cells, else undefined) replaced by "x"; and those characters in
 * order. Two lines of one shape tokenise to the same styles cell by cell, so the
 * shape's serialisation with its x's replaced, in order, by the characters is
 * the line's own: a table row's shape stays the same while its figures change.
 */
export function shape(line: string): { key: string; chars: string } | undefined {
  let key = '';
  let chars = '';
  let from = 0; // start of the current run of plain cells
  const n = line.length;
  for (let i = 0; i < n; ) {
    const c = line.charCodeAt(i);
    if (c === 0x1b) {
      SGR.lastIndex = i;
      const m = SGR.exec(line);
      if (!m) return undefined;
      if (i > from) {
        key += 'x'.repeat(i - from);
        chars += line.slice(from, i);
      }
      key += m[0];
      i += m[0].length;
      from = i;
      continue;
    }
    if (!isPlainCell(c)) return undefined;
    i++;
  }
  if (n > from) {
    key += 'x'.repeat(n - from);
    chars += line.slice(from);
  }
  return { key, chars };
}

/** A shape's serialisation cut at its x's: [codes, count of x, codes, count of x, …, codes]. */
export type Filling = (string | number)[];

export function filling(serialised: string): Filling {
  const out: Filling = [];
  let codes = '';
  for (let i = 0; i < serialised.length; ) {
    if (serialised.charCodeAt(i) === 0x78) {
      let j = i + 1;
      while (j < serialised.length && serialised.charCodeAt(j) === 0x78) j++;
      out.push(codes, j - i);
      codes = '';
      i = j;
    } else {
      // Everything else ink writes here is an SGR sequence (no x in them).
      codes += serialised[i];
      i++;
    }
  }
  out.push(codes);
  return out;
}

export function fill(f: Filling, chars: string): string {
  let s = f[0] as string;
  let at = 0;
  for (let k = 1; k < f.length; k += 2) {
    const n = f[k] as number;
    s += chars.slice(at, at + n) + (f[k + 1] as string);
    at += n;
  }
  return s;
}

/**
 * Splits a line into pieces that each end with spaces (the last one may not),
 * cutting only after a space where, by a quick reading of its SGR codes, no style
 * is open. The reading is only a guess at good cuts: each cut is checked on the
 * tokenised result (OutputCache.lineRun in ink-output-cache.ts).
 */
export function pieces(line: string): string[] {
  // OSC sequences (links) may contain spaces; 0x9b is the one-byte CSI.
  if (line.includes('\x1b]') || line.includes('\x9b')) return [line];
  const out: string[] = [];
  const open = new Set<number>();
  let unknown = false;
  let start = 0;
  const n = line.length;
  for (let i = 0; i < n; ) {
    const cc = line.charCodeAt(i);
    if (cc === 0x1b) {
      SGR.lastIndex = i;
      const m = SGR.exec(line);
      if (m) {
        const ps = m[1] === '' ? [0] : m[1].split(';').map(Number);
        for (let k = 0; k < ps.length; k++) {
          const p = ps[k];
          if (p === 0) {
            open.clear();
            unknown = false;
          } else if (CLOSERS.has(p)) {
            open.delete(p);
          } else {
            const c = closerOf(p);
            if (c === undefined) unknown = true;
            else open.add(c);
            if (p === 38 || p === 48) k += ps[k + 1] === 5 ? 2 : ps[k + 1] === 2 ? 4 : 0;
          }
        }
        i += m[0].length;
        continue;
      }
    }
    if (cc === 0x20) {
      let j = i + 1;
      while (j < n && line.charCodeAt(j) === 0x20) j++;
      if (j < n && open.size === 0 && !unknown && cutBefore(line.charCodeAt(j))) {
        out.push(line.slice(start, j));
        start = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  if (start < n) out.push(line.slice(start));
  return out;
}
