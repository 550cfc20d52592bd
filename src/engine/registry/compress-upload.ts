// Sending an uncompressed layer gzip'd, compressing while uploading: the gzip
// stream goes to the registry in PATCH chunks as it is made, and at the same time
// into the content store (compressed.ts), whose digest, known when the compression
// ends, goes in the final `PUT ?digest=`. A layer whose copy ends up smaller than
// one chunk goes in that one PUT. Compressing first and uploading after would
// add the two times; here the slower of the two sets the pace.
//
// The compression always runs to the end and is recorded, even when the upload
// fails: a network error hands the stored copy back to the caller, who uploads it
// as any blob (with retries); a refusal (403, 400…) stops both at once.
import type { BlobStore } from '../images/content/blobs.js';
import { compressBlob, type CompressedBlob } from '../images/content/compressed.js';
import type { RegistryClient } from './client.js';
import { RegistryError, networkError } from './errors.js';
import { EngineError, SystemError } from '../errors.js';

export interface CompressingUpload {
  client: RegistryClient;
  repo: string;
  imagesDir: string;
  blobs: BlobStore;
  /** The stored, uncompressed layer. */
  layer: string;
  /** The session's next URL from a response's Location, with extra query parameters. */
  location: (res: Response, extra?: Record<string, string>) => string;
  chunk: number;
  signal: AbortSignal;
  /** Uncompressed bytes read so far (docker's push progress counts those). */
  onRead: (total: number) => void;
}

/** Sent: compressed bytes that went to the registry; null when the stored copy is still to upload. */
export async function uploadCompressing(o: CompressingUpload): Promise<{ blob: CompressedBlob; sent: number | null }> {
  const { client, repo, chunk } = o;
  const ctrl = new AbortController();
  const onOuter = () => ctrl.abort(o.signal.reason);
  o.signal.addEventListener('abort', onOuter, { once: true });
  const scope = { repo, actions: ['pull', 'push'] as ('pull' | 'push')[], signal: ctrl.signal };

  // Compressed bytes waiting to go: at most two chunks, then the compression waits.
  let queue: Buffer[] = [];
  let queued = 0;
  let detached = false;
  let finished: { ok: CompressedBlob } | { error: unknown } | undefined;
  let wakeUploader: (() => void) | undefined;
  let wakeCompressor: (() => void) | undefined;
  const wake = () => {
    wakeUploader?.();
    wakeUploader = undefined;
  };
  const release = () => {
    wakeCompressor?.();
    wakeCompressor = undefined;
  };
  const take = (n: number): Buffer => {
    const all = Buffer.concat(queue);
    queue = n < all.length ? [all.subarray(n)] : [];
    queued = all.length - Math.min(n, all.length);
    release();
    return all.subarray(0, n);
  };

  let read = 0;
  const compressing = compressBlob(o.imagesDir, o.blobs, o.layer, {
    signal: ctrl.signal,
    onRead: (n) => o.onRead((read += n)),
    tee: async (c) => {
      if (detached) return;
      queue.push(c);
      queued += c.length;
      wake();
      while (!detached && queued >= 2 * chunk) await new Promise<void>((r) => (wakeCompressor = r));
    },
  }).then(
    (ok) => ((finished = { ok }), wake(), ok),
    (error: unknown) => {
      finished = { error };
      wake();
      // The upload in flight cannot end well: stop it now.
      ctrl.abort(error);
      throw error;
    },
  );
  // Observed below; never an unhandled rejection meanwhile.
  compressing.catch(() => {});

  const upload = async (): Promise<number> => {
    const start = await client.request('POST', `/v2/${repo}/blobs/uploads/`, { ...scope, headers: { 'Content-Length': '0' } });
    await start.body?.cancel().catch(() => {});
    let res = start;
    let off = 0;
    for (;;) {
      while (queued < chunk && !finished) await new Promise<void>((r) => (wakeUploader = r));
      if (finished && 'error' in finished) throw finished.error;
      if (queued >= chunk || (finished && queued > 0 && off > 0)) {
        const body = take(Math.min(chunk, queued));
        res = await client.request('PATCH', o.location(res), {
          ...scope,
          retry: false,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${off}-${off + body.length - 1}`, 'Content-Length': String(body.length) },
          body: () => body as unknown as RequestInit['body'],
        });
        await res.body?.cancel().catch(() => {});
        off += body.length;
        continue;
      }
      // The compression has ended: its digest closes the session.
      const blob = (finished as { ok: CompressedBlob }).ok;
      const rest = take(queued);
      const put = await client.request('PUT', o.location(res, { digest: blob.digest }), {
        ...scope,
        retry: false,
        headers: rest.length ? { 'Content-Type': 'application/octet-stream', 'Content-Length': String(rest.length) } : { 'Content-Length': '0' },
        body: rest.length ? () => rest as unknown as RequestInit['body'] : undefined,
      });
      await put.body?.cancel().catch(() => {});
      return off + rest.length;
    }
  };

  try {
    let sent: number;
    try {
      sent = await upload();
    } catch (e) {
      detached = true;
      queue = [];
      queued = 0;
      release();
      if (finished && 'error' in finished) throw compressError(o.layer, finished.error);
      const err = o.signal.aborted ? e : networkError(e, client.host, client.url(`/v2/${repo}/blobs/uploads/`));
      if (o.signal.aborted || !(err instanceof RegistryError) || !err.transient) {
        ctrl.abort(err);
        await compressing.catch(() => {});
        throw o.signal.aborted ? (o.signal.reason ?? e) : err;
      }
      // The network failed: finish the copy, the caller sends it from the store.
      try {
        return { blob: await compressing, sent: null };
      } catch (c) {
        throw compressError(o.layer, c);
      }
    }
    return { blob: await compressing, sent };
  } finally {
    o.signal.removeEventListener('abort', onOuter);
  }
}

function compressError(layer: string, e: unknown): Error {
  if (e instanceof EngineError) return e;
  const err = e as NodeJS.ErrnoException;
  return new SystemError(`compressing layer ${layer.slice(7, 19)} for the push: ${err?.message ?? String(e)}`, err?.code);
}
