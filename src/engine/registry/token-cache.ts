// Bearer tokens kept for their lifetime, per token endpoint and scope set, so the
// layers of one pull (and repeated requests) share a token. A token granted for
// `repository:a:pull,push` also serves a request that needs only `pull`.

export interface TokenResponse {
  token?: string;
  access_token?: string;
  /** Seconds; the distribution spec's default is 60. */
  expires_in?: number;
  issued_at?: string;
}

// Renew a little early: a token that expires in flight costs a 401 round trip.
const MARGIN_MS = 5_000;
const DEFAULT_LIFETIME_S = 60;

interface Entry {
  endpoint: string;
  /** resource → actions granted */
  scopes: Map<string, Set<string>>;
  token: string;
  expiresAt: number;
}

function parseScopes(scopes: readonly string[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const s of scopes) {
    const colon = s.lastIndexOf(':');
    if (colon <= 0) continue;
    const set = m.get(s.slice(0, colon)) ?? new Set<string>();
    for (const a of s.slice(colon + 1).split(',')) if (a) set.add(a);
    m.set(s.slice(0, colon), set);
  }
  return m;
}

/** Scopes with one entry per resource: `repository:a:pull` and `repository:a:push`
 * become `repository:a:pull,push`. */
export function mergeScopes(scopes: readonly string[]): string[] {
  return [...parseScopes(scopes)].map(([r, a]) => `${r}:${[...a].sort().join(',')}`);
}

function covers(have: Map<string, Set<string>>, need: Map<string, Set<string>>): boolean {
  for (const [resource, actions] of need) {
    const h = have.get(resource);
    if (!h) return false;
    for (const a of actions) if (!h.has(a) && !h.has('*')) return false;
  }
  return true;
}

export class TokenCache {
  private entries: Entry[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  static endpoint(realm: string, service: string | undefined): string {
    return `${realm}\n${service ?? ''}`;
  }

  /** A live token whose scopes cover `scopes`. */
  get(endpoint: string, scopes: readonly string[]): string | undefined {
    const now = this.now();
    this.entries = this.entries.filter((e) => e.expiresAt > now);
    const need = parseScopes(scopes);
    return this.entries.find((e) => e.endpoint === endpoint && covers(e.scopes, need))?.token;
  }

  /** Forgets a token the registry refused. */
  drop(token: string): void {
    this.entries = this.entries.filter((e) => e.token !== token);
  }

  /** Stores a token endpoint's answer for the scopes asked; returns the token. */
  put(endpoint: string, scopes: readonly string[], res: TokenResponse): string {
    const token = res.token || res.access_token;
    if (!token) throw new Error('token endpoint returned no token');
    const lifetime = (typeof res.expires_in === 'number' && res.expires_in > 0 ? res.expires_in : DEFAULT_LIFETIME_S) * 1000;
    const issued = res.issued_at ? Date.parse(res.issued_at) : NaN;
    // Trust issued_at only when it is near our clock: a skewed server clock
    // must not make every token look expired.
    const start = !Number.isNaN(issued) && Math.abs(issued - this.now()) < 60_000 ? issued : this.now();
    this.entries.push({ endpoint, scopes: parseScopes(scopes), token, expiresAt: start + Math.max(lifetime - MARGIN_MS, lifetime / 2) });
    return token;
  }
}
