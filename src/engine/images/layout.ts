// Where the image store keeps things, under <HUTCH_ROOT>/images:
//   blobs/sha256/<hex>         content store (OCI image-layout style)
//   ingest/                    temp files of running ingests, resumable `.partial` downloads
//   snapshots/<chain hex>/fs   one unpacked layer per chain id (overlay whiteouts), + info.json
//   snapshots/.tmp-<pid>-*     unpacks in progress (renamed into place when complete)
//   meta/<manifest hex>.json   what `run` needs of an image, written when it is registered
//   refs.json                  name (registry/repo:tag) → manifest digest
//   lock                       shared while content is added, exclusive while it is deleted
//   host/                      the built-in host image's skeleton
import path from 'node:path';

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
