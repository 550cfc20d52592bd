// Where the image store keeps things, under <HUTCH_ROOT>/images:
//   blobs/sha256/<hex>         content store (OCI image-layout style)
//   ingest/                    temp files of running ingests, resumable `.partial` downloads
//   snapshots/<chain hex>/fs   one unpacked layer per chain id (overlay whiteouts), + info.json
//   snapshots/.tmp-<pid>-*     unpacks in progress (renamed into place when complete)
//   meta/<manifest hex>.json   what `run` needs of an image, written when it is registered
//   refs.json                  name (registry/repo:tag) → manifest digest
//   lock                       shared while content is added, exclusive while it is deleted
//   host/                      the built-in host image's skeleton
// Images may be private: the store is its owner's only (directories 0700, files 0600).
// Containers are not affected: their overlay is mounted by root, and their processes
// see the layers through it, never through these paths.
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/** Makes the store directory, owner-only; tightens one made by an older hutch. */
export function ensureStoreDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, PRIVATE_DIR);
}

export interface Layout {
  dir: string;
  blobs: string;
  ingest: string;
  snapshots: string;
  meta: string;
  refs: string;
  refsLock: string;
  lock: string;
  empty: string;
}

export function layout(dir: string): Layout {
  return {
    dir,
    blobs: path.join(dir, 'blobs'),
    ingest: path.join(dir, 'ingest'),
    snapshots: path.join(dir, 'snapshots'),
    meta: path.join(dir, 'meta'),
    refs: path.join(dir, 'refs.json'),
    refsLock: path.join(dir, 'refs.lock'),
    lock: path.join(dir, 'lock'),
    empty: path.join(dir, 'empty'),
  };
}

export function snapshotDir(l: Layout, chainId: string): string {
  return path.join(l.snapshots, chainId.replace(/^sha256:/, ''));
}

/** The directory a snapshot's files are in (the overlay lowerdir). */
export function snapshotFs(l: Layout, chainId: string): string {
  return path.join(snapshotDir(l, chainId), 'fs');
}

export function metaFile(l: Layout, manifestDigest: string): string {
  return path.join(l.meta, `${manifestDigest.replace(/^sha256:/, '')}.json`);
}
