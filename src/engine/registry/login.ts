// hutch login / logout: the credentials are tried against the registry's /v2/
// (through its token endpoint when it uses bearer auth) before they are stored.
import { openSession, type SessionOptions } from './session.js';
import { removeCredentials, storeCredentials, type Credentials } from './credentials.js';
import { normalizeRegistryName } from './endpoint.js';
import { RegistryError } from './errors.js';

export async function login(
  registryInput: string,
  creds: Credentials,
  opts: { insecure?: boolean; authFile: string; client?: SessionOptions['client'] },
): Promise<string> {
  const registry = normalizeRegistryName(registryInput);
  if (!creds.username) throw new RegistryError('login: a username is required', 'UNAUTHORIZED');
  if (!creds.password) throw new RegistryError('login: a password is required', 'UNAUTHORIZED');
  const client = openSession(registry, { insecure: opts.insecure, credentials: creds, client: opts.client });
  let res: Response;
  try {
    res = await client.request('GET', '/v2/');
  } catch (e) {
    if (e instanceof RegistryError && e.code === 'UNAUTHORIZED') {
      throw new RegistryError(`unauthorized: incorrect username or password for ${registry}`, 'UNAUTHORIZED', 401);
    }
    throw e;
  }
  await res.body?.cancel().catch(() => {});
  storeCredentials(opts.authFile, registry, creds);
  return registry;
}

export function logout(registryInput: string, authFile: string): { registry: string; removed: boolean } {
  const registry = normalizeRegistryName(registryInput);
  return { registry, removed: removeCredentials(authFile, registry) };
}
