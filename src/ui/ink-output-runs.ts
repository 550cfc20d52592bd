// Serialising a line of SGR sequences and plain cells as ink's Output does
// (ink-output-cache.ts), without running ink's tokenizer over the line.
//
// Why: ink serialises a row through @alcalzone/ansi-tokenize, which makes an
// object per character, copies its style list, and diffs each character's list
// against the previous one with three Sets. A row whose text is new every frame
// (the shell pane in a flood of output; a table row whose colours moved) pays
// that per character, every frame.
//
// Why this is exact: in a line of plain cells (each one column, one grapheme of
// its own, never part of an escape: plain-cells.ts) and SGR sequences, every
// character between two escapes has the same styles, so styledCharsToString
// writes nothing between them; before each run of characters it writes the
// difference from the previous run's styles, and after the last character what
// closes the last styles. Both depend only on the styles before (a reduced list)
// and the escapes between, so each is worked out once, by ink's own tokenizer on
// a probe — the styles before written as their codes, "x", the escapes, "x" —
// and kept. Writing a reduced list's codes from no style gives that list back
// (it holds no two codes that override each other), so the probe starts from the
// very styles the line had. SGR codes hold no "x", so the probe's serialisation
// is cut at its x's. test/ui/ink-output-cache.test.ts compares with stock.
import { isPlainCell } from './plain-cells.js';

interface Code {
  code: string;
}
interface StyledChar {
  styles: Code[];
}

export interface TokenizerDeps {
  tokenize: (s: string) => unknown[];
  styledCharsFromTokens: (tokens: unknown[]) => StyledChar[];
  styledCharsToString: (chars: never[]) => string;
}

/** A line serialised: its width in cells, its text as ink writes it, whether its last cell has a style. */
export interface SerialisedRun {
  w: number;
  s: string;
  lastStyled: boolean;
}

/** Styles are named by their codes written in order (what the probe starts with). */
interface Step {
  /** What ink writes before the next character. */
  emit: string;
  /** The styles after the escapes. */
  styles: string;
}

const LIMIT = 4096;
const SGR = /\x1b\[[0-9;]*m/y; // eslint-disable-line no-control-regex

export class SgrRuns {
  private readonly steps = new Map<string, Step>();
  private readonly ends = new Map<string, string>();
  constructor(private readonly d: TokenizerDeps) {}

  clear(): void {
    this.steps.clear();
    this.ends.clear();
  }

  private serialiseProbe(probe: string): { text: string; chars: StyledChar[] } {
    const chars = this.d.styledCharsFromTokens(this.d.tokenize(probe));
    return { text: this.d.styledCharsToString(chars as never[]), chars };
  }

  /** From `styles`, the escapes `seq`, then a character: what ink writes before it, and its styles. */
  private step(styles: string, seq: string): Step {
    const key = `${styles}\u0000${seq}`;
    let s = this.steps.get(key);
    if (s === undefined) {
      const { text, chars } = this.serialiseProbe(`${styles}x${seq}x`);
      const from = text.indexOf('x') + 1;
      s = { emit: text.slice(from, text.indexOf('x', from)), styles: chars[1].styles.map((c) => c.code).join('') };
      if (this.steps.size >= LIMIT) this.steps.clear();
      this.steps.set(key, s);
    }
    return s;
  }

  /** What ink writes after the last character when it has `styles`. */
  private end(styles: string): string {
    if (styles === '') return '';
    let e = this.ends.get(styles);
    if (e === undefined) {
      const { text } = this.serialiseProbe(`${styles}x`);
      e = text.slice(text.indexOf('x') + 1);
      if (this.ends.size >= LIMIT) this.ends.clear();
      this.ends.set(styles, e);
    }
    return e;
  }

  /** The line as ink serialises it; undefined when it holds anything but SGR sequences and plain cells. */
  serialise(line: string): SerialisedRun | undefined {
    let out = '';
    let styles = '';
    let seq = '';
    let w = 0;
    const n = line.length;
    for (let i = 0; i < n; ) {
      const c = line.charCodeAt(i);
      if (c === 0x1b) {
        SGR.lastIndex = i;
        if (!SGR.test(line)) return undefined;
        seq += line.slice(i, SGR.lastIndex);
        i = SGR.lastIndex;
        continue;
      }
      let j = i;
      while (j < n && isPlainCell(line.charCodeAt(j))) j++;
      if (j === i) return undefined;
      if (seq !== '') {
        const s = this.step(styles, seq);
        out += s.emit;
        styles = s.styles;
        seq = '';
      }
      out += line.slice(i, j);
      w += j - i;
      i = j;
    }
    if (w > 0) out += this.end(styles);
    return { w, s: out, lastStyled: styles !== '' };
  }
}
