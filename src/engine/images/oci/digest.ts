// Content digests (`sha256:<64 hex>`). Only sha256 is accepted: it is what every
// registry and archive in use writes. No hashing here (see hash.ts), so the `run`
// path can validate names without loading node:crypto.
import { InvalidArgument } from '../../errors.js';

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function isDigest(s: unknown): s is string {
  return typeof s === 'string' && DIGEST_RE.test(s);
}

export function assertDigest(s: unknown, what = 'digest'): string {
  if (!isDigest(s)) throw new InvalidArgument(`invalid ${what} ${JSON.stringify(s)}: expected sha256:<64 hex digits>`);
  return s;
}

export function hexOf(digest: string): string {
  return assertDigest(digest).slice(7);
}
