// Registering an image: a manifest whose blobs are all in the content store becomes
// an image. Its layers are unpacked into snapshots (once per chain id, a few at a
// time), its record (meta/*.json: what `run` needs) is written, and a name points at
// it. Also the other catalog updates and reads that go by manifest: tag, and resolve
// for push. Callers hold the store's shared lease (additions.ts).
import type { ImageInfo } from '../types.js';
import { InvalidArgument, NotFound } from '../errors.js';
import { chainIds } from './oci/hash.js';
import { manifestKind, parseConfig, parseIndex, parseJson, parseManifest, selectPlatform, type ImageConfig, type ImageManifest } from './oci/manifest.js';
import { parseReference } from './oci/reference.js';
import { findImage, infoOf, readMeta, refKey, updateRefs, writeMeta, type Found, type ImageMeta } from './catalog.js';
import { hasSnapshot, unpackLayer } from './snapshots.js';
import { readEtc } from './etc-files.js';
import type { Added } from './additions.js';
import type { LoadProgress } from './store.js';
import type { StoreParts } from './store-parts.js';

/** Layers unpacked at once: unpacking is disk- and CPU-bound, a few overlap well. */
const UNPACK_PARALLEL = 3;

export interface RegisterOpts {
  onProgress?: (e: LoadProgress) => void;
  kind: 'oci' | 'rootfs';
  /** Records the snapshots this registration created, for rollback. */
  added?: Added;
}

/** ImageService.register without taking the lease (see service-api.ts). */
export async function registerManifest(s: StoreParts, ref: string | null, digest: string, opts: RegisterOpts): Promise<ImageInfo> {
  const key = ref === null ? null : refKey(parseReference(ref));
  let doc = parseJson(s.blobs.readBytes(digest), 'image manifest');
  for (let depth = 0; manifestKind(doc) === 'index'; depth++) {
    if (depth > 2) throw new InvalidArgument('invalid image index: nested too deep');
    digest = selectPlatform(parseIndex(doc)).digest;
    doc = parseJson(readBlob(s, digest, 'manifest'), 'image manifest');
  }
  const manifest = parseManifest(doc);
  const config = parseConfig(readBlob(s, manifest.config.digest, 'config', manifest.config.size));
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length)
    throw new InvalidArgument(`invalid image: the manifest has ${manifest.layers.length} layers, the config ${diffIds.length} diff ids`);
  if (config.os !== 'linux') throw new InvalidArgument(`image operating system "${config.os}" cannot be used on this platform`);
  const chains = chainIds(diffIds);
  // Check every blob before unpacking any: a missing one fails fast, leaving nothing.
  manifest.layers.forEach((layer, i) => {
    if (hasSnapshot(s.l, chains[i])) return;
    let size: number;
    try {
      size = s.blobs.size(layer.digest);
    } catch {
      throw new InvalidArgument(`layer ${layer.digest} is missing from the content store`);
    }
    if (size !== layer.size) throw new InvalidArgument(`layer ${layer.digest}: size mismatch: the manifest says ${layer.size} bytes, the blob has ${size}`);
  });
  const unpacked = new Array<number>(manifest.layers.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < manifest.layers.length; i = next++) {
      const layer = manifest.layers[i];
      const r = await unpackLayer(s.l, s.native, {
        chainId: chains[i],
        diffId: diffIds[i],
        digest: layer.digest,
        blobPath: s.blobs.path(layer.digest),
        onProgress: opts.onProgress ? (bytes) => opts.onProgress!({ layer: layer.digest, bytes, total: layer.size }) : undefined,
      });
      if (r.created) opts.added?.snapshots.add(chains[i]);
      unpacked[i] = r.info.size;
      opts.onProgress?.({ layer: layer.digest, bytes: layer.size, total: layer.size });
    }
  };
  await Promise.all(Array.from({ length: Math.min(UNPACK_PARALLEL, manifest.layers.length) }, worker));
  const now = new Date().toISOString();
  // Same manifest registered before: its layers, and so its /etc files, are the same.
  const prev = readMeta(s.l, digest);
  const etc = prev && prev.layers.length === chains.length ? { passwd: prev.passwd, group: prev.group } : readEtc(s, chains);
  const meta: ImageMeta = {
    manifestDigest: digest,
    mediaType: manifest.mediaType,
    configDigest: manifest.config.digest,
    created: typeof config.created === 'string' ? config.created : '',
    loaded: now,
    os: config.os,
    architecture: config.architecture,
    config: config.config ?? {},
    layers: manifest.layers.map((x, i) => ({ digest: x.digest, mediaType: x.mediaType, size: x.size, diffId: diffIds[i], chainId: chains[i], unpacked: unpacked[i] })),
    size: unpacked.reduce((a, b) => a + b, 0),
    kind: opts.kind,
    passwd: etc.passwd,
    group: etc.group,
  };
  if (typeof config.variant === 'string') meta.variant = config.variant;
  if (typeof config.author === 'string') meta.author = config.author;
  writeMeta(s.l, meta);
  if (key) await updateRefs(s.native, s.l, (refs) => void (refs[key] = digest));
  return infoOf(meta, key);
}

/** One more name for a registered image; a digest reference is no tag. */
export async function tagImage(s: StoreParts, f: Found, target: string): Promise<void> {
  const r = parseReference(target);
  if (r.digest) throw new InvalidArgument(`refusing to create a tag with a digest reference: ${target}`);
  const key = refKey(r);
  await updateRefs(s.native, s.l, (refs) => void (refs[key] = f.meta.manifestDigest));
}

/** The manifest and config of a local image, read back from the content store (push). */
export function resolveImage(s: StoreParts, ref: string): { manifestDigest: string; manifest: ImageManifest; mediaType: string; config: ImageConfig } {
  const f = findImage(s.l, ref);
  if (!f) throw new NotFound(`No such image: ${ref}`);
  const manifest = parseManifest(s.blobs.readBytes(f.meta.manifestDigest));
  const config = parseConfig(readBlob(s, manifest.config.digest, 'config', manifest.config.size));
  return { manifestDigest: f.meta.manifestDigest, manifest, mediaType: manifest.mediaType, config };
}

/** A blob the manifest names, said to be missing or the wrong size in the image's terms. */
function readBlob(s: StoreParts, digest: string, what: string, size?: number): Buffer {
  if (!s.blobs.has(digest)) throw new InvalidArgument(`image ${what} ${digest} is missing from the content store`);
  const b = s.blobs.readBytes(digest);
  if (size !== undefined && b.length !== size) throw new InvalidArgument(`image ${what} ${digest}: size mismatch: expected ${size} bytes, got ${b.length}`);
  return b;
}
