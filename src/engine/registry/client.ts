// One registry's HTTP API (distribution v2) for one operation: authentication on
// demand (a 401's challenge says Bearer or Basic), bearer tokens cached per scope,
// retries with backoff on network errors, 5xx and 429, and one clear error per
// failure. Callers see only successful responses (or the statuses they accept).
import { parseChallenges, type Challenge } from './www-authenticate.js';
import { TokenCache, mergeScopes, type TokenResponse } from './token-cache.js';
import { DEFAULT_RETRY, isRetryableStatus, retryDelay, type RetryPolicy } from './backoff.js';
import { RegistryError, networkError, parseErrorBody } from './errors.js';
import { STATUS_CODES } from 'node:http';
import { isLoopbackRegistry, type Endpoint } from './endpoint.js';
import type { Credentials } from './credentials.js';

export type Action = 'pull' | 'push';

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Made anew for each try, so a retry sends the whole body again. */
  body?: () => RequestInit['body'];
  /** The repository the request is about: the token's scope and error messages. */
  repo?: string;
  actions?: Action[];
  /** More repositories the token must cover (a cross-repository mount's source). */
  extraScopes?: string[];
  /** Statuses handed back to the caller instead of thrown; 2xx always are. */
  accept?: number[];
  /** false: a single try (the caller retries a larger unit itself). */
  retry?: boolean;
  signal?: AbortSignal;
  redirect?: RequestRedirect;
}

export interface ClientOptions {
  endpoint: Endpoint;
  credentials?: Credentials;
  tokens?: TokenCache;
  policy?: RetryPolicy;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
  /** Told about each retry before its wait (progress output, tests). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

type AuthState = { kind: 'none' } | { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string };

const USER_AGENT = 'hutch/0.1 (distribution v2 client)';

export function scopeFor(repo: string, actions: readonly Action[]): string {
  return `repository:${repo}:${[...new Set(actions)].sort().join(',')}`;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function statusText(res: Response): string {
  return res.statusText || STATUS_CODES[res.status] || '';
}

async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    /* already consumed or closed */
  }
}

