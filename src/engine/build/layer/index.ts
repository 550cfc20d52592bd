// A new image layer from an overlay upper directory (a build step's container, or
// `hutch commit`'s): the directory is walked once, in layer form (upper-walk.ts),
// into an uncompressed OCI layer tar that is hashed and stored as it is produced
// (blob-writer.ts: its sha256 is both the blob digest and the diff id); then the layer gets its
// snapshot, by renaming the upper directory into place when the caller allows it
// (move-snapshot.ts), else by unpacking the new blob as any layer is.
//
// Callers run it inside the image store's `adding()` (images/additions.ts) and
// register an image using the layer (images/commit.ts) in the same call: what
// the layer added and no image ends up using is removed again.
import { OCI_LAYER } from '../../images/oci/media.js';
import { sha256 } from '../../images/oci/hash.js';
import type { Descriptor } from '../../images/oci/manifest.js';
import { hasSnapshot, unpackLayer, type SnapshotInfo } from '../../images/snapshots.js';
import type { Added } from '../../images/additions.js';
import type { StoreParts } from '../../images/store-parts.js';
import type { Native } from '../../native/native.js';
import { BlobWriter } from './blob-writer.js';
import { LayerTar } from './layer-tar.js';
import { mountPointExclusions } from './exclude.js';
import { CrossDevice, publishByMove } from './move-snapshot.js';
import { walkUpper } from './upper-walk.js';

export { LayerTar } from './layer-tar.js';
export { walkUpper, type UpperWalkOptions, type UpperWalkResult } from './upper-walk.js';
export { mountPointExclusions } from './exclude.js';

/** The store's parts with the whole addon (the walk reads the upper through in-root calls). */
export type LayerStore = Omit<StoreParts, 'native'> & { readonly native: Native };

export interface UpperLayerRequest {
  /** The overlay upper directory. */
  upper: string;
  /** Chain id of the layer below (the parent image's top layer); null for none (FROM scratch). */
  parentChainId: string | null;
  /** The layer directories below the upper, top first (the parent image's snapshots):
   * mount points are left out only where these lack them. */
  lowerdirs: readonly string[];
  /** Mount points the engine made for the container, inside it ('/etc/hosts', '/proc',
   * a volume's target, the working directory): left out when they are empty and no
   * lower layer has them (exclude.ts). */
  exclude?: readonly string[];
  /** SOURCE_DATE_EPOCH (seconds): later mtimes are written as this one; two runs over the
   * same tree then give the same bytes. Without it, mtimes are kept (whole seconds). */
  sourceDateEpoch?: number;
  /** 'move': the upper directory becomes the snapshot (it is gone afterwards, unless the
   * snapshot existed or the diff is empty); it must be on the state root's filesystem,
   * else it is copied. 'copy': it is left as it is (a running container's). */
  snapshot: 'move' | 'copy';
  /** --userns: the upper holds host ids of this range, the layer the container's. Use 'copy'. */
  idRange?: { base: number; size: number };
}

export type UpperLayer =
  | { empty: true }
  | {
      empty: false;
      /** The layer blob: uncompressed, application/vnd.oci.image.layer.v1.tar. */
      descriptor: Descriptor;
      diffId: string;
      chainId: string;
      /** Tar entries (whiteouts included) and tar bytes, as the snapshot's info.json has them. */
      entries: number;
      size: number;
      /** This call made the snapshot (false: it was there, the same layer on the same parent). */
      snapshotCreated: boolean;
    };

/**
 * Writes the layer of `req.upper` into the content store and makes its snapshot.
 * `{ empty: true }` when the upper holds nothing but left-out mount points: the
 * caller records an `empty_layer` history entry instead of a layer.
 */
export async function layerFromUpper(s: LayerStore, added: Added, req: UpperLayerRequest): Promise<UpperLayer> {
  const native = s.native;
  const upperfd = native.openRoot(req.upper);
  let walk;
  let blob;
  let exclude: Set<string>;
  try {
    exclude = mountPointExclusions(native, upperfd, req.lowerdirs, req.exclude ?? []);
    const out = new BlobWriter(s.blobs);
    try {
      const tar = new LayerTar(out);
      walk = await walkUpper(native, upperfd, tar, { exclude, sourceDateEpoch: req.sourceDateEpoch, idRange: req.idRange });
      tar.finish();
      blob = out.finish();
    } catch (e) {
      out.abort();
      throw e;
    }
  } finally {
    native.closeFd(upperfd);
  }
  if (blob.fresh) added.blobs.add(blob.digest);
  if (walk.entries === 0) return { empty: true };
  const diffId = blob.digest;
  const chainId = req.parentChainId ? sha256(`${req.parentChainId} ${diffId}`) : diffId;
  const info: SnapshotInfo = { chainId, diffId, digest: diffId, entries: walk.entries, size: blob.size };
  let created = false;
  if (!hasSnapshot(s.l, chainId)) {
    let moved = false;
    if (req.snapshot === 'move') {
      try {
        created = publishByMove(s.l, native, req.upper, info, { remove: [...exclude, ...walk.devices], clamped: walk.clamped, epoch: req.sourceDateEpoch });
        moved = true;
      } catch (e) {
        if (!(e instanceof CrossDevice)) throw e;
      }
    }
    if (!moved) created = (await unpackLayer(s.l, native, { chainId, diffId, digest: diffId, blobPath: s.blobs.path(diffId) })).created;
  }
  if (created) added.snapshots.add(chainId);
  return {
    empty: false,
    descriptor: { mediaType: OCI_LAYER, digest: diffId, size: blob.size },
    diffId,
    chainId,
    entries: walk.entries,
    size: blob.size,
    snapshotCreated: created,
  };
}
