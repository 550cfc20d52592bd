// The heavy half of the image store, loaded on first use by LocalImageStore (local.ts)
// so that `run` never pays for hashing or unpacking. A thin facade: it owns the store's
// parts (StoreParts) and hands them to one file per operation:
//   additions.ts      the shared lease; adding content, rolled back when left unused
//   register.ts       manifest → unpacked layers, image record and name; tag; resolve
//   etc-files.ts      the image's /etc/passwd and /etc/group, read at registration
//   import-rootfs.ts  `import` of a root filesystem tarball as a one-layer image
//   inspect-detail.ts docker image inspect's record
//   delete.ts         rmi and prune
//   gc.ts             leftovers of killed operations, unreferenced blobs and snapshots
//   references.ts     what images and container bundles still use
//   archive/          save and load (loaded on their first use)
import type { Readable, Writable } from 'node:stream';
import type { ImageDetail, ImageInfo } from '../types.js';
import { FsBlobStore } from './content/blobs.js';
import type { ImageConfig, ImageManifest } from './oci/manifest.js';
import type { Found } from './catalog.js';
import type { Layout } from './layout.js';
import type { ImageService } from './service-api.js';
import type { LoadProgress } from './store.js';
import type { StoreNative } from './local.js';
import type { StoreParts } from './store-parts.js';
import { adding, lease, putBlob, type Added } from './additions.js';
import { registerManifest, resolveImage, tagImage, type RegisterOpts } from './register.js';
import { importRootfs } from './import-rootfs.js';
import { imageDetail } from './inspect-detail.js';
import { pruneImages, removeImage, type UsedBy } from './delete.js';
import { gcImages } from './gc.js';

export type { Added } from './additions.js';

export class ImageServiceImpl implements ImageService, StoreParts {
  readonly blobs: FsBlobStore;

  constructor(
    readonly l: Layout,
    readonly native: StoreNative,
    /** The containers directory: their bundles keep layer snapshots in use. */
    readonly containersDir: string,
  ) {
    this.blobs = new FsBlobStore(l.dir);
  }

  lease<T>(fn: () => Promise<T>): Promise<T> {
    return lease(this, fn);
  }

  async register(ref: string | null, manifestDigest: string, opts: { onProgress?: (e: LoadProgress) => void } = {}): Promise<ImageInfo> {
    return this.lease(() => registerManifest(this, ref, manifestDigest, { ...opts, kind: 'oci' }));
  }

  /** register, for callers that hold the lease already; records new snapshots in `added`. */
  registerLeased(ref: string | null, digest: string, opts: RegisterOpts): Promise<ImageInfo> {
    return registerManifest(this, ref, digest, opts);
  }

  async resolve(ref: string): Promise<{ manifestDigest: string; manifest: ImageManifest; mediaType: string; config: ImageConfig }> {
    return resolveImage(this, ref);
  }

  detail(f: Found): ImageDetail {
    return imageDetail(this.l, f);
  }

  tag(f: Found, target: string): Promise<void> {
    return tagImage(this, f, target);
  }

  importTar(tarPath: string, name: string): Promise<ImageInfo> {
    return importRootfs(this, tarPath, name);
  }

  /** Stores bytes as a blob, remembering it in `added` when it is new. */
  put(data: Buffer, added: Added): Promise<string> {
    return putBlob(this, data, added);
  }

  /** Runs an operation that adds content; what it added and no image uses is deleted after. */
  adding<T>(fn: (added: Added) => Promise<T>): Promise<T> {
    return adding(this, fn);
  }

  remove(ref: string, opts: { force?: boolean; usedBy?: UsedBy }): Promise<string[]> {
    return removeImage(this, ref, opts);
  }

  prune(opts: { all?: boolean; usedBy?: UsedBy }): Promise<{ deleted: string[]; reclaimed: number }> {
    return pruneImages(this, opts);
  }

  gc(): Promise<string[]> {
    return gcImages(this);
  }

  async save(found: Found[], out: string | Writable): Promise<void> {
    const { saveArchive } = await import('./archive/save.js');
    return this.lease(() => saveArchive(this, found, out));
  }

  async load(input: string | Readable, opts: { onProgress?: (e: LoadProgress) => void }): Promise<string[]> {
    const { loadArchive } = await import('./archive/load.js');
    return loadArchive(this, input, opts);
  }
}
