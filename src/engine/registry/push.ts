// hutch push: every blob of the image (layers and config) the registry lacks is
// uploaded (HEAD first; POST a session, PATCH the bytes in chunks, PUT ?digest=),
// three at a time, then the manifest is PUT under the tag. Layers hutch holds
// uncompressed (imported, built, committed) travel gzip'd, as docker's do: their
// compressed copy is made once, while uploading, and kept (compressed.ts), and the
// manifest sent names the copies; the config, and so the image id, stays the same.
// Otherwise, and always for a push by digest, the manifest goes byte for byte as
// stored, so its digest is the one the image is known by.
import fs from 'node:fs';
import path from 'node:path';
import type { PushResult, RegistryOptions } from '../types.js';
import { formatReference, parseReference, type Reference } from '../images/oci/reference.js';
import type { Descriptor } from '../images/oci/manifest.js';
import {
  DOCKER_LAYER_GZIP,
  DOCKER_LAYER_TAR,
  DOCKER_MANIFEST,
  OCI_LAYER,
  OCI_LAYER_GZIP,
  OCI_LAYER_ND,
  OCI_LAYER_ND_GZIP,
} from '../images/oci/media.js';
import { findCompressed, storedCompression } from '../images/content/compressed.js';
import type { ImageService } from '../images/service-api.js';
import { openSession } from './session.js';
import { eachLimit, ProgressEmitter } from './progress.js';
import { RegistryError, networkError } from './errors.js';
import { sha256Hex } from './manifest.js';
import { uploadCompressing } from './compress-upload.js';
import type { RegistryClient } from './client.js';
import type { RegistryDeps } from './pull.js';

