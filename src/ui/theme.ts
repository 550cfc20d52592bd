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

/** The SGR prefix that sets `color` as the foreground, or undefined for the default colour. */
export function sgr(color: string | undefined): string | undefined {
  if (!color) return undefined;
  const code = SGR_CODE[color];
  if (code !== undefined) return `\x1b[${code}m`;
  let hex = color.slice(1);
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const n = parseInt(hex, 16);
  return `\x1b[38;2;${(n >> 16) & 255};${(n >> 8) & 255};${n & 255}m`;
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
