// Cutting a line of terminal text (any characters and SGR escapes) into pieces
// at unstyled spaces, the way ink-output-cache.ts serialises a line that is not
// all plain cells. A pure string function: why the cut is exact is told in
// ink-output-cache.ts.

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
