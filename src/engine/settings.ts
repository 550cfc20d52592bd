// Engine-wide settings of a state root: `<root>/settings.json`, docker's daemon.json
// keys where docker has one. hutch has no daemon to hold them, so every process that
// opens the root reads the file (small, read once per create). Today one key:
//   "userns-remap": "" (none, the default) | "default" | "USER[:GROUP]" | "auto[:size=N]"
// default: the root's containers share one range of 65536 host ids from hutch's pool;
// USER[:GROUP]: that user's /etc/subuid range (and the group's /etc/subgid), as
// docker; auto: each container a range of its own (podman's userns=auto default).
// `--userns=host` (or `auto`) on a container overrides it, as with docker.
import path from 'node:path';
import { InvalidArgument } from './errors.js';
import { readJson } from './state/atomic.js';
import { parseUserns } from './security/userns.js';

export interface Settings {
  usernsRemap?: string;
}

export const settingsPath = (root: string): string => path.join(root, 'settings.json');

/** The root's settings; a file that is not what it should be is one clear line. */
export function readSettings(root: string): Settings {
  const file = settingsPath(root);
  let raw: unknown;
  try {
    raw = readJson<unknown>(file);
  } catch (e) {
    throw new InvalidArgument(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidArgument(`${file}: expected an object of settings`);
  const out: Settings = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k !== 'userns-remap') throw new InvalidArgument(`${file}: unknown setting ${JSON.stringify(k)} (known: userns-remap)`);
    if (typeof v !== 'string') throw new InvalidArgument(`${file}: "userns-remap" must be a string`);
    checkRemap(v, file);
    if (v) out.usernsRemap = v;
  }
  return out;
}

function checkRemap(v: string, file: string): void {
  if (!v || v === 'default') return;
  if (v.startsWith('auto')) {
    try {
      parseUserns(v);
    } catch (e) {
      throw new InvalidArgument(`${file}: "userns-remap": ${(e as Error).message}`);
    }
    return;
  }
  if (!/^[a-z_][a-z0-9_.-]*\$?(?::[a-z_][a-z0-9_.-]*\$?)?$/i.test(v))
    throw new InvalidArgument(`${file}: invalid "userns-remap" ${JSON.stringify(v)}: default, USER[:GROUP] or auto[:size=N]`);
}
