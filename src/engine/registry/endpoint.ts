// Where a registry named in an image reference is reached. HTTPS always, except
// with --insecure, which is allowed for loopback registries only: plain HTTP to
// any other host would hand credentials and unverified content to the network.
import { RegistryError } from './errors.js';

export interface Endpoint {
  /** The registry as references name it: 'docker.io', '127.0.0.1:5000'. */
  host: string;
  /** Base URL of the API, without the trailing '/v2/'. */
  base: string;
  insecure: boolean;
}

/** The host part without a port: 'localhost', '127.0.0.1', '[::1]'. */
export function hostname(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

export function isLoopbackRegistry(host: string): boolean {
  const h = hostname(host).toLowerCase();
  return h === 'localhost' || h === '127.0.0.1' || h === '[::1]';
}

export function endpointFor(host: string, insecure = false): Endpoint {
  if (!host || /[\s/?#@]/.test(host)) throw new RegistryError(`invalid registry name "${host}"`, 'PROTOCOL');
  if (insecure && !isLoopbackRegistry(host)) {
    throw new RegistryError(`--insecure is allowed only for localhost, 127.0.0.1 and [::1] registries, not "${host}"`, 'INSECURE');
  }
  // Docker Hub's API lives on another name than the one references use.
  const apiHost = host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
  return { host, base: `${insecure ? 'http' : 'https'}://${apiHost}`, insecure };
}

/** A registry as a user may write it (`https://quay.io/`, `index.docker.io`) → `quay.io`, `docker.io`. */
export function normalizeRegistryName(input: string): string {
  const h = input.trim().replace(/^https?:\/\//, '').replace(/\/v[12]\/?$/, '').replace(/\/+$/, '');
  return h === 'index.docker.io' || h === 'registry-1.docker.io' ? 'docker.io' : h;
}
