// The dashboard's configuration: $XDG_CONFIG_HOME/hutch/config.json (default
// ~/.config/hutch/config.json), all keys optional:
//
//   {
//     "interval": "1s",                      // or a number of seconds
//     "theme": "dark",                       // built-in name or a path
//     "columns": ["name", "state", "cpu", "spark", "mem", "pids", "net", "network", "ports"],
//     "sort": "-cpu",                         // the default: busiest first; "state", "name" ascending
//     "confirm": true,                        // x, K, r ask y/N first as d does; false: they act at once
//     "showAll": false,
//     "stopTimeout": 10,
//     "keys": { "stop": "x", "kill": ["K", "ctrl+k"] },
//     "hosts": ["web-1", "db-1"]              // other machines, over ssh (as `--host`)
//   }
//
// Every error is one line naming the file and the field, exit status 125.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ACTIONS, defaultBindings, findConflict, isKeyName, type Action, type Bindings } from './keys.js';
import { parseInterval } from './format.js';

export const COLUMN_NAMES = ['name', 'host', 'id', 'image', 'state', 'health', 'cpu', 'spark', 'mem', 'memPct', 'pids', 'net', 'network', 'ports'] as const;
export type ColumnName = (typeof COLUMN_NAMES)[number];
export const DEFAULT_COLUMNS: ColumnName[] = ['name', 'image', 'state', 'health', 'cpu', 'spark', 'mem', 'memPct', 'pids', 'net', 'network', 'ports'];

export const SORT_KEYS = ['name', 'id', 'image', 'state', 'cpu', 'mem', 'pids', 'net', 'created'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface DashboardConfig {
  /** Where it was read from; undefined when there is no file. */
  file?: string;
  intervalMs?: number;
  theme?: string;
  columns: ColumnName[];
  sort: { key: SortKey; desc: boolean };
  showAll: boolean;
  stopTimeout: number;
  /** Stop, kill, restart and delete ask y/N first (false: only delete asks). */
  confirm: boolean;
  keys: Bindings;
  /** Other machines to show (ssh destinations), after `--host`'s. */
  hosts: string[];
}

export class ConfigError extends Error {
  readonly exitCode = 125;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function configPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'hutch', 'config.json');
}

export function defaultConfig(): DashboardConfig {
  return {
    columns: [...DEFAULT_COLUMNS],
    // By CPU, busiest first, as htop and ctop do (state is a key away).
    sort: { key: 'cpu', desc: true },
    confirm: true,
    showAll: false,
    stopTimeout: 10,
    keys: defaultBindings(),
    hosts: [],
  };
}

/** Reads and validates the config file; a missing file gives the defaults. */
export function loadConfig(env: Record<string, string | undefined>): DashboardConfig {
  const file = configPath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return defaultConfig();
    throw new ConfigError(`config ${file}: cannot read: ${(e as Error).message}`);
  }
  return parseConfig(file, text);
}

export function parseConfig(file: string, text: string): DashboardConfig {
  const fail = (field: string, msg: string): never => {
    throw new ConfigError(`config ${file}: ${field}${field ? ': ' : ''}${msg}`);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail('', `invalid JSON: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('', 'must be a JSON object');
  const cfg = defaultConfig();
  cfg.file = file;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    switch (k) {
      case '$comment':
        break;
      case 'interval': {
        const ms = parseInterval(v);
        if (ms === undefined || ms < 100) fail('interval', `${JSON.stringify(v)} is not an interval of at least 100ms (e.g. 1, "2s", "500ms")`);
        cfg.intervalMs = ms;
        break;
      }
      case 'theme':
        if (typeof v !== 'string' || v === '') fail('theme', 'must be a theme name or a path to a .json file');
        cfg.theme = v as string;
        break;
      case 'columns': {
        if (!Array.isArray(v) || v.length === 0) fail('columns', `must be a non-empty list of: ${COLUMN_NAMES.join(', ')}`);
        const cols = v as unknown[];
        cols.forEach((c, i) => {
          if (!(COLUMN_NAMES as readonly unknown[]).includes(c)) {
            fail(`columns[${i}]`, `${JSON.stringify(c)} is not a column (${COLUMN_NAMES.join(', ')})`);
          }
        });
        if (!cols.includes('name')) fail('columns', 'must include "name"');
        cfg.columns = cols as ColumnName[];
        break;
      }
      case 'sort': {
        const s = typeof v === 'string' ? v : '';
        const key = s.replace(/^-/, '');
        if (!(SORT_KEYS as readonly string[]).includes(key)) fail('sort', `${JSON.stringify(v)} is not a sort key (${SORT_KEYS.join(', ')}; "-cpu" for descending)`);
        cfg.sort = { key: key as SortKey, desc: s.startsWith('-') };
        break;
      }
      case 'showAll':
        if (typeof v !== 'boolean') fail('showAll', 'must be true or false');
        cfg.showAll = v as boolean;
        break;
      case 'confirm':
        if (typeof v !== 'boolean') fail('confirm', 'must be true or false');
        cfg.confirm = v as boolean;
        break;
      case 'stopTimeout':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail('stopTimeout', 'must be a whole number of seconds ≥ 0');
        cfg.stopTimeout = v as number;
        break;
      case 'keys': {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('keys', 'must be an object of action: key or [keys]');
        for (const [action, keys] of Object.entries(v as Record<string, unknown>)) {
          if (!(action in ACTIONS)) fail(`keys.${action}`, `unknown action (known: ${Object.keys(ACTIONS).join(', ')})`);
          const list = typeof keys === 'string' ? [keys] : keys;
          if (!Array.isArray(list) || list.length === 0) fail(`keys.${action}`, 'must be a key or a non-empty list of keys');
          for (const key of list as unknown[]) {
            if (typeof key !== 'string' || !isKeyName(key)) {
              fail(`keys.${action}`, `${JSON.stringify(key)} is not a key (one character, ctrl+x, or: up down left right pageup pagedown home end enter escape tab space backspace)`);
            }
          }
          cfg.keys[action as Action] = list as string[];
        }
        const conflict = findConflict(cfg.keys);
        if (conflict) throw new ConfigError(`config ${file}: ${conflict}`);
        break;
      }
      case 'hosts':
        if (!Array.isArray(v) || v.some((h) => typeof h !== 'string' || h === '' || h.startsWith('-') || /\s/.test(h)))
          fail('hosts', 'must be a list of ssh host names (e.g. ["web-1", "admin@db-1"])');
        cfg.hosts = v as string[];
        break;
      default:
        fail(k, 'unknown setting (known: interval, theme, columns, sort, showAll, stopTimeout, confirm, keys, hosts)');
    }
  }
  return cfg;
}
