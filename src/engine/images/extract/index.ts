// Safe extraction of one image layer (tar, tar+gzip or tar+zstd) into a directory.
//
// The tar stream is only *parsed* in JavaScript (tar-reader.ts); every file is
// written by the addon relative to an fd on the root directory, with parents
// resolved by openat2(RESOLVE_IN_ROOT): no entry, symlink or hardlink in the
// layer can reach outside `root` (see README "Image layers: safe extraction").
// The work runs in a worker thread so the dashboard keeps drawing.
export { ExtractError } from './error.js';
export { EXTRACT_DEFAULTS } from './limits.js';

/** 'none': not a layer (hutch cp): `.wh.` names are plain files. */
export type WhiteoutMode = 'overlay' | 'apply' | 'none';

export interface ExtractOptions {
  /** 'overlay': the target is one layer's own snapshot dir that will be an overlayfs lower: `.wh.NAME` becomes a 0:0 char device NAME, `.wh..wh..opq` sets xattr trusted.overlay.opaque=y on its dir. 'apply': the target already holds the lower layers' files (flattened rootfs, `hutch import`): whiteouts delete (opaque: remove the dir's existing children that were not written by this same layer). */
  whiteouts: WhiteoutMode;
  /** default 1_000_000 */
  maxEntries?: number;
  /** default 128 path components */
  maxDepth?: number;
  /** default 64 GiB of file content (sum of sizes) — also refuse a single entry larger than this */
  maxBytes?: number;
  /** default: true only when running as root; even then only char/block devices from an allow-list (null, zero, full, random, urandom, tty, ptmx) are created; fifos allowed */
  allowDevices?: boolean;
  /** compressed bytes consumed so far */
  onProgress?: (bytesIn: number) => void;
  signal?: AbortSignal;
}

export interface ExtractResult {
  entries: number;
  /** uncompressed tar bytes */
  bytes: number;
  /** 'sha256:<hex>' of the uncompressed tar stream */
  diffId: string;
  /** 'sha256:<hex>' of the bytes as read (compressed) */
  digest: string;
  compression: 'none' | 'gzip' | 'zstd';
  /** Entries deliberately not created, one line each (a device node outside the allow-list…). */
  skipped: string[];
}

/** Unpacks one layer (tar, gzip or zstd, detected by magic bytes) into `root` (an existing directory). Runs off the calling thread (worker thread) so the dashboard keeps drawing. Throws ExtractError (a class with a one-line message naming the entry and the reason, e.g. `layer entry "../x": path escapes the root`) and leaves what it already wrote (the caller owns and removes the target dir). */
export async function extractLayer(source: string, root: string, opts: ExtractOptions): Promise<ExtractResult> {
  const { runInWorker } = await import('./host.js');
  return runInWorker(source, root, opts);
}
