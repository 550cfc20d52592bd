// Colour themes: JSON files in themes/ (dark, light, high-contrast, mono) or any
// path. A colour is an Ink/chalk colour name ("green", "gray", "blueBright"), a
// hex colour ("#5fafff"), or "" for the terminal's default. A theme file may set
// a subset of the colours; the rest come from the dark theme. Errors name the
// file and the field, and exit 125 like every hutch usage error.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const COLOR_KEYS = [
  'text', 'dim', 'accent', 'border', 'header',
  'selectedFg', 'selectedBg', 'marked',
  'running', 'exited', 'created',
  'cpu', 'mem', 'limit', 'axis', 'spark',
  'key', 'info', 'error', 'stderr', 'match',
] as const;
export type ColorKey = (typeof COLOR_KEYS)[number];

export interface Theme {
  name: string;
  /** Where it came from (a file path). */
  source: string;
  colors: Record<ColorKey, string>;
}

export const THEME_NAMES = ['dark', 'light', 'high-contrast', 'mono'] as const;

export class ThemeError extends Error {
  readonly exitCode = 125;
  constructor(message: string) {
    super(message);
    this.name = 'ThemeError';
  }
}

const SGR_CODE: Record<string, number> = {
  black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37,
  gray: 90, grey: 90, blackBright: 90, redBright: 91, greenBright: 92, yellowBright: 93,
  blueBright: 94, magentaBright: 95, cyanBright: 96, whiteBright: 97,
};

export function isColor(v: unknown): v is string {
  return typeof v === 'string' && (v === '' || v in SGR_CODE || /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v));
}

/**
 * How many colours the terminal shows: 24 (24-bit), 8 (256 colours), 4 (16
 * colours), 3 (8 colours: no bright ones) or 0 (none; bold and reverse video
 * stay). Node's own guess says 16 for TERM=xterm; terminfo says 8, and so do we.
 */
export type ColorDepth = 0 | 3 | 4 | 8 | 24;

/** The colour depth from the environment: NO_COLOR, TERM and COLORTERM. */
export function colorDepth(env: Record<string, string | undefined>): ColorDepth {
  if (env.NO_COLOR) return 0;
  const term = (env.TERM ?? '').toLowerCase();
  if (term === 'dumb') return 0;
  const ct = (env.COLORTERM ?? '').toLowerCase();
  if (ct === 'truecolor' || ct === '24bit') return 24;
  if (/direct|truecolor|24bit/.test(term)) return 24;
  if (/256col/.test(term)) return 8;
  if (/16col|88col/.test(term)) return 4;
  return 3;
}

/** The 16 ANSI colours as xterm draws them (30-37, then 90-97). */
const ANSI_RGB: [number, number, number][] = [
  [0, 0, 0], [205, 0, 0], [0, 205, 0], [205, 205, 0], [0, 0, 238], [205, 0, 205], [0, 205, 205], [229, 229, 229],
  [127, 127, 127], [255, 0, 0], [0, 255, 0], [255, 255, 0], [92, 92, 255], [255, 0, 255], [0, 255, 255], [255, 255, 255],
];

function hexRgb(color: string): [number, number, number] {
  let hex = color.slice(1);
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const n = parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The nearest of the first `count` ANSI colours (0-15). */
function nearestAnsi([r, g, b]: [number, number, number], count: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < count; i++) {
    const [x, y, z] = ANSI_RGB[i];
    const d = (r - x) ** 2 + (g - y) ** 2 + (b - z) ** 2;
    if (d < bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

/** The xterm 256-colour index of an RGB colour (the 6×6×6 cube or the grey ramp). */
function xterm256([r, g, b]: [number, number, number]): number {
  if (r === g && g === b) {
    if (r < 8) return 16;
    if (r > 248) return 231;
    return 232 + Math.round(((r - 8) / 247) * 24);
  }
  const six = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40));
  return 16 + 36 * six(r) + 6 * six(g) + six(b);
}

/** SGR for faint text: the grey of an 8-colour terminal (which has no bright black). */
export const FAINT = '\x1b[2m';

/**
 * The SGR code number(s) of a colour at a depth, as a foreground (30-37, 90-97,
 * 38;5;N, 38;2;R;G;B), or undefined for the default colour or none at all.
 * `faint` is returned for grey on 8-colour terminals.
 */
function fgCode(color: string, depth: ColorDepth): string | 'faint' | undefined {
  if (!color || depth === 0) return undefined;
  let code = SGR_CODE[color];
  if (code === undefined) {
    const rgb = hexRgb(color);
    if (depth === 24) return `38;2;${rgb[0]};${rgb[1]};${rgb[2]}`;
    if (depth === 8) return `38;5;${xterm256(rgb)}`;
    const i = nearestAnsi(rgb, depth === 4 ? 16 : 8);
    code = i < 8 ? 30 + i : 82 + i;
  }
  if (depth === 3 && code >= 90) {
    // No bright colours: grey becomes faint text, the others their normal colour.
    if (code === 90) return 'faint';
    code -= 60;
  }
  return String(code);
}

/** The SGR prefix that sets `color` as the foreground, or undefined for the default colour. */
export function sgr(color: string | undefined, depth: ColorDepth = 24): string | undefined {
  const c = fgCode(color ?? '', depth);
  if (c === undefined) return undefined;
  return c === 'faint' ? FAINT : `\x1b[${c}m`;
}

/** The SGR prefix that sets `color` as the background (undefined: the default, or none). */
export function bgSgr(color: string | undefined, depth: ColorDepth = 24): string | undefined {
  const c = fgCode(color ?? '', depth);
  if (c === undefined) return undefined;
  if (c === 'faint') return '\x1b[40m';
  const n = Number(c);
  if (Number.isInteger(n)) return `\x1b[${n + 10}m`;
  return `\x1b[${c.replace(/^38;/, '48;')}m`;
}

/** The themes/ directory, found from src/ui (tsx) and from dist/ (the bundle) alike. */
export function themesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../../themes', '../themes']) {
    const dir = path.resolve(here, rel);
    if (fs.existsSync(path.join(dir, 'dark.json'))) return dir;
  }
  return path.resolve(here, '../../themes');
}

