// When to try a registry request again: network errors, 5xx and 429 are retried
// with exponential backoff and jitter, and a server's Retry-After is honoured
// (up to a cap, so a hostile server cannot park us for hours).

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** The longest Retry-After we wait for; a longer one fails at once. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 250, maxMs: 8000, maxRetryAfterMs: 60_000 };

/** Delay before retry number `retry` (0 for the first retry): half the exponential
 * step plus a random half, so clients that failed together do not retry together. */
export function backoffDelay(retry: number, policy: RetryPolicy = DEFAULT_RETRY, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** retry);
  return Math.round(step / 2 + random() * (step / 2));
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** The wait before the next try, or undefined when the server asks for longer than the cap. */
export function retryDelay(
  retry: number,
  retryAfter: string | null | undefined,
  policy: RetryPolicy = DEFAULT_RETRY,
  now: number = Date.now(),
  random: () => number = Math.random,
): number | undefined {
  const backoff = backoffDelay(retry, policy, random);
  const asked = parseRetryAfter(retryAfter, now);
  if (asked === undefined) return backoff;
  if (asked > policy.maxRetryAfterMs) return undefined;
  return Math.max(backoff, asked);
}
