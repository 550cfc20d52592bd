// Content-addressed blob store in OCI image-layout style: `blobs/sha256/<hex>`. A blob
// is written to a temporary file in `ingest/`, hashed while it is written, checked
// against the expected digest and size, and renamed into place: a reader never sees
// a partial blob, and a killed writer leaves only a temp file that gc removes.
// Resumable downloads keep `ingest/<hex>.partial` instead, which survives a kill.
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { InvalidArgument } from '../../errors.js';
import { assertDigest, hexOf } from '../oci/digest.js';
import { PRIVATE_DIR, PRIVATE_FILE } from '../layout.js';
import { scratchName } from '../../ids.js';

export class DigestMismatch extends InvalidArgument {}

export interface BlobStore {
  readonly root: string;
  has(digest: string): boolean;
  path(digest: string): string;
  /** Atomic ingest: write a temp file, verify digest (and size when given), rename. Rejects DigestMismatch, removes the temp. */
  ingest(src: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, expected?: { digest?: string; size?: number }): Promise<{ digest: string; size: number }>;
  /** Resumable download: a partial file for one digest that survives a killed process; size = bytes already there. */
  partial(digest: string): { path: string; size: number };
  /** Verify the whole partial file's sha256 (and size), rename into place; on mismatch delete it and reject. */
  commitPartial(digest: string, size?: number): Promise<void>;
  putBytes(data: Uint8Array, expectedDigest?: string): Promise<string>;
  /** Verifies the digest (cheap for small blobs). */
  readBytes(digest: string): Buffer;
}

/** The scratch directory beside blobs/ (temps and partial downloads). */
export function ingestDir(imagesDir: string): string {
  return path.join(imagesDir, 'ingest');
}

export class FsBlobStore implements BlobStore {
  readonly root: string;
  readonly scratch: string;
  constructor(imagesDir: string) {
    this.root = path.join(imagesDir, 'blobs');
    this.scratch = ingestDir(imagesDir);
  }

  has(digest: string): boolean {
    return fs.existsSync(this.path(digest));
  }

  path(digest: string): string {
    return path.join(this.root, 'sha256', hexOf(digest));
  }

  size(digest: string): number {
    return fs.statSync(this.path(digest)).size;
  }

  /** Every committed blob's digest. */
  list(): string[] {
    try {
      return fs.readdirSync(path.join(this.root, 'sha256')).filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `sha256:${n}`);
    } catch {
      return [];
    }
  }

  remove(digest: string): void {
    fs.rmSync(this.path(digest), { force: true });
  }

  private dirs(): void {
    fs.mkdirSync(path.join(this.root, 'sha256'), { recursive: true, mode: PRIVATE_DIR });
    fs.mkdirSync(this.scratch, { recursive: true, mode: PRIVATE_DIR });
  }

  /** A fresh temp path in the scratch dir, named for gc: `.tmp-<pid>-<rand>`. */
  tempPath(): string {
    this.dirs();
    return path.join(this.scratch, scratchName('tmp'));
  }

  /** As BlobStore.ingest; `fresh` tells whether the blob was not in the store before. */
  async ingest(
    src: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
    expected: { digest?: string; size?: number } = {},
  ): Promise<{ digest: string; size: number; fresh: boolean }> {
    if (expected.digest !== undefined) assertDigest(expected.digest);
    const tmp = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const max = expected.size;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (max !== undefined && size > max) return cb(new DigestMismatch(`blob ${expected.digest ?? ''} is larger than the ${max} bytes announced`.replace('  ', ' ')));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      // Opened here, not by the stream: its asynchronous open could create the
      // file after a failed pipeline's clean-up below had already run.
      const out = fs.createWriteStream('', { fd: fs.openSync(tmp, 'wx', PRIVATE_FILE) });
      await pipeline(src as AsyncIterable<Uint8Array>, counter, out);
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected.digest !== undefined && digest !== expected.digest)
        throw new DigestMismatch(`digest mismatch: expected ${expected.digest}, got ${digest}`);
      if (max !== undefined && size !== max) throw new DigestMismatch(`size mismatch for ${digest}: expected ${max} bytes, got ${size}`);
      const fresh = !this.has(digest);
      await this.publish(tmp, digest);
      return { digest, size, fresh };
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  partial(digest: string): { path: string; size: number } {
    this.dirs();
    const p = path.join(this.scratch, `${hexOf(digest)}.partial`);
    try {
      return { path: p, size: fs.statSync(p).size };
    } catch {
      return { path: p, size: 0 };
    }
  }

  async commitPartial(digest: string, size?: number): Promise<void> {
    const p = this.partial(digest).path;
    try {
      const got = await hashFile(p);
      if (got.digest !== digest) throw new DigestMismatch(`digest mismatch: expected ${digest}, got ${got.digest}`);
      if (size !== undefined && got.size !== size) throw new DigestMismatch(`size mismatch for ${digest}: expected ${size} bytes, got ${got.size}`);
      await this.publish(p, digest);
    } catch (e) {
      fs.rmSync(p, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidArgument(`no partial download for ${digest}`);
      throw e;
    }
  }

  async putBytes(data: Uint8Array, expectedDigest?: string): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (expectedDigest !== undefined && digest !== assertDigest(expectedDigest))
      throw new DigestMismatch(`digest mismatch: expected ${expectedDigest}, got ${digest}`);
    if (this.has(digest)) return digest;
    const tmp = this.tempPath();
    try {
      const fd = fs.openSync(tmp, 'wx', PRIVATE_FILE);
      try {
        fs.writeSync(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.path(digest));
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return digest;
  }

  readBytes(digest: string): Buffer {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.path(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidArgument(`blob ${digest} is not in the store`);
      throw e;
    }
    const got = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (got !== digest) throw new DigestMismatch(`blob ${digest} is corrupt in the store (content hashes to ${got}); remove the image and load it again`);
    return data;
  }

  /** fsync, then rename into place (a blob already there wins: same content). */
  private async publish(file: string, digest: string): Promise<void> {
    const fh = await fs.promises.open(file, 'r');
    try {
      // A resumed download's file was made by the registry client: owner-only, like every blob.
      await fh.chmod(PRIVATE_FILE);
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.dirs();
    await fs.promises.rename(file, this.path(digest));
  }
}

export async function hashFile(file: string): Promise<{ digest: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}