function parseTheme(file: string, text: string, base: Record<ColorKey, string> | undefined): Theme {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ThemeError(`theme ${file}: invalid JSON: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ThemeError(`theme ${file}: must be a JSON object with "name" and "colors"`);
  }
  const obj = data as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (k !== 'name' && k !== 'colors' && k !== '$comment') throw new ThemeError(`theme ${file}: ${k}: unknown field`);
  }
  if (obj.name !== undefined && typeof obj.name !== 'string') throw new ThemeError(`theme ${file}: name: must be a string`);
  const colors = obj.colors;
  if (typeof colors !== 'object' || colors === null || Array.isArray(colors)) {
    throw new ThemeError(`theme ${file}: colors: must be an object of colours`);
  }
  const out: Partial<Record<ColorKey, string>> = { ...base };
  for (const [k, v] of Object.entries(colors as Record<string, unknown>)) {
    if (!(COLOR_KEYS as readonly string[]).includes(k)) {
      throw new ThemeError(`theme ${file}: colors.${k}: unknown colour key`);
    }
    if (!isColor(v)) {
      throw new ThemeError(`theme ${file}: colors.${k}: ${JSON.stringify(v)} is not a colour (a name like "green", "#rrggbb", or "")`);
    }
    out[k as ColorKey] = v;
  }
  for (const k of COLOR_KEYS) {
    if (out[k] === undefined) throw new ThemeError(`theme ${file}: colors.${k}: missing`);
  }
  const name = typeof obj.name === 'string' ? obj.name : path.basename(file, '.json');
  return { name, source: file, colors: out as Record<ColorKey, string> };
}

function readThemeFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ThemeError(`theme ${file}: cannot read: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
}

let darkColors: Record<ColorKey, string> | undefined;

function dark(): Record<ColorKey, string> {
  if (!darkColors) {
    const file = path.join(themesDir(), 'dark.json');
    darkColors = parseTheme(file, readThemeFile(file), undefined).colors;
  }
  return darkColors;
}

/**
 * A built-in name (dark, light, high-contrast, mono) or a path to a JSON file.
 * Throws a ThemeError: one line naming the file and the field.
 */
export function loadTheme(nameOrPath: string): Theme {
  const builtin = (THEME_NAMES as readonly string[]).includes(nameOrPath);
  if (!builtin && !nameOrPath.includes('/') && !nameOrPath.endsWith('.json')) {
    throw new ThemeError(`theme ${JSON.stringify(nameOrPath)}: not a built-in theme (${THEME_NAMES.join(', ')}) nor a .json file`);
  }
  const file = builtin ? path.join(themesDir(), `${nameOrPath}.json`) : path.resolve(nameOrPath);
  const theme = parseTheme(file, readThemeFile(file), nameOrPath === 'dark' ? undefined : dark());
  return builtin ? { ...theme, name: nameOrPath } : theme;
}

/** The themes `t` cycles through: the one in use first, then the other built-ins. */
export function themeCycle(first: Theme): Theme[] {
  const list: Theme[] = [first];
  for (const n of THEME_NAMES) if (n !== first.name) list.push(loadTheme(n));
  return list;
}

/** A theme with every colour set to the terminal default (NO_COLOR, tests, dumb terminals). */
export function monoTheme(): Theme {
  const colors = Object.fromEntries(COLOR_KEYS.map((k) => [k, ''])) as Record<ColorKey, string>;
  return { name: 'mono', source: 'mono', colors };
}
