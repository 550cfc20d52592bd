// Splits a painted line into runs of printable ASCII and runs of other characters
// (block, braille and box-drawing glyphs), each run starting with the SGR state in
// force where it begins. Why: Ink measures every Text node's width on every frame
// with string-width, whose fast path covers printable ASCII only; one non-ASCII
// glyph (a sparkline) sends a whole 160-column row through the grapheme segmenter.
// Giving the glyphs their own short Text nodes keeps the long runs on the fast path.

const SGR = /\x1b\[[0-9;]*m/y;

function isAscii(cp: number): boolean {
  return cp >= 0x20 && cp <= 0x7e;
}

export function splitRuns(text: string): string[] {
  // eslint-disable-next-line no-control-regex
  if (/^(?:[\x20-\x7e]|\x1b\[[0-9;]*m)*$/.test(text)) return [text];
  const parts: string[] = [];
  let active = '';
  let cur = '';
  let curAscii: boolean | null = null;
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) === 0x1b) {
      SGR.lastIndex = i;
      const m = SGR.exec(text);
      if (m) {
        const seq = m[0];
        cur += seq;
        active = seq === '\x1b[0m' || seq === '\x1b[m' ? '' : active + seq;
        i += seq.length;
        continue;
      }
    }
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    // A space joins whatever run it is in, so "▁▂ ▃" stays one run.
    const ascii: boolean = cp === 0x20 && curAscii !== null ? curAscii : isAscii(cp);
    if (curAscii !== null && ascii !== curAscii) {
      parts.push(cur);
      cur = active;
    }
    curAscii = ascii;
    cur += ch;
    i += ch.length;
  }
  if (cur) parts.push(cur);
  return parts;
}
