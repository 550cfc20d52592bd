// Gzip'd copies of the layers hutch holds uncompressed (imported, built, committed),
// made once for push: registries and their clients expect compressed layers, and a
// plain tar costs twice the bytes on the wire. The copy is an ordinary blob of the
// content store; a record `compressed/<uncompressed hex>.json` names it, so the next
// push finds it (and the registry's HEAD finds it too), and a pull of what was pushed
// finds the layer already here. The image itself keeps its manifest (its id, the
// config's diff_ids, never changes). gc keeps a copy while its source is in use.
//
// The gzip stream is deterministic: a fixed level, no file name, mtime 0 (zlib's
// own header), so the same layer gives the same compressed digest on every push.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from './blobs.js';
import { hexOf, isDigest } from '../oci/digest.js';
import { sniffCompression, type Compression } from '../oci/media.js';
import { PRIVATE_DIR, PRIVATE_FILE } from '../layout.js';
import { readJson, removeStaleTemps, writeFileAtomic } from '../../state/atomic.js';

/**
 * Level 1 (zlib's fastest). On the bench's 200 MiB tree (217 MB tar) here: level 1
 * took 2.8 s for 76 MB, level 6 (node's default) 5.0–5.4 s for 69 MB. Compression runs
 * while the layer uploads, so it sets the pace on any link faster than ~15 MB/s;
 * half the CPU time for 10 % more bytes.
 */
export const GZIP_LEVEL = 1;

export interface CompressedBlob {
  digest: string;
  size: number;
}

interface RecordFile extends CompressedBlob {
  compression: 'gzip';
  level: number;
}

/** The records' directory beside blobs/. */
export function compressedDir(imagesDir: string): string {
  return path.join(imagesDir, 'compressed');
}

function recordFile(imagesDir: string, uncompressed: string): string {
  return path.join(compressedDir(imagesDir), `${hexOf(uncompressed)}.json`);
}

function readRecord(file: string): RecordFile | null {
  let r: RecordFile | null;
  try {
    r = readJson<RecordFile>(file);
  } catch {
    return null; // torn or foreign: as if there were none (gc removes it)
  }
  return r && isDigest(r.digest) && Number.isSafeInteger(r.size) && r.size > 0 && r.compression === 'gzip' ? r : null;
}

/** The recorded compressed copy of a blob, when there is one and its blob is in the store. */
export function findCompressed(imagesDir: string, blobs: Pick<BlobStore, 'has'>, uncompressed: string): CompressedBlob | null {
  const r = readRecord(recordFile(imagesDir, uncompressed));
  return r && blobs.has(r.digest) ? { digest: r.digest, size: r.size } : null;
}

/** How a stored blob is compressed, from its first bytes; null when it cannot be read. */
export function storedCompression(blobs: Pick<BlobStore, 'path'>, digest: string): Compression | null {
  const head = Buffer.alloc(4);
  let fd: number;
  try {
    fd = fs.openSync(blobs.path(digest), 'r');
  } catch {
    return null;
  }
  try {
    return sniffCompression(head.subarray(0, fs.readSync(fd, head, 0, 4, 0)));
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

export interface CompressOptions {
  /** Each compressed chunk as it is made (streaming it out while compressing); awaited, so it may hold the compression back. */
  tee?: (chunk: Buffer) => Promise<void> | void;
  /** Uncompressed bytes read so far, per chunk. */
  onRead?: (bytes: number) => void;
  signal?: AbortSignal;
}

/**
 * Gzips a stored blob into the store and records the copy; returns it. Callers
 * serialise per blob (a flock) so two pushes do not compress the same layer twice;
 * were they not, both would write the same bytes.
 */
export async function compressBlob(imagesDir: string, blobs: BlobStore, uncompressed: string, o: CompressOptions = {}): Promise<CompressedBlob> {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      o.onRead?.(chunk.length);
      cb(null, chunk);
    },
  });
  let ingesting: Promise<{ digest: string; size: number }> | undefined;
  let made: { digest: string; size: number };
  try {
    made = await pipeline(
      fs.createReadStream(blobs.path(uncompressed), { highWaterMark: 1 << 20 }),
      counter,
      zlib.createGzip({ level: GZIP_LEVEL }),
      (gz: AsyncIterable<Buffer>) =>
        (ingesting = blobs.ingest(
          (async function* () {
            for await (const chunk of gz) {
              if (o.tee) await o.tee(chunk);
              yield chunk;
            }
          })(),
        )),
      { signal: o.signal },
    );
  } catch (e) {
    // An abort settles the pipeline at once: wait for the ingest to remove its temp file.
    await ingesting?.catch(() => {});
    throw e;
  }
  const rec: RecordFile = { digest: made.digest, size: made.size, compression: 'gzip', level: GZIP_LEVEL };
  fs.mkdirSync(compressedDir(imagesDir), { recursive: true, mode: PRIVATE_DIR });
  writeFileAtomic(recordFile(imagesDir, uncompressed), JSON.stringify(rec) + '\n', PRIVATE_FILE);
  return { digest: made.digest, size: made.size };
}

/**
 * gc, under the store's exclusive lock: the copy of every blob in `used` stays (it is
 * added to `used`); the record of a blob no longer used goes (its copy then falls to
 * the unreferenced-blob sweep, unless an image pulled back from the registry uses it),
 * as does a record whose copy is missing or that cannot be read. Returns gc's lines.
 */
export function keepCompressed(imagesDir: string, blobs: Pick<BlobStore, 'has'>, used: Set<string>): string[] {
  const dir = compressedDir(imagesDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const lines = removeStaleTemps(dir).map((p) => `image scratch ${path.basename(p)}`);
  for (const n of names) {
    const m = /^([0-9a-f]{64})\.json$/.exec(n);
    if (!m) continue;
    const source = `sha256:${m[1]}`;
    const r = readRecord(path.join(dir, n));
    if (r && used.has(source) && blobs.has(r.digest)) {
      used.add(r.digest);
      continue;
    }
    fs.rmSync(path.join(dir, n), { force: true });
    lines.push(`compressed copy record ${source.slice(0, 19)}`);
  }
  return lines;
}
