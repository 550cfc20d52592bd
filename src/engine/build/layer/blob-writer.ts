// Where a new layer's tar goes: each chunk is hashed (sha256: the blob's digest
// and the layer's diff id at once, the tar being uncompressed) and written to a
// temp file of the content store; at the end the file is synced and renamed into
// place as the blob, as the store's own ingest does. On this thread: handing the
// chunks to a worker for hashing measured slower (2 cores, the walk itself busy).
// Every YIELD_EVERY chunks the walker is asked to let the event loop run (timers,
// signals, a progress line), though nothing here waits for anything.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { PRIVATE_FILE } from '../../images/layout.js';
import type { FsBlobStore } from '../../images/content/blobs.js';
import type { Emitter } from './layer-tar.js';

const YIELD_EVERY = 32;

export class BlobWriter implements Emitter {
  private readonly tmp: string;
  private fd: number | null;
  private readonly hash = createHash('sha256');
  private size = 0;
  private chunks = 0;

  constructor(private readonly blobs: FsBlobStore) {
    this.tmp = blobs.tempPath();
    this.fd = fs.openSync(this.tmp, 'wx', PRIVATE_FILE);
  }

  emit(chunk: Buffer): boolean {
    if (this.fd === null) throw new Error('layer blob: written after it was closed');
    this.hash.update(chunk);
    for (let off = 0; off < chunk.length; ) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
    this.size += chunk.length;
    return ++this.chunks % YIELD_EVERY !== 0;
  }

  waitDrain(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Syncs the file and puts it into place. `fresh`: the store did not have it before. */
  finish(): { digest: string; size: number; fresh: boolean } {
    if (this.fd === null) throw new Error('layer blob: finished twice');
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
    const digest = `sha256:${this.hash.digest('hex')}`;
    const fresh = !this.blobs.has(digest);
    // The same bytes there already (the same layer, made before): that one is as good.
    if (fresh) fs.renameSync(this.tmp, this.blobs.path(digest));
    else fs.rmSync(this.tmp, { force: true });
    return { digest, size: this.size, fresh };
  }

  /** Removes the temp file (after an error). */
  abort(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(this.tmp, { force: true });
  }
}
