// A client for one registry, set up the same way for pull, push and login:
// endpoint (https, or http for --insecure loopback), stored credentials, retries.
import { RegistryClient, type ClientOptions } from './client.js';
import { endpointFor } from './endpoint.js';
import { readCredentials, type Credentials } from './credentials.js';

export interface SessionOptions {
  insecure?: boolean;
  /** The credentials file; its entry for the registry is used when `credentials` is absent. */
  authFile?: string;
  credentials?: Credentials;
  signal?: AbortSignal;
  /** Tests swap fetch, sleep and the retry policy. */
  client?: Partial<ClientOptions>;
}

export function openSession(registry: string, opts: SessionOptions = {}): RegistryClient {
  const endpoint = endpointFor(registry, opts.insecure);
  const credentials = opts.credentials ?? (opts.authFile ? readCredentials(opts.authFile, registry) : undefined);
  return new RegistryClient({ endpoint, credentials, signal: opts.signal, ...opts.client });
}
