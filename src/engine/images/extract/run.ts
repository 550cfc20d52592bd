// One extraction, start to end, on the current thread (the worker's): reads the
// layer file, recognises its compression by magic bytes, hashes the bytes as
// read (digest) and the tar stream (diffId), and feeds the tar stream to the
// reader, whose entries the LayerWriter writes through the addon.
//
// Plain tar is read and hashed on a second thread (read-ahead.ts). gzip goes
// through node:zlib's streaming gunzip, which inflates on the libuv pool while
// this thread writes files. zstd goes through a `zstd -dc` child process (the
// zstd program, when installed): Node 20 has no zstd of its own.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { loadNative } from '../../native/real.js';
import type { Native } from '../../native/native.js';
import { ExtractError, showName } from './error.js';
import type { ExtractResult, WhiteoutMode } from './index.js';
import { EXTRACT_DEFAULTS } from './limits.js';
import { LayerWriter } from './layer-writer.js';
import { ReadAhead } from './read-ahead.js';
import { TarError, TarReader } from './tar-reader.js';

export interface RunOptions {
  whiteouts: WhiteoutMode;
  maxEntries?: number;
  maxDepth?: number;
  maxBytes?: number;
  allowDevices?: boolean;
  /** Polled between chunks: true stops the extraction with an AbortError. */
  aborted?: () => boolean;
  /** Compressed bytes consumed; final is true once, at the end. */
  onProgress?: (bytesIn: number, final: boolean) => void;
  native?: Native;
}

type Compression = ExtractResult['compression'];

const CHUNK = 1 << 20;
/** Decompressed bytes waiting to be written before the decompressor is paused. */
const QUEUE_HIGH = 8 << 20;

