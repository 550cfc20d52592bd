// The credentials file written by `hutch login`: docker's config.json layout
// (`{"auths": {"host:port": {"auth": base64("user:password")}}}`), mode 0600,
// replaced atomically so a concurrent reader never sees half a file.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors.js';

export interface Credentials {
  username: string;
  password: string;
}

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  [other: string]: unknown;
}

export { authFilePath } from './auth-file.js';

// docker writes Docker Hub's key as the old index URL; other tools write a URL
// for any host. All of them name the same registry.
function keysFor(registry: string): string[] {
  const keys = [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
  if (registry === 'docker.io') keys.push('https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io');
  return keys;
}

function readFile(file: string): AuthFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    const v = JSON.parse(text) as AuthFile;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch {
    throw new InvalidArgument(`credentials file ${file} is not valid JSON`);
  }
}

function writeFile(file: string, value: AuthFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // A fresh file of our own: a name nobody can guess, and never an existing file
  // or a link someone put there (the secrets would go wherever it points).
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  const k = fs.constants;
  const fd = fs.openSync(tmp, k.O_WRONLY | k.O_CREAT | k.O_EXCL | k.O_NOFOLLOW, 0o600);
  try {
    try {
      fs.fchmodSync(fd, 0o600); // exactly 0600, whatever the umask
      fs.writeSync(fd, JSON.stringify(value, null, 2) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function readCredentials(file: string, registry: string): Credentials | undefined {
  const auths = readFile(file).auths ?? {};
  for (const k of keysFor(registry)) {
    const e = auths[k];
    if (!e) continue;
    if (typeof e.username === 'string' && typeof e.password === 'string') return { username: e.username, password: e.password };
    if (typeof e.auth === 'string') {
      const plain = Buffer.from(e.auth, 'base64').toString('utf8');
      const colon = plain.indexOf(':');
      if (colon > 0) return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
    }
  }
  return undefined;
}

export function storeCredentials(file: string, registry: string, creds: Credentials): void {
  const value = readFile(file);
  const auths = { ...(value.auths ?? {}) };
  for (const k of keysFor(registry)) delete auths[k];
  auths[registry] = { auth: Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64') };
  writeFile(file, { ...value, auths });
}

/** Returns false when there was nothing stored for the registry. */
export function removeCredentials(file: string, registry: string): boolean {
  const value = readFile(file);
  const auths = { ...(value.auths ?? {}) };
  let found = false;
  for (const k of keysFor(registry)) {
    if (k in auths) {
      delete auths[k];
      found = true;
    }
  }
  if (found) writeFile(file, { ...value, auths });
  return found;
}
