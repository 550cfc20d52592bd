// The registration API that pull/push (registry client) and load/import build on:
// put blobs in the content store, then register a name for a manifest whose blobs
// are all there. Types only, so importing this costs nothing at start.
import type { ImageInfo } from '../types.js';
import type { BlobStore } from './content/blobs.js';
import type { ImageConfig, ImageManifest } from './oci/manifest.js';

export type { BlobStore } from './content/blobs.js';

export interface ImageService {
  readonly blobs: BlobStore;
  /**
   * Every blob the manifest names is in `blobs`: records `ref` (any reference form; stored
   * normalised as registry/repo:tag) → manifestDigest, unpacks layers not yet unpacked
   * (once per chain id, each into its own snapshot dir), and returns the image.
   * An index digest is resolved to the host platform's manifest. Idempotent; safe to
   * re-run after a kill. `ref` may be null to register an untagged image.
   */
  register(
    ref: string | null,
    manifestDigest: string,
    opts?: { onProgress?: (e: { layer: string; bytes: number; total: number }) => void },
  ): Promise<ImageInfo>;
  /** The manifest (single-platform, OCI or Docker schema 2) and config of a local image, for push. */
  resolve(ref: string): Promise<{ manifestDigest: string; manifest: ImageManifest; mediaType: string; config: ImageConfig }>;
  /**
   * Runs fn while holding the store's shared lock: gc and rmi (exclusive) then never
   * delete blobs this operation has ingested but not registered yet. Pulls wrap their
   * whole download + register in it.
   */
  lease<T>(fn: () => Promise<T>): Promise<T>;
}
