// Downloading one blob into the content store's partial file, resumably: what is
// already there (after a killed pull, or a dropped connection a moment ago) is
// kept, and the rest is asked for with `Range: bytes=N-`. A registry that ignores
// the range answers 200 and the file starts over. The store verifies the sha256
// of the whole file before the blob becomes visible.
import fs from 'node:fs';
import type { RegistryClient } from './client.js';
import { RegistryError, networkError } from './errors.js';
import type { BlobStore } from '../images/content/blobs.js';

export interface BlobDescriptor {
  digest: string;
  size: number;
}

export interface DownloadOptions {
  client: RegistryClient;
  repo: string;
  blob: BlobDescriptor;
  blobs: BlobStore;
  /** Bytes in the partial file so far (resumed ones included). */
  onBytes?: (current: number, total: number) => void;
  onVerify?: () => void;
  signal?: AbortSignal;
  /** A connection that sends nothing for this long is dropped and resumed. */
  idleTimeoutMs?: number;
}

const IDLE_TIMEOUT_MS = 60_000;

class Idle extends Error {}

/** Fetches the blob into the store; returns the bytes that came over the network. */
export async function downloadBlob(o: DownloadOptions): Promise<number> {
  const { client, repo, blob, blobs } = o;
  const path = `/v2/${repo}/blobs/${blob.digest}`;
  let fetched = 0;
  let mismatches = 0;
  let failures = 0;
  for (;;) {
    const part = blobs.partial(blob.digest);
    let offset = part.size;
    if (offset > blob.size) {
      fs.truncateSync(part.path, 0);
      offset = 0;
    }
    if (offset < blob.size) {
      const before = offset;
      try {
        offset = await fetchRange(o, path, part.path, offset, (n) => {
          fetched += n;
        });
        if (offset < blob.size) throw new RegistryError(`${client.host} closed the connection before the end of ${blob.digest}`, 'CONNECTION', undefined, true);
      } catch (e) {
        if (o.signal?.aborted) throw o.signal.reason ?? e;
        const err = e instanceof Idle ? new RegistryError(`no data from ${client.host} for ${Math.round((o.idleTimeoutMs ?? IDLE_TIMEOUT_MS) / 1000)} s`, 'CONNECTION', undefined, true) : networkError(e, client.host, client.url(path));
        if (!err.transient) throw err;
        // A connection that moved the download on earns a fresh set of retries.
        const size = blobs.partial(blob.digest).size;
        if (size > before) failures = 0;
        if (await client.backoff(failures++, null, err.message, o.signal)) continue;
        throw err;
      }
    }
    o.onVerify?.();
    try {
      await blobs.commitPartial(blob.digest, blob.size);
      return fetched;
    } catch (e) {
      // The store removed the bad file: one fresh download, then give up.
      if ((e as Error).name === 'DigestMismatch' && mismatches++ === 0) continue;
      if ((e as Error).name === 'DigestMismatch') {
        throw new RegistryError(`digest mismatch: blob ${blob.digest} from ${client.host}/${repo}: ${(e as Error).message}`, 'DIGEST_INVALID');
      }
      throw e;
    }
  }
}

/** One GET from `offset`; appends to the file and returns the new size. */
async function fetchRange(o: DownloadOptions, path: string, file: string, offset: number, onFetched: (n: number) => void): Promise<number> {
  const { client, repo, blob } = o;
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(o.signal!.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const idleMs = o.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(new Idle()), idleMs);
  };
  let fh: fs.promises.FileHandle | undefined;
  try {
    arm();
    const res = await client.request('GET', path, {
      repo,
      actions: ['pull'],
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      accept: [416],
      signal: ctrl.signal,
    });
    if (res.status === 416) {
      // We asked past the end: what we hold is wrong (the whole blob would have been verified). Start over.
      await res.body?.cancel().catch(() => {});
      fs.truncateSync(file, 0);
      return 0;
    }
    let start = 0;
    if (res.status === 206) {
      const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
      start = m ? Number(m[1]) : -1;
      if (start !== offset) {
        await res.body?.cancel().catch(() => {});
        throw new RegistryError(`registry ${client.host} answered a range request with the wrong range`, 'PROTOCOL');
      }
    }
    fh = await fs.promises.open(file, start === 0 ? 'w' : 'a');
    let size = start;
    o.onBytes?.(size, blob.size);
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        if (size + chunk.length > blob.size) {
          throw new RegistryError(`blob ${blob.digest} from ${client.host}/${repo} is larger than the ${blob.size} bytes its manifest says`, 'DIGEST_INVALID');
        }
        await fh.write(chunk);
        size += chunk.length;
        onFetched(chunk.length);
        o.onBytes?.(size, blob.size);
      }
    }
    return size;
  } catch (e) {
    if (ctrl.signal.aborted && ctrl.signal.reason instanceof Idle) throw ctrl.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    await fh?.close();
  }
}
