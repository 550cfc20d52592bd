// Where `hutch login` keeps registry credentials. Paths only (no crypto, no I/O):
// `create` needs it too, to keep the file out of the `host` image's view.
import os from 'node:os';
import path from 'node:path';
import type { Paths } from '../paths.js';

/** `$HUTCH_AUTH_FILE`, else `$HUTCH_ROOT/auth.json`, else `$XDG_CONFIG_HOME/hutch/auth.json`. */
export function authFilePath(env: Record<string, string | undefined> = process.env): string {
  if (env.HUTCH_AUTH_FILE) return path.resolve(env.HUTCH_AUTH_FILE);
  if (env.HUTCH_ROOT) return path.join(path.resolve(env.HUTCH_ROOT), 'auth.json');
  const config = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(config, 'hutch', 'auth.json');
}

/** The credentials file: `$HUTCH_AUTH_FILE`, `<state root>/auth.json` when the root
 * was moved (HUTCH_ROOT or an explicit root), else `$XDG_CONFIG_HOME/hutch/auth.json`. */
export function authFile(ctx: { paths: Pick<Paths, 'root'> }, env: Record<string, string | undefined> = process.env): string {
  const moved = env.HUTCH_ROOT || ctx.paths.root !== '/var/lib/hutch';
  return authFilePath({ ...env, HUTCH_ROOT: moved ? ctx.paths.root : undefined });
}
