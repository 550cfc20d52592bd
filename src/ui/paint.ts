// Turning theme colours into escape sequences. Views build each screen line as one
// string (one <Text> per line keeps Ink's work small); colour comes from here.
// With colours off (NO_COLOR piped into mono, tests, dumb terminals) every helper
// returns the text unchanged.
import { RESET_FG, stripAnsi } from './charts/ansi.js';
import { bgSgr, FAINT, sgr, type ColorDepth, type ColorKey, type Theme } from './theme.js';
import { isPlainCell } from './plain-cells.js';

export interface Painter {
  readonly enabled: boolean;
  readonly theme: Theme;
  /** The SGR prefix of a theme colour (undefined: default colour or colours off). */
  code(key: ColorKey): string | undefined;
  fg(key: ColorKey, text: string): string;
  bold(text: string): string;
  /** A selected row: the theme's selection colours, or reverse video when it has none. */
  selected(text: string): string;
}

/**
 * `enabled`: escape sequences may be written at all. `depth`: the colours the
 * terminal shows (theme.ts colorDepth): hex colours become the nearest it has,
 * bright ones normal on 8-colour terminals, and none at 0 (NO_COLOR, whatever
 * the theme `t` cycles to), bold and reverse video staying.
 */
export function makePainter(theme: Theme, enabled: boolean, depth: ColorDepth = 24): Painter {
  const codes = new Map<ColorKey, string | undefined>();
  const raw = (key: ColorKey) => {
    if (!enabled) return undefined;
    if (!codes.has(key)) codes.set(key, sgr(theme.colors[key], depth));
    return codes.get(key);
  };
  // Faint (an 8-colour terminal's grey) ends with 22, not 39: callers that reset
  // with 39 themselves (charts, sparklines) get the default colour instead.
  const code = (key: ColorKey) => {
    const c = raw(key);
    return c === FAINT ? undefined : c;
  };
  const selBg = enabled ? bgSgr(theme.colors.selectedBg, depth) : undefined;
  const selFgRaw = enabled ? sgr(theme.colors.selectedFg, depth) : undefined;
  const selFg = selFgRaw === FAINT ? undefined : selFgRaw;
  return {
    enabled,
    theme,
    code,
    fg(key, text) {
      const c = raw(key);
      if (!c || !text) return text;
      return c === FAINT ? `${c}${text}\x1b[22m` : c + text + RESET_FG;
    },
    bold(text) {
      return enabled && text ? `\x1b[1m${text}\x1b[22m` : text;
    },
    selected(text) {
      if (!enabled) return text;
      // One colour pair for the whole row: inner colours would fight the background.
      const plain = stripAnsi(text);
      if (selBg) return `${selBg}${selFg ?? ''}${plain}${RESET_FG}\x1b[49m`;
      return `\x1b[7m${plain}\x1b[27m`;
    },
  };
}

/**
 * The width in columns of a painted line when every character in it is a plain
 * cell (see plain-cells.ts); SGR sequences take no room. Undefined for anything
 * else (wide or combining characters, other escapes): the caller then lets Ink
 * measure the line itself.
 */
export function lineWidth(text: string): number | undefined {
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x1b) {
      // SGR: ESC [ digits/semicolons m
      let j = i + 1;
      if (text.charCodeAt(j) !== 0x5b) return undefined;
      j++;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        if ((d >= 0x30 && d <= 0x39) || d === 0x3b) j++;
        else break;
      }
      if (text.charCodeAt(j) !== 0x6d) return undefined;
      i = j;
    } else if (isPlainCell(c)) w++;
    else return undefined;
  }
  return w;
}
