// Reads an image archive's entries without ever writing a path it names: blobs stream
// straight into the content store (checked against their names, blobs/sha256/<hex>),
// small metadata files are kept in memory, links are noted. node-tar only parses;
// gzip-compressed archives are recognised by their magic bytes.
import path from 'node:path';
import { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { InvalidArgument } from '../../errors.js';
import { DigestMismatch, type FsBlobStore } from '../content/blobs.js';
import type { Added } from '../service.js';

export interface ArchiveContents {
  /** Small metadata files (index.json, manifest.json, *.json…) by normalised path. */
  files: Map<string, Buffer>;
  /** Files that went into the content store, by path. */
  blobs: Map<string, string>;
  /** Symbolic and hard links: path → target path (normalised, relative to the archive root). */
  links: Map<string, string>;
}

const BLOB_PATH = /^blobs\/sha256\/([0-9a-f]{64})$/;
const META_MAX = 16 << 20;
const MAX_ENTRIES = 1_000_000;

function isMeta(p: string): boolean {
  return p === 'index.json' || p === 'oci-layout' || p === 'manifest.json' || p === 'repositories' || p.endsWith('.json') || p.endsWith('/json') || p.endsWith('/VERSION');
}

export function normalise(p: string): string | null {
  const n = path.posix.normalize(`/${p}`).slice(1).replace(/\/$/, '');
  return n === '' || n.split('/').includes('..') ? null : n;
}

export async function readArchive(src: Readable, blobs: FsBlobStore, added: Added): Promise<ArchiveContents> {
  const out: ArchiveContents = { files: new Map(), blobs: new Map(), links: new Map() };
  const pending: Promise<void>[] = [];
  const open = new Set<ReadEntry>();
  let entries = 0;
  const parser = new Parser({ strict: true });
  let failed: Error | null = null;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const fail = (e: unknown) => {
    if (!failed) {
      // node-tar prefixes its codes (TAR_BAD_ARCHIVE: …): the sentence is enough.
      const msg = (e instanceof Error ? e.message : String(e)).replace(/^TAR_[A-Z_]+: /, '');
      failed = e instanceof InvalidArgument ? e : new InvalidArgument(`load: not a readable image archive: ${msg}`);
      src.unpipe(parser as unknown as NodeJS.WritableStream);
      src.destroy();
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
    open.add(entry);
    entry.on('end', () => open.delete(entry));
    const m = BLOB_PATH.exec(p);
    if (!m && isMeta(p) && entry.size <= META_MAX) {
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
  src.pipe(parser as unknown as NodeJS.WritableStream);
  await finished;
  await Promise.allSettled(pending);
  if (failed) throw failed;
  return out;
}