export class RegistryClient {
  readonly endpoint: Endpoint;
  readonly policy: RetryPolicy;
  private auth: AuthState = { kind: 'none' };
  private readonly pendingTokens = new Map<string, Promise<string>>();
  private readonly tokens: TokenCache;
  private readonly doFetch: typeof fetch;
  private readonly doSleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly opts: ClientOptions) {
    this.endpoint = opts.endpoint;
    this.policy = opts.policy ?? DEFAULT_RETRY;
    this.tokens = opts.tokens ?? new TokenCache();
    this.doFetch = opts.fetch ?? ((...a) => fetch(...a));
    this.doSleep = opts.sleep ?? sleep;
  }

  get host(): string {
    return this.endpoint.host;
  }

  get hasCredentials(): boolean {
    return !!this.opts.credentials;
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.endpoint.base}${path}`;
  }

  /** Waits before retry `attempt` (0-based), or says why it will not. */
  async backoff(attempt: number, retryAfter: string | null, reason: string, signal?: AbortSignal): Promise<boolean> {
    if (attempt + 1 >= this.policy.attempts) return false;
    const delay = retryDelay(attempt, retryAfter, this.policy, Date.now(), this.opts.random);
    if (delay === undefined) return false;
    this.opts.onRetry?.({ attempt: attempt + 1, delayMs: delay, reason });
    await this.doSleep(delay, signal ?? this.opts.signal);
    return true;
  }

  /** Runs a request and the reading of its body, again when the body breaks off
   * (request() itself retries only until the headers arrive). */
  async withBody<T>(fn: () => Promise<T>, url: string, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof RegistryError || (signal ?? this.opts.signal)?.aborted) throw e;
        const err = networkError(e, this.host, this.url(url));
        if (err.transient && (await this.backoff(attempt, null, err.message, signal))) continue;
        throw err;
      }
    }
  }

  async request(method: string, path: string, ro: RequestOptions = {}): Promise<Response> {
    const url = this.url(path);
    const signal = ro.signal ?? this.opts.signal;
    let challenged = false;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      let authorization: string | undefined;
      try {
        const headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...ro.headers };
        authorization = await this.authorization(ro, signal);
        if (authorization) headers.Authorization = authorization;
        const body = ro.body?.();
        res = await this.doFetch(url, {
          method,
          headers,
          body,
          redirect: ro.redirect ?? 'follow',
          signal,
          ...(body ? { duplex: 'half' as const } : {}),
        });
      } catch (e) {
        if (signal?.aborted) throw signal.reason ?? e;
        const err = networkError(e, this.host, url);
        if (ro.retry !== false && err.transient && (await this.backoff(attempt, null, err.message, signal))) continue;
        throw err;
      }
      if (res.status === 401 && !challenged) {
        challenged = true;
        const challenges = parseChallenges(res.headers.get('www-authenticate'));
        await discard(res);
        await this.answerChallenge(challenges, ro, authorization, signal);
        attempt--; // answering a challenge is not a retry
        continue;
      }
      if (res.ok || ro.accept?.includes(res.status)) return res;
      if (ro.retry !== false && isRetryableStatus(res.status)) {
        const retryAfter = res.headers.get('retry-after');
        await discard(res);
        if (await this.backoff(attempt, retryAfter, `${res.status} ${statusText(res)}`, signal)) continue;
        throw this.exhausted(res, attempt + 1);
      }
      throw await this.statusError(res, ro);
    }
  }

  /** The error for a response that is neither wanted nor retryable. */
  async statusError(res: Response, ro: Pick<RequestOptions, 'repo'> = {}): Promise<RegistryError> {
    const text = await res.text().catch(() => '');
    const errs = parseErrorBody(text);
    const first = errs[0] ?? {};
    const where = ro.repo ? `${this.host}/${ro.repo}` : this.host;
    if (res.status === 401) {
      return this.opts.credentials
        ? new RegistryError(`unauthorized: authentication failed for ${where} (as user "${this.opts.credentials.username}")`, 'UNAUTHORIZED', 401)
        : new RegistryError(`unauthorized: authentication required for ${where}`, 'UNAUTHORIZED', 401);
    }
    if (res.status === 403) return new RegistryError(`denied: requested access to ${where} is denied`, 'DENIED', 403);
    if (res.status === 429 || isRetryableStatus(res.status)) return this.exhausted(res, 1);
    const code = (first.code ?? '').toLowerCase();
    const detail = first.message ?? (text.trim().slice(0, 200) || statusText(res));
    return new RegistryError(
      `${code ? `${code}: ` : ''}${detail} (${res.status} from ${where})`,
      ((first.code ?? 'PROTOCOL').toUpperCase() as RegistryError['code']),
      res.status,
    );
  }

  private exhausted(res: Response, tries: number): RegistryError {
    const gave = tries > 1 ? ` (gave up after ${tries} tries)` : '';
    if (res.status === 429) return new RegistryError(`toomanyrequests: too many requests to ${this.host}${gave}`, 'TOOMANYREQUESTS', 429, true);
    return new RegistryError(`registry ${this.host} answered ${res.status} ${statusText(res)}${gave}`, 'PROTOCOL', res.status, true);
  }

  private scopes(ro: RequestOptions): string[] {
    const out = ro.repo ? [scopeFor(ro.repo, ro.actions ?? ['pull'])] : [];
    return [...out, ...(ro.extraScopes ?? [])];
  }

  private basicHeader(): string {
    const c = this.opts.credentials!;
    return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
  }

  private async authorization(ro: RequestOptions, signal?: AbortSignal): Promise<string | undefined> {
    if (this.auth.kind === 'basic') return this.basicHeader();
    if (this.auth.kind === 'bearer') return `Bearer ${await this.token(this.auth.realm, this.auth.service, this.scopes(ro), signal)}`;
    return undefined;
  }

  /** `sent` is the Authorization the refused request carried: requests in flight
   * together all meet the challenge, and only a refused credential is a failure. */
  private async answerChallenge(challenges: Challenge[], ro: RequestOptions, sent: string | undefined, signal?: AbortSignal): Promise<void> {
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      const { realm, service, scope } = bearer.params;
      // The challenge names the scope this request needs; ours may add push.
      const scopes = mergeScopes([...this.scopes(ro), ...(scope ? scope.split(' ').filter(Boolean) : [])]);
      this.auth = { kind: 'bearer', realm, service };
      // A cached token the registry just refused is no good any more.
      if (sent?.startsWith('Bearer ')) this.tokens.drop(sent.slice(7));
      await this.token(realm, service, scopes, signal);
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic') && this.opts.credentials && sent !== this.basicHeader()) {
      this.auth = { kind: 'basic' };
      return;
    }
    const where = ro.repo ? `${this.host}/${ro.repo}` : this.host;
    if (this.opts.credentials) {
      throw new RegistryError(`unauthorized: authentication failed for ${where} (as user "${this.opts.credentials.username}")`, 'UNAUTHORIZED', 401);
    }
    throw new RegistryError(`unauthorized: authentication required for ${where}`, 'UNAUTHORIZED', 401);
  }

  /** A bearer token for the scopes, from the cache or the token endpoint. */
  private async token(realm: string, service: string | undefined, scopes: string[], signal?: AbortSignal): Promise<string> {
    const endpoint = TokenCache.endpoint(realm, service);
    const cached = this.tokens.get(endpoint, scopes);
    if (cached) return cached;
    // Parallel requests that meet the same challenge share one token request.
    const key = `${endpoint}\n${mergeScopes(scopes).sort().join(' ')}`;
    const pending = this.pendingTokens.get(key);
    if (pending) return pending;
    const p = this.fetchToken(realm, service, endpoint, scopes, signal);
    this.pendingTokens.set(key, p);
    try {
      return await p;
    } finally {
      this.pendingTokens.delete(key);
    }
  }

  private async fetchToken(realm: string, service: string | undefined, endpoint: string, scopes: string[], signal?: AbortSignal): Promise<string> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`registry ${this.host} sent a bad token realm "${realm}"`, 'PROTOCOL');
    }
    // Credentials go to the token endpoint: never over plain HTTP off this host.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackRegistry(url.host))) {
      throw new RegistryError(`registry ${this.host} sent an insecure token realm "${realm}" (https is required)`, 'INSECURE');
    }
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: 'application/json' };
    if (this.opts.credentials) headers.Authorization = this.basicHeader();
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.doFetch(url, { headers, signal });
      } catch (e) {
        if (signal?.aborted) throw signal.reason ?? e;
        const err = networkError(e, url.host, url.href);
        if (err.transient && (await this.backoff(attempt, null, err.message, signal))) continue;
        throw err;
      }
      if (res.ok) {
        let body: TokenResponse;
        try {
          body = (await res.json()) as TokenResponse;
        } catch {
          throw new RegistryError(`token endpoint ${url.origin}${url.pathname} sent no JSON`, 'PROTOCOL');
        }
        let token: string;
        try {
          token = this.tokens.put(endpoint, scopes, body);
        } catch {
          throw new RegistryError(`token endpoint ${url.origin}${url.pathname} sent no token`, 'PROTOCOL');
        }
        return token;
      }
      if (isRetryableStatus(res.status)) {
        const retryAfter = res.headers.get('retry-after');
        await discard(res);
        if (await this.backoff(attempt, retryAfter, `token endpoint ${res.status}`, signal)) continue;
        throw this.exhausted(res, attempt + 1);
      }
      await discard(res);
      if (res.status === 401 || res.status === 403) {
        throw this.opts.credentials
          ? new RegistryError(`unauthorized: incorrect username or password for ${this.host}`, 'UNAUTHORIZED', res.status)
          : new RegistryError(`unauthorized: authentication required for ${this.host}`, 'UNAUTHORIZED', res.status);
      }
      throw new RegistryError(`token endpoint ${url.origin}${url.pathname} answered ${res.status} ${statusText(res)}`, 'PROTOCOL', res.status);
    }
  }
}