/** Blobs up to this size go in one PUT; larger ones in PATCH chunks of this size. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

/** Uncompressed layer types, and the gzip type each is sent as, by the manifest's flavour. */
const GZIP_TYPE: Record<string, { oci: string; docker: string }> = {
  [OCI_LAYER]: { oci: OCI_LAYER_GZIP, docker: DOCKER_LAYER_GZIP },
  [DOCKER_LAYER_TAR]: { oci: OCI_LAYER_GZIP, docker: DOCKER_LAYER_GZIP },
  [OCI_LAYER_ND]: { oci: OCI_LAYER_ND_GZIP, docker: DOCKER_LAYER_GZIP },
};

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
  if (ref.digest && ref.digest !== local.manifestDigest) {
    throw new RegistryError(`cannot push ${name}: the local image's manifest is ${local.manifestDigest}`, 'DIGEST_INVALID');
  }
  const client = openSession(ref.registry, { insecure: opts.insecure, authFile: deps.authFile, signal: opts.signal, client: deps.client });
  const progress = new ProgressEmitter(opts.onProgress);
  const repo = ref.repository;
  const chunk = deps.chunkBytes ?? CHUNK_BYTES;
  const lock = deps.lock ?? (<T>(_n: string, fn: () => Promise<T>) => fn());
  const storedManifest = service.blobs.readBytes(local.manifestDigest);
  const flavour = local.mediaType === DOCKER_MANIFEST ? 'docker' : 'oci';
  const layers = local.manifest.layers.filter((d, i, all) => all.findIndex((x) => x.digest === d.digest) === i);
  for (const b of layers) progress.emit(b.digest, 'waiting', 0, b.size);
  /** Layers sent as their gzip'd copy: the local digest → the descriptor the registry gets. */
  const copies = new Map<string, Descriptor>();
  let uploaded = 0;

  // One blob as stored (or its stored copy, `wire`): HEAD, then upload when missing.
  // Progress is reported under the local layer's id, as docker shows the diff id.
  const sendStored = async (blob: Descriptor, signal: AbortSignal, wire: Descriptor = blob, shown = true) => {
    const head = await client.request('HEAD', `/v2/${repo}/blobs/${wire.digest}`, { repo, actions: ['pull', 'push'], accept: [404], signal });
    await head.body?.cancel().catch(() => {});
    if (head.status !== 404) {
      if (shown) progress.emit(blob.digest, 'exists', wire.size, wire.size);
      return;
    }
    const report = shown ? (n: number) => progress.emit(blob.digest, 'uploading', n, wire.size) : () => {};
    uploaded += await uploadBlob(client, repo, wire, service.blobs.path(wire.digest), chunk, signal, report);
    if (shown) progress.emit(blob.digest, 'done', wire.size, wire.size);
  };

  // An uncompressed layer: its recorded copy, or one made now while it uploads.
  const sendCompressed = async (blob: Descriptor, mediaType: string, signal: AbortSignal) => {
    const imagesDir = path.dirname(service.blobs.root);
    const known = findCompressed(imagesDir, service.blobs, blob.digest);
    if (known) {
      const wire = { ...blob, mediaType, ...known };
      copies.set(blob.digest, wire);
      return sendStored(blob, signal, wire);
    }
    progress.emit(blob.digest, 'uploading', 0, blob.size);
    const r = await uploadCompressing({
      client,
      repo,
      imagesDir,
      blobs: service.blobs,
      layer: blob.digest,
      location: (res, extra) => locationUrl(client, res, extra),
      chunk,
      signal,
      onRead: (n) => progress.emit(blob.digest, 'uploading', n, blob.size),
    });
    const wire = { ...blob, mediaType, ...r.blob };
    copies.set(blob.digest, wire);
    if (r.sent === null) return sendStored(blob, signal, wire);
    uploaded += r.sent;
    progress.emit(blob.digest, 'done', blob.size, blob.size);
  };

  await eachLimit(
    [...layers, local.manifest.config],
    deps.concurrency ?? 3,
    async (blob, signal) => {
      // docker shows layers only; the config is sent quietly.
      if (blob === local.manifest.config) return sendStored(blob, signal, blob, false);
      const gz = GZIP_TYPE[blob.mediaType]?.[flavour];
      // A push by digest sends the manifest named; a blob typed tar but stored
      // compressed (or unreadable: then the registry may have it) goes as it is.
      if (!gz || ref.digest || storedCompression(service.blobs, blob.digest) !== 'none') return sendStored(blob, signal);
      // One hutch compresses a layer at a time; another waits and finds the copy.
      await lock(`compress-${blob.digest.slice(7)}`, () => sendCompressed(blob, gz, signal));
    },
    opts.signal,
  );

  const manifestBytes = copies.size ? withLayers(storedManifest, copies) : storedManifest;
  const digest = copies.size ? sha256Hex(manifestBytes) : local.manifestDigest;
  const target = ref.digest ?? ref.tag!;
  const res = await client.request('PUT', `/v2/${repo}/manifests/${target}`, {
    repo,
    actions: ['pull', 'push'],
    headers: { 'Content-Type': local.mediaType },
    body: () => manifestBytes as unknown as RequestInit['body'],
  });
  await res.body?.cancel().catch(() => {});
  const echoed = res.headers.get('docker-content-digest');
  if (echoed && echoed !== digest) {
    throw new RegistryError(`registry ${client.host} stored the manifest as ${echoed}, expected ${digest}`, 'DIGEST_INVALID');
  }
  return { reference: formatReference(ref), digest, size: manifestBytes.length, uploaded };
}

/** The stored manifest with the layers sent as copies named instead; every other field as it was. */
function withLayers(stored: Buffer, copies: Map<string, Descriptor>): Buffer {
  const doc = JSON.parse(stored.toString('utf8')) as { layers: Record<string, unknown>[] };
  doc.layers = doc.layers.map((l) => {
    const c = copies.get(l.digest as string);
    return c ? { ...l, mediaType: c.mediaType, digest: c.digest, size: c.size } : l;
  });
  return Buffer.from(JSON.stringify(doc));
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
