// hutch pull: manifest (the host's platform from an index), config, then the
// layers, three at a time, each resumable; every blob verified by the store;
// then the image service unpacks and records the name. The whole pull holds the
// store's shared lease, so gc never deletes blobs fetched but not yet registered.
import type { PullResult, RegistryOptions } from '../types.js';
import type { ImageService } from '../images/service-api.js';
import { formatReference, parseReference } from '../images/oci/reference.js';
import { parseIndex, parseManifest, selectPlatform, type Descriptor } from '../images/oci/manifest.js';
import { openSession } from './session.js';
import { fetchManifest, readLimited, sha256Hex } from './manifest.js';
import { downloadBlob } from './download.js';
import { eachLimit, ProgressEmitter } from './progress.js';
import { RegistryError } from './errors.js';
import type { ClientOptions, RegistryClient } from './client.js';

export interface RegistryDeps {
  service: () => Promise<ImageService>;
  authFile: string;
  /** Serialises work on one blob between hutch processes (flock). */
  lock?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /** Tests: fetch, retry policy, sleep. */
  client?: Partial<ClientOptions>;
  /** Blobs in flight at once (default 3, as docker). */
  concurrency?: number;
}

/** The largest config blob we read into memory. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** How the image was named by the user, for messages: `busybox:latest`, `127.0.0.1:5000/x@sha256:…`. */
function shownName(input: string, tag: string | undefined, digest: string | undefined): string {
  const base = input.replace(/@.*$/, '');
  const hasTag = base.lastIndexOf(':') > base.lastIndexOf('/');
  if (digest) return `${base}@${digest}`;
  return hasTag ? base : `${base}:${tag}`;
}

export async function pullImage(deps: RegistryDeps, name: string, opts: RegistryOptions = {}): Promise<PullResult> {
  const ref = parseReference(name);
  const shown = shownName(name, ref.tag, ref.digest);
  const client = openSession(ref.registry, { insecure: opts.insecure, authFile: deps.authFile, signal: opts.signal, client: deps.client });
  const progress = new ProgressEmitter(opts.onProgress);
  const service = await deps.service();
  const lock = deps.lock ?? (<T>(_n: string, fn: () => Promise<T>) => fn());

  return service.lease(async () => {
    const top = await fetchManifest(client, ref.repository, ref.digest ?? ref.tag!, shown);
    let manifestBytes = top.bytes;
    let manifestDigest = top.digest;
    let manifestType = top.mediaType;
    if (top.kind === 'index') {
      const pick = selectPlatform(parseIndex(top.bytes, top.mediaType));
      const m = await fetchManifest(client, ref.repository, pick.digest, `${shown} (${pick.platform?.os ?? '?'}/${pick.platform?.architecture ?? '?'})`);
      if (m.kind !== 'manifest') throw new RegistryError(`${shown}: nested image indexes are not supported`, 'UNSUPPORTED');
      await service.blobs.putBytes(top.bytes, top.digest);
      manifestBytes = m.bytes;
      manifestDigest = m.digest;
      manifestType = m.mediaType;
    }
    const manifest = parseManifest(manifestBytes, manifestType);
    let downloaded = 0;

    // The config first: small, and a bad one stops the pull before the layers.
    if (!service.blobs.has(manifest.config.digest)) {
      downloaded += await fetchSmallBlob(client, ref.repository, manifest.config, service);
    }

    const layers = uniqueByDigest(manifest.layers);
    const todo: Descriptor[] = [];
    for (const l of layers) {
      if (service.blobs.has(l.digest)) progress.emit(l.digest, 'exists', l.size, l.size);
      else {
        progress.emit(l.digest, 'waiting', 0, l.size);
        todo.push(l);
      }
    }
    await eachLimit(
      todo,
      deps.concurrency ?? 3,
      async (layer, signal) => {
        await lock(`pull-${layer.digest.slice(7)}`, async () => {
          // Another hutch may have fetched it while we waited for the lock.
          if (service.blobs.has(layer.digest)) return;
          downloaded += await downloadBlob({
            client,
            repo: ref.repository,
            blob: layer,
            blobs: service.blobs,
            signal,
            onBytes: (cur, total) => progress.emit(layer.digest, 'downloading', cur, total),
            onVerify: () => progress.emit(layer.digest, 'verifying', layer.size, layer.size),
          });
        });
        progress.emit(layer.digest, 'downloaded', layer.size, layer.size);
      },
      opts.signal,
    );

    // The manifest last: a manifest in the store whose blobs are missing would be a lie.
    await service.blobs.putBytes(manifestBytes, manifestDigest);
    const reference = formatReference(ref);
    // docker's "up to date" is by image id: the same image under another manifest (the
    // gzip'd one a push sent, pulled back) has not changed.
    const before = await service.resolve(reference).then((r) => r.manifest.config.digest, () => null);
    // Layers that were here already stay "Already exists", as docker shows them.
    const fetchedNow = new Set(todo.map((l) => l.digest));
    const image = await service.register(reference, top.digest, {
      onProgress: (e) => {
        if (fetchedNow.has(e.layer)) progress.emit(e.layer, 'extracting', e.bytes, e.total);
      },
    });
    for (const l of todo) progress.emit(l.digest, 'done', l.size, l.size);
    return { image, reference, digest: top.digest, downloaded, updated: before !== manifest.config.digest };
  });
}

function uniqueByDigest(list: readonly Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return list.filter((d) => (seen.has(d.digest) ? false : (seen.add(d.digest), true)));
}

/** A config blob: read whole, verified, stored. Returns the bytes fetched. */
async function fetchSmallBlob(client: RegistryClient, repo: string, desc: Descriptor, service: ImageService): Promise<number> {
  if (desc.size > MAX_CONFIG_BYTES) throw new RegistryError(`image config ${desc.digest} is too large (${desc.size} bytes)`, 'PROTOCOL');
  const path = `/v2/${repo}/blobs/${desc.digest}`;
  const bytes = await client.withBody(async () => readLimited(await client.request('GET', path, { repo, actions: ['pull'] }), desc.size, `config ${desc.digest}`), path);
  const got = sha256Hex(bytes);
  if (got !== desc.digest || bytes.length !== desc.size) {
    throw new RegistryError(`digest mismatch: config ${desc.digest} from ${client.host}/${repo} hashes to ${got}`, 'DIGEST_INVALID');
  }
  await service.blobs.putBytes(bytes, desc.digest);
  return bytes.length;
}
