// Fetching a manifest or index by tag or digest, with the Accept header naming
// every type we read, and its digest checked: against the digest asked for, and
// against the registry's Docker-Content-Digest header when asked by tag.
import { createHash } from 'node:crypto';
import type { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { ACCEPT_MANIFESTS, INDEX_TYPES, MANIFEST_TYPES, OCI_INDEX, OCI_MANIFEST } from '../images/oci/media.js';
import { isDigest } from '../images/oci/digest.js';

/** The distribution spec's limit; anything larger is not a manifest. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  /** From the document's mediaType field, else the Content-Type header. */
  mediaType: string;
  kind: 'index' | 'manifest';
}

export function sha256Hex(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Reads a response body, refusing more than `max` bytes. */
export async function readLimited(res: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) throw new RegistryError(`${what} is too large (${declared} bytes)`, 'PROTOCOL');
  const chunks: Buffer[] = [];
  let n = 0;
  if (res.body) {
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
      n += c.length;
      if (n > max) {
        await res.body.cancel().catch(() => {});
        throw new RegistryError(`${what} is too large (more than ${max} bytes)`, 'PROTOCOL');
      }
      chunks.push(Buffer.from(c));
    }
  }
  return Buffer.concat(chunks);
}

function typeOf(bytes: Buffer, header: string | null): string {
  let doc: { mediaType?: unknown; manifests?: unknown; layers?: unknown; schemaVersion?: unknown };
  try {
    doc = JSON.parse(bytes.toString('utf8')) ?? {};
  } catch {
    throw new RegistryError('registry sent a manifest that is not JSON', 'PROTOCOL');
  }
  if (typeof doc.mediaType === 'string') return doc.mediaType;
  const h = (header ?? '').split(';')[0].trim();
  if (INDEX_TYPES.includes(h) || MANIFEST_TYPES.includes(h)) return h;
  if (doc.schemaVersion === 1 || /distribution\.manifest\.v1/.test(h)) return h || 'application/vnd.docker.distribution.manifest.v1+json';
  if (Array.isArray(doc.manifests)) return OCI_INDEX;
  if (Array.isArray(doc.layers)) return OCI_MANIFEST;
  return h;
}

/**
 * GET /v2/<repo>/manifests/<reference>. `shown` names the image in errors
 * (`manifest unknown: shown not found`).
 */
export async function fetchManifest(client: RegistryClient, repo: string, reference: string, shown: string): Promise<FetchedManifest> {
  const path = `/v2/${repo}/manifests/${reference}`;
  const got = await client.withBody(async () => {
    const res = await client.request('GET', path, {
      repo,
      actions: ['pull'],
      headers: { Accept: ACCEPT_MANIFESTS },
      accept: [404],
    });
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      throw new RegistryError(`manifest unknown: ${shown} not found`, 'MANIFEST_UNKNOWN', 404);
    }
    return { res, bytes: await readLimited(res, MAX_MANIFEST_BYTES, `manifest of ${shown}`) };
  }, path);
  const { res, bytes } = got;
  const digest = sha256Hex(bytes);
  if (isDigest(reference) && digest !== reference) {
    throw new RegistryError(`digest mismatch: ${shown} asked for ${reference}, registry sent ${digest}`, 'DIGEST_INVALID');
  }
  const header = res.headers.get('docker-content-digest');
  if (header && header.startsWith('sha256:') && header !== digest) {
    throw new RegistryError(`digest mismatch: registry says ${shown} is ${header}, its content is ${digest}`, 'DIGEST_INVALID');
  }
  const mediaType = typeOf(bytes, res.headers.get('content-type'));
  if (INDEX_TYPES.includes(mediaType)) return { bytes, digest, mediaType, kind: 'index' };
  if (MANIFEST_TYPES.includes(mediaType)) return { bytes, digest, mediaType, kind: 'manifest' };
  if (/distribution\.manifest\.v1/.test(mediaType)) {
    throw new RegistryError(`${shown} has a schema 1 manifest, which is not supported (push it again with a current client)`, 'UNSUPPORTED');
  }
  throw new RegistryError(`${shown} has an unsupported manifest type ${JSON.stringify(mediaType)}`, 'UNSUPPORTED');
}
