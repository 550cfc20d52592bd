// Reads an image archive's entries without ever writing a path it names: blobs stream
// straight into the content store (checked against their names, blobs/sha256/<hex>),
// the small metadata files the loader reads are kept in memory (within a total), the
// ones it never reads are skipped, links are noted. node-tar only parses;
// gzip-compressed archives are recognised by their magic bytes.
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { InvalidArgument } from '../../errors.js';
import { DigestMismatch, type FsBlobStore } from '../content/blobs.js';
import type { Added } from '../service.js';

export interface ArchiveContents {
  /** Small metadata files (index.json, oci-layout, manifest.json, top-level *.json) by normalised path. */
  files: Map<string, Buffer>;
  /** Files that went into the content store, by path. */
  blobs: Map<string, string>;
  /** Symbolic and hard links: path → target path (normalised, relative to the archive root). */
  links: Map<string, string>;
}

const BLOB_PATH = /^blobs\/sha256\/([0-9a-f]{64})$/;
const META_MAX = 16 << 20;
/** All buffered metadata together: a gzip bomb of small files must not exhaust memory. */
export const META_TOTAL_MAX = 64 << 20;
const MAX_ENTRIES = 1_000_000;

/** What the loader reads from memory: the layout files, and docker save's `<id>.json` configs. */
function isMeta(p: string): boolean {
  return p === 'index.json' || p === 'oci-layout' || p === 'manifest.json' || (p.endsWith('.json') && !p.includes('/'));
}

/** docker save's legacy files, never read: `repositories`, `<id>/json`, `<id>/VERSION`. */
function isUnread(p: string): boolean {
  return p === 'repositories' || p.endsWith('/json') || p.endsWith('/VERSION');
}

export function normalise(p: string): string | null {
  const n = path.posix.normalize(`/${p}`).slice(1).replace(/\/$/, '');
  return n === '' || n.split('/').includes('..') ? null : n;
}

const GZIP_SLICE = 64 << 10;

/**
 * node-tar inflates all of a chunk written to it at once, up to 1000 times its
 * size: a gzip'd archive goes in by 64 KiB slices, so that a bomb's burst stays
 * tens of MiB. A plain one goes in as read (large chunks are faster).
 */
function gzipSlices(): Transform {
  let head = Buffer.alloc(0);
  let gzip: boolean | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (gzip === undefined) {
        head = Buffer.concat([head, chunk.subarray(0, 2)]).subarray(0, 2);
        if (head.length === 2) gzip = head[0] === 0x1f && head[1] === 0x8b;
      }
      if (!gzip) return cb(null, chunk);
      for (let i = 0; i < chunk.length; i += GZIP_SLICE) this.push(chunk.subarray(i, i + GZIP_SLICE));
      cb();
    },
  });
}

export async function readArchive(src: Readable, blobs: FsBlobStore, added: Added): Promise<ArchiveContents> {
  const out: ArchiveContents = { files: new Map(), blobs: new Map(), links: new Map() };
  const pending: Promise<void>[] = [];
  const open = new Set<ReadEntry>();
  let entries = 0;
  let metaBytes = 0;
  const parser = new Parser({ strict: true });
  const input = src.pipe(gzipSlices());
  let failed: Error | null = null;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const fail = (e: unknown) => {
    if (!failed) {
      // node-tar prefixes its codes (TAR_BAD_ARCHIVE: …): the sentence is enough.
      const msg = (e instanceof Error ? e.message : String(e)).replace(/^TAR_[A-Z_]+: /, '');
      failed = e instanceof InvalidArgument ? e : new InvalidArgument(`load: not a readable image archive: ${msg}`);
      input.unpipe(parser as unknown as NodeJS.WritableStream);
      src.destroy();
      input.destroy();
      // Entries cut off mid-way would never end: end their consumers now.
      for (const en of open) en.destroy(failed);
    }
    finish();
  };
  parser.on('entry', (entry: ReadEntry) => {
    const p = normalise(entry.path);
    if (++entries > MAX_ENTRIES) fail(new InvalidArgument(`load: the archive has more than ${MAX_ENTRIES} entries`));
    if (p === null || failed) return void entry.resume();
    if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
      const t = entry.type === 'Link' ? normalise(entry.linkpath ?? '') : normalise(path.posix.join(path.posix.dirname(p), entry.linkpath ?? ''));
      if (t) out.links.set(p, t);
      return void entry.resume();
    }
    if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') return void entry.resume();
    const m = BLOB_PATH.exec(p);
    if (!m && isUnread(p)) return void entry.resume();
    const meta = !m && isMeta(p) && entry.size <= META_MAX;
    if (meta && (metaBytes += entry.size) > META_TOTAL_MAX) {
      fail(new InvalidArgument(`load: the archive's metadata files (index.json, manifest.json, configs) are more than ${META_TOTAL_MAX >> 20} MiB in total`));
      return void entry.resume();
    }
    open.add(entry);
    entry.on('end', () => open.delete(entry));
    if (meta) {
      const chunks: Buffer[] = [];
      // fail() destroys an entry cut off mid-way with its error, which it reports itself.
      entry.on('error', () => {});
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => out.files.set(p, Buffer.concat(chunks)));
      return;
    }
    pending.push(
      blobs
        .ingest(entry, { digest: m ? `sha256:${m[1]}` : undefined, size: entry.size })
        .then((r) => {
          if (r.fresh) added.blobs.add(r.digest);
          out.blobs.set(p, r.digest);
        })
        .catch((e) => {
          open.delete(entry);
          entry.resume();
          fail(e instanceof DigestMismatch ? new DigestMismatch(`load: ${p}: ${e.message}`) : e);
        }),
    );
  });
  parser.on('error', fail);
  parser.on('end', () => finish());
  src.on('error', fail);
  input.pipe(parser as unknown as NodeJS.WritableStream);
  await finished;
  await Promise.allSettled(pending);
  if (failed) throw failed;
  return out;
}
