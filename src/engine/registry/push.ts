// hutch push: every blob of the image (layers and config) the registry lacks is
// uploaded (HEAD first; POST a session, PATCH the bytes in chunks, PUT ?digest=),
// three at a time, then the manifest is PUT under the tag, byte for byte as
// stored so its digest is the one the image is known by.
import fs from 'node:fs';
import type { PushResult, RegistryOptions } from '../types.js';
import { formatReference, parseReference, type Reference } from '../images/oci/reference.js';
import type { Descriptor } from '../images/oci/manifest.js';
import type { ImageService } from '../images/service-api.js';
import { openSession } from './session.js';
import { eachLimit, ProgressEmitter } from './progress.js';
import { RegistryError, networkError } from './errors.js';
import type { RegistryClient } from './client.js';
import type { RegistryDeps } from './pull.js';

/** Blobs up to this size go in one PUT; larger ones in PATCH chunks of this size. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

export async function pushImage(deps: RegistryDeps & { chunkBytes?: number }, name: string, opts: RegistryOptions = {}): Promise<PushResult> {
  const ref = parseReference(name);
  const service = await deps.service();
  // The store's shared lock from finding the image to the manifest PUT: an rmi,
  // prune or gc meanwhile would delete the blobs being sent.
  return service.lease(() => pushLeased(deps, service, ref, name, opts));
}

async function pushLeased(
  deps: RegistryDeps & { chunkBytes?: number },
  service: ImageService,
  ref: Reference,
  name: string,
  opts: RegistryOptions,
): Promise<PushResult> {
  const local = await service.resolve(name);
  const client = openSession(ref.registry, { insecure: opts.insecure, authFile: deps.authFile, signal: opts.signal, client: deps.client });
  const progress = new ProgressEmitter(opts.onProgress);
  const repo = ref.repository;
  const manifestBytes = service.blobs.readBytes(local.manifestDigest);
  const blobs = [...local.manifest.layers, local.manifest.config].filter((d, i, all) => all.findIndex((x) => x.digest === d.digest) === i);
  for (const b of local.manifest.layers) progress.emit(b.digest, 'waiting', 0, b.size);
  // docker shows layers only; the config is sent quietly.
  const shown = (d: string) => local.manifest.layers.some((l) => l.digest === d);

  let uploaded = 0;
  await eachLimit(
    blobs,
    deps.concurrency ?? 3,
    async (blob, signal) => {
      const head = await client.request('HEAD', `/v2/${repo}/blobs/${blob.digest}`, { repo, actions: ['pull', 'push'], accept: [404], signal });
      await head.body?.cancel().catch(() => {});
      if (head.status !== 404) {
        if (shown(blob.digest)) progress.emit(blob.digest, 'exists', blob.size, blob.size);
        return;
      }
      const file = service.blobs.path(blob.digest);
      const report = shown(blob.digest) ? (n: number) => progress.emit(blob.digest, 'uploading', n, blob.size) : () => {};
      uploaded += await uploadBlob(client, repo, blob, file, deps.chunkBytes ?? CHUNK_BYTES, signal, report);
      if (shown(blob.digest)) progress.emit(blob.digest, 'done', blob.size, blob.size);
    },
    opts.signal,
  );

  const target = ref.digest ?? ref.tag!;
  if (ref.digest && ref.digest !== local.manifestDigest) {
    throw new RegistryError(`cannot push ${name}: the local image's manifest is ${local.manifestDigest}`, 'DIGEST_INVALID');
  }
  const res = await client.request('PUT', `/v2/${repo}/manifests/${target}`, {
    repo,
    actions: ['pull', 'push'],
    headers: { 'Content-Type': local.mediaType },
    body: () => manifestBytes as unknown as RequestInit['body'],
  });
  await res.body?.cancel().catch(() => {});
  const echoed = res.headers.get('docker-content-digest');
  if (echoed && echoed !== local.manifestDigest) {
    throw new RegistryError(`registry ${client.host} stored the manifest as ${echoed}, expected ${local.manifestDigest}`, 'DIGEST_INVALID');
  }
  return { reference: formatReference(ref), digest: local.manifestDigest, size: manifestBytes.length, uploaded };
}

/** An upload location (absolute or relative) on the registry's own origin, with `extra` query parameters. */
function locationUrl(client: RegistryClient, res: Response, extra: Record<string, string> = {}): string {
  const loc = res.headers.get('location');
  if (!loc) throw new RegistryError(`registry ${client.host} started an upload without a Location`, 'PROTOCOL');
  const base = new URL(client.url('/'));
  const url = new URL(loc, base);
  // Our credentials go with every request: never to another origin.
  if (url.origin !== base.origin) throw new RegistryError(`registry ${client.host} sent an upload location on another host (${url.origin})`, 'PROTOCOL');
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  return url.href;
}

/** A file range as a request body that counts what has been read from it. */
function counted(file: string, start: number, end: number, onRead: (n: number) => void): AsyncIterable<Uint8Array> {
  return (async function* () {
    if (end <= start) return;
    for await (const chunk of fs.createReadStream(file, { start, end: end - 1, highWaterMark: 256 * 1024 })) {
      onRead((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  })();
}

/** One blob, from a new upload session each try; returns the bytes sent. */
async function uploadBlob(
  client: RegistryClient,
  repo: string,
  blob: Descriptor,
  file: string,
  chunk: number,
  signal: AbortSignal,
  onProgress: (bytes: number) => void,
): Promise<number> {
  const scope = { repo, actions: ['pull', 'push'] as ('pull' | 'push')[], signal };
  for (let attempt = 0; ; attempt++) {
    try {
      let sent = 0;
      onProgress(0);
      const start = await client.request('POST', `/v2/${repo}/blobs/uploads/`, { ...scope, headers: { 'Content-Length': '0' } });
      await start.body?.cancel().catch(() => {});
      let res = start;
      if (blob.size <= chunk) {
        const put = await client.request('PUT', locationUrl(client, res, { digest: blob.digest }), {
          ...scope,
          retry: false,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.size) },
          body: () => counted(file, 0, blob.size, (n) => onProgress((sent += n))) as unknown as RequestInit['body'],
        });
        await put.body?.cancel().catch(() => {});
        return sent;
      }
      for (let off = 0; off < blob.size; off += chunk) {
        const end = Math.min(blob.size, off + chunk);
        res = await client.request('PATCH', locationUrl(client, res), {
          ...scope,
          retry: false,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${off}-${end - 1}`, 'Content-Length': String(end - off) },
          body: () => counted(file, off, end, (n) => onProgress((sent += n))) as unknown as RequestInit['body'],
        });
        await res.body?.cancel().catch(() => {});
      }
      const done = await client.request('PUT', locationUrl(client, res, { digest: blob.digest }), { ...scope, retry: false, headers: { 'Content-Length': '0' } });
      await done.body?.cancel().catch(() => {});
      return sent;
    } catch (e) {
      if (signal.aborted) throw signal.reason ?? e;
      const err = networkError(e, client.host, client.url(`/v2/${repo}/blobs/uploads/`));
      if (err.transient && (await client.backoff(attempt, null, err.message, signal))) continue;
      throw err;
    }
  }
}
