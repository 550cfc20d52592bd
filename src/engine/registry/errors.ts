// Registry failures, each one clear line for the CLI (exit 125). `code` is the
// distribution spec's error code where the registry sent one, else our own kind.
import { EngineError } from '../errors.js';

export type RegistryErrorCode =
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_UNKNOWN'
  | 'BLOB_UNKNOWN'
  | 'TOOMANYREQUESTS'
  | 'TLS'
  | 'CONNECTION'
  | 'DIGEST_INVALID'
  | 'UNSUPPORTED'
  | 'INSECURE'
  | 'PROTOCOL';

export class RegistryError extends EngineError {
  constructor(
    message: string,
    readonly code: RegistryErrorCode,
    readonly status?: number,
    /** Retrying may help (network errors, 5xx, 429). */
    readonly transient = false,
  ) {
    super(message);
  }
}

export interface SpecError {
  code?: string;
  message?: string;
}

/** The `errors` array of a registry's JSON error body, if it has one. */
export function parseErrorBody(text: string): SpecError[] {
  try {
    const v = JSON.parse(text) as { errors?: unknown };
    return Array.isArray(v.errors) ? (v.errors as SpecError[]).filter((e) => e && typeof e === 'object') : [];
  } catch {
    return [];
  }
}

// Node's TLS verification error codes (from OpenSSL), named for people.
const CERT_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate signed by unknown authority',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is not valid for this host name',
  CERT_REVOKED: 'certificate has been revoked',
  CERT_UNTRUSTED: 'certificate is not trusted',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
};

interface ErrnoLike {
  code?: string;
  message?: string;
  cause?: unknown;
}

/** The innermost error with a code: fetch wraps socket errors as `TypeError: fetch failed`. */
function rootCause(err: unknown): ErrnoLike {
  let e = err as ErrnoLike;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    if (e.code && !(e.cause && typeof e.cause === 'object' && (e.cause as ErrnoLike).code)) return e;
    if (!e.cause || typeof e.cause !== 'object') return e;
    e = e.cause as ErrnoLike;
  }
  return e ?? {};
}

/** Maps a network-level failure (no HTTP response) to a RegistryError. */
export function networkError(err: unknown, host: string, url: string): RegistryError {
  if (err instanceof RegistryError) return err;
  const c = rootCause(err);
  const code = c.code ?? '';
  if (code in CERT_ERRORS) {
    return new RegistryError(`TLS certificate error for ${host}: ${CERT_ERRORS[code]} (${code})`, 'TLS');
  }
  if (/^ERR_SSL_|^ERR_TLS_|^EPROTO$/.test(code) || /SSL routines|wrong version number|tls/i.test(c.message ?? '')) {
    // OpenSSL's "80BC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…" → its reason.
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(c.message ?? '')?.[1] ?? c.message ?? code;
    const plain = /wrong version number|packet length too long|http request/i.test(reason);
    const hint = plain && url.startsWith('https:') ? ' (is it a plain-HTTP registry? --insecure allows that for localhost only)' : '';
    return new RegistryError(`TLS handshake with ${host} failed: ${reason}${hint}`, 'TLS');
  }
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by peer',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'temporary failure in name resolution',
    EPIPE: 'connection closed',
    UND_ERR_SOCKET: 'connection closed by the server',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response',
    UND_ERR_BODY_TIMEOUT: 'timed out reading the response',
    ABORT_ERR: 'request aborted',
  };
  const what = words[code] ?? (c.message || code || 'network error');
  const transient = code !== 'ENOTFOUND' && code !== 'ABORT_ERR';
  return new RegistryError(`cannot reach registry ${host}: ${what}`, 'CONNECTION', undefined, transient);
}
