// Joining cells into one line with as few escape sequences as possible: one SGR
// when the colour changes, one reset (39 = default foreground, so a row's
// background survives) when a coloured run ends.

export const RESET_FG = '\x1b[39m';

/**
 * `cells[i]` is drawn with `colors[i]` (an SGR prefix such as '\x1b[32m', or
 * undefined / '' for the terminal's default colour).
 */
export function paintRuns(cells: readonly string[], colors: readonly (string | undefined)[]): string {
  let out = '';
  let current = '';
  for (let i = 0; i < cells.length; i++) {
    const c = colors[i] || '';
    if (c !== current) {
      if (current && !c) out += RESET_FG;
      else if (c) out += c;
      current = c;
    }
    out += cells[i];
  }
  if (current) out += RESET_FG;
  return out;
}

/** Wraps a whole string in one colour (nothing when no colour or empty text). */
export function paint(text: string, color: string | undefined): string {
  return color && text ? color + text + RESET_FG : text;
}

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

/** Removes SGR sequences (for width computations and tests). */
export function stripAnsi(s: string): string {
  return s.replace(SGR, '');
}
