// Layer snapshots: each layer is unpacked once, into its own directory keyed by its
// chain id, with whiteouts in overlayfs form, and is then a read-only lowerdir of
// every container of every image that has it. Unpacking goes to a `.tmp-<pid>-*`
// directory renamed into place when complete: a killed unpack leaves only that
// directory, which gc removes; two processes unpacking the same layer both finish and
// the second rename loses harmlessly. Snapshots are deleted through the addon's
// fd-relative removal: a layer can build a tree deeper than PATH_MAX, which
// fs.rmSync cannot delete.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors.js';
import type { Native } from '../native/native.js';
import { readJson } from '../state/atomic.js';
import { writePrivateJson } from './catalog.js';
import { PRIVATE_DIR, snapshotDir, snapshotFs, type Layout } from './layout.js';
import { scratchName } from '../ids.js';

export interface SnapshotInfo {
  chainId: string;
  diffId: string;
  /** The blob it came from (one of possibly several with the same diff). */
  digest: string;
  entries: number;
  /** Unpacked bytes. */
  size: number;
}

export function hasSnapshot(l: Layout, chainId: string): boolean {
  return fs.existsSync(path.join(snapshotDir(l, chainId), 'info.json'));
}

export function snapshotInfo(l: Layout, chainId: string): SnapshotInfo | null {
  try {
    return readJson<SnapshotInfo>(path.join(snapshotDir(l, chainId), 'info.json'));
  } catch {
    return null;
  }
}

/** Chain ids of every complete snapshot. */
export function listSnapshots(l: Layout): string[] {
  try {
    return fs.readdirSync(l.snapshots).filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `sha256:${n}`);
  } catch {
    return [];
  }
}

/** What deletes a snapshot directory (the addon's removeTree). */
export type TreeRemover = Pick<Native, 'removeTree'>;

export interface UnpackRequest {
  chainId: string;
  diffId: string;
  /** Expected blob digest, checked against what the extractor hashed. */
  digest: string;
  blobPath: string;
  onProgress?: (bytesIn: number) => void;
  signal?: AbortSignal;
}

export interface Unpacked {
  info: SnapshotInfo;
  /** false when the snapshot was there already (or another process made it first). */
  created: boolean;
}

/** Unpacks one layer blob unless its snapshot exists. */
export async function unpackLayer(l: Layout, rm: TreeRemover, req: UnpackRequest): Promise<Unpacked> {
  const have = hasSnapshot(l, req.chainId) ? snapshotInfo(l, req.chainId) : null;
  if (have) return { info: have, created: false };
  const { tmp, root } = snapshotTemp(l);
  try {
    const { extractLayer } = await import('./extract/index.js');
    const r = await extractLayer(req.blobPath, root, { whiteouts: 'overlay', onProgress: req.onProgress, signal: req.signal });
    if (r.digest !== req.digest) throw new InvalidArgument(`layer ${req.digest}: digest mismatch: the blob hashes to ${r.digest}`);
    if (r.diffId !== req.diffId)
      throw new InvalidArgument(`layer ${req.digest}: diff id mismatch: the image config says ${req.diffId}, its content is ${r.diffId}`);
    const info: SnapshotInfo = { chainId: req.chainId, diffId: req.diffId, digest: req.digest, entries: r.entries, size: r.bytes };
    return { info, created: publishSnapshot(l, tmp, info) };
  } finally {
    rm.removeTree(tmp);
  }
}

/**
 * Unpacks a base layer whose diff id is not known in advance (a plain rootfs tarball
 * for `import`), then renames it to its chain id (for a base layer, its diff id).
 */
export async function unpackBase(l: Layout, rm: TreeRemover, blobPath: string, digest: string): Promise<Unpacked> {
  const { tmp, root } = snapshotTemp(l);
  try {
    const { extractLayer } = await import('./extract/index.js');
    const r = await extractLayer(blobPath, root, { whiteouts: 'overlay' });
    if (r.digest !== digest) throw new InvalidArgument(`layer ${digest}: digest mismatch: the file hashes to ${r.digest}`);
    const chainId = r.diffId;
    const info: SnapshotInfo = { chainId, diffId: r.diffId, digest, entries: r.entries, size: r.bytes };
    if (hasSnapshot(l, chainId)) return { info: snapshotInfo(l, chainId) ?? info, created: false };
    return { info, created: publishSnapshot(l, tmp, info) };
  } finally {
    rm.removeTree(tmp);
  }
}

/** A fresh `.tmp-*` snapshot dir (owner-only) and its fs/ (the layer's root: 0755 unless the layer says). */
function snapshotTemp(l: Layout): { tmp: string; root: string } {
  fs.mkdirSync(l.snapshots, { recursive: true, mode: PRIVATE_DIR });
  const tmp = path.join(l.snapshots, scratchName('tmp'));
  fs.mkdirSync(tmp, { mode: PRIVATE_DIR });
  const root = path.join(tmp, 'fs');
  fs.mkdirSync(root, { mode: 0o755 });
  return { tmp, root };
}

/**
 * Writes `info.json` into a complete `.tmp-*` snapshot dir (its layer in `fs/`) and
 * renames it into place. False when that snapshot is there already (another process
 * made the same layer first: theirs is as good); then, or when it throws, `tmp` is
 * left for the caller to remove.
 */
export function publishSnapshot(l: Layout, tmp: string, info: SnapshotInfo): boolean {
  writePrivateJson(path.join(tmp, 'info.json'), info);
  try {
    fs.renameSync(tmp, snapshotDir(l, info.chainId));
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw e;
    return false;
  }
}

/** Renames the snapshot aside, then deletes it: a reader never sees half of one. */
export function removeSnapshot(l: Layout, rm: TreeRemover, chainId: string): void {
  const dir = snapshotDir(l, chainId);
  const doomed = path.join(l.snapshots, scratchName('rm'));
  try {
    fs.renameSync(dir, doomed);
  } catch {
    return;
  }
  rm.removeTree(doomed);
}

export { snapshotFs };