export function detectCompression(head: Uint8Array, n: number): Compression {
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (n >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (n >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) throw new ExtractError('bzip2-compressed layers are not supported');
  if (n >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a) throw new ExtractError('xz-compressed layers are not supported');
  return 'none';
}

class Aborted extends Error {
  constructor() {
    super('The operation was aborted');
    this.name = 'AbortError';
  }
}

interface Feed {
  /** Tar bytes in (already decompressed). */
  tar(chunk: Buffer): void;
  /** Compressed bytes read. */
  input(chunk: Buffer): void;
}

/**
 * The layer, read-only. Only a regular file: everything reads it by position,
 * and opening anything else (a FIFO) could block this thread for good, where
 * not even terminating the worker reaches it.
 */
function openLayer(source: string): number {
  let fd: number;
  try {
    fd = fs.openSync(source, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    throw new ExtractError(`cannot open layer ${source}: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
  }
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw new ExtractError(`cannot open layer ${source}: not a regular file`);
  }
  return fd;
}

export async function extractFile(source: string, root: string, opts: RunOptions): Promise<ExtractResult> {
  const native = opts.native ?? loadNative();
  const fd = openLayer(source);
  let writer: LayerWriter;
  try {
    writer = new LayerWriter(native, root, {
      whiteouts: opts.whiteouts,
      maxEntries: opts.maxEntries ?? EXTRACT_DEFAULTS.maxEntries,
      maxDepth: opts.maxDepth ?? EXTRACT_DEFAULTS.maxDepth,
      maxBytes: opts.maxBytes ?? EXTRACT_DEFAULTS.maxBytes,
      allowDevices: opts.allowDevices ?? process.geteuid?.() === 0,
      chown: process.geteuid?.() === 0,
    });
  } catch (e) {
    fs.closeSync(fd); // the worker lives on for the next layer: nothing may stay open
    throw e;
  }
  const reader = new TarReader(writer);
  const digest = createHash('sha256');
  let diff: Hash | undefined;
  let bytesIn = 0;
  let bytes = 0;
  const aborted = opts.aborted ?? (() => false);
  const progress = opts.onProgress;
  const feed: Feed = {
    input(chunk) {
      digest.update(chunk);
      bytesIn += chunk.length;
      progress?.(bytesIn, false);
    },
    tar(chunk) {
      if (aborted()) throw new Aborted();
      diff?.update(chunk);
      bytes += chunk.length;
      reader.push(chunk);
    },
  };
  let compression: Compression;
  try {
    const head = Buffer.alloc(16);
    compression = detectCompression(head, fs.readSync(fd, head, 0, head.length, 0));
    let d: string;
    let diffId: string;
    if (compression === 'none') {
      // Read and hashed on another thread, parsed here in place.
      const r = ReadAhead.get().run(fd, (chunk) => {
        bytesIn += chunk.length;
        progress?.(bytesIn, false);
        feed.tar(chunk);
      });
      d = diffId = `sha256:${r.digest}`;
    } else {
      diff = createHash('sha256');
      await decompress(compression, fd, feed);
      d = `sha256:${digest.digest('hex')}`;
      diffId = `sha256:${diff.digest('hex')}`;
    }
    reader.end();
    const skipped = writer.finish();
    progress?.(bytesIn, true);
    return { entries: writer.entries, bytes, diffId, digest: d, compression, skipped };
  } catch (e) {
    writer.abort();
    if (e instanceof Aborted || e instanceof ExtractError) throw e;
    if (e instanceof TarError) {
      throw new ExtractError(e.entry !== undefined ? `layer entry "${showName(e.entry)}": ${e.message}` : `layer: ${e.message}`);
    }
    const x = e as NodeJS.ErrnoException;
    throw new ExtractError(`layer ${source}: ${x?.message ?? String(e)}`, x?.code);
  } finally {
    fs.closeSync(fd);
  }
}

async function decompress(kind: 'gzip' | 'zstd', fd: number, feed: Feed): Promise<void> {
  let closed: Promise<unknown> = Promise.resolve();
  // Made after the awaits below: a flowing stream must meet its pipe at once.
  const open = () => {
    // The fd is the caller's: the stream's own close is a no-op.
    const keepOpen = { open: fs.open, read: fs.read, close: (_fd: number, cb: (e: null) => void) => cb(null) };
    const input = fs.createReadStream('', { fd, start: 0, fs: keepOpen, highWaterMark: CHUNK });
    input.on('data', (c) => feed.input(c as Buffer));
    closed = new Promise<void>((r) => input.once('close', () => r()));
    return input;
  };
  // The caller closes fd when we return: no read of ours may still be pending
  // then, or it would land on whatever file reuses the number.
  const drained = async (input: fs.ReadStream) => {
    input.destroy();
    await closed;
  };
  // Once the decompressed stream has ended, the rest of the file (padding after
  // the last gzip member, which gunzip ignores) is still read and hashed: the
  // digest is of the whole file, as the registry and the content store have it.
  const toEnd = (input: fs.ReadStream, sink: NodeJS.WritableStream) =>
    new Promise<void>((resolve, reject) => {
      input.unpipe(sink);
      if (input.readableEnded) return resolve();
      input.once('end', resolve);
      input.once('error', reject);
      input.resume();
    });
  if (kind === 'gzip') {
    const zlib = await import('node:zlib');
    const input = open();
    const gunzip = zlib.createGunzip({ chunkSize: 256 << 10 });
    try {
      await pump(input, gunzip, gunzip, feed, (e) => `gzip: ${e.message}`);
      await toEnd(input, gunzip);
    } finally {
      await drained(input);
    }
    return;
  }
  const { spawn } = await import('node:child_process');
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new ExtractError('zstd-compressed layer: the zstd program is not installed') : e),
    );
    child.on('close', (code) => resolve(code));
  });
  exited.catch(() => {});
  const input = open();
  try {
    await pump(input, child.stdin, child.stdout, feed, (e) => `zstd: ${e.message}`);
    await toEnd(input, child.stdin);
  } catch (e) {
    child.kill('SIGKILL');
    await exited.catch(() => {});
    throw e;
  } finally {
    await drained(input);
  }
  const code = await exited;
  if (code !== 0) throw new ExtractError(`layer: zstd -d failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
}

/**
 * input → sink (a transform or a child's stdin) → out, whose chunks go to the
 * feed. Chunks are queued and written from a setImmediate, not inside the
 * 'data' event: zlib starts inflating the next chunk only once that event
 * returns, so this way inflating (on the libuv pool) overlaps writing files.
 */
function pump(
  input: NodeJS.ReadableStream & { destroy(e?: Error): void },
  sink: NodeJS.WritableStream & { destroy(e?: Error): void },
  out: NodeJS.ReadableStream & { destroy(e?: Error): void },
  feed: Feed,
  describe: (e: Error) => string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const queue: Buffer[] = [];
    let queued = 0;
    let scheduled = false;
    let ended = false;
    let done = false;
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      input.destroy();
      sink.destroy();
      out.destroy();
      reject(e);
    };
    const drain = () => {
      scheduled = false;
      if (done) return;
      try {
        while (queue.length) {
          const c = queue.shift()!;
          queued -= c.length;
          feed.tar(c);
        }
      } catch (e) {
        fail(e);
        return;
      }
      if (out.isPaused()) out.resume();
      if (ended) {
        done = true;
        resolve();
      }
    };
    const schedule = () => {
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    };
    input.on('error', fail);
    sink.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? undefined : fail(new ExtractError(`layer: ${describe(e)}`))));
    out.on('error', (e: Error) => fail(new ExtractError(`layer: ${describe(e)}`)));
    out.on('data', (chunk: Buffer) => {
      if (done) return;
      queue.push(chunk);
      queued += chunk.length;
      if (queued >= QUEUE_HIGH) out.pause();
      schedule();
    });
    out.on('end', () => {
      ended = true;
      schedule();
    });
    input.pipe(sink);
  });
}
