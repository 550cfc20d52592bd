// Committing an image: a parent image (or none, for FROM scratch), the layers made
// on top of it (build/layer), the new runtime config and history entries become
// an image config and an OCI manifest in the content store, registered under the
// given tags. Everything is a function of the request: the same inputs (with the
// same `created`) give the same image id (config digest) and manifest digest.
// Runs inside the store's `adding()`; a failure takes back what it added.
import type { ImageInfo } from '../types.js';
import { InvalidArgument, NotFound } from '../errors.js';
import { chainIds } from './oci/hash.js';
import { hostPlatform, parseConfig, parseManifest, type ContainerConfig, type Descriptor, type ImageConfig, type ImageManifest } from './oci/manifest.js';
import { DOCKER_LAYER_FOREIGN, DOCKER_LAYER_GZIP, DOCKER_LAYER_TAR, OCI_CONFIG, OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ND_GZIP, OCI_MANIFEST } from './oci/media.js';
import { parseReference } from './oci/reference.js';
import { readMeta, refKey, updateRefs } from './catalog.js';
import { hasSnapshot } from './snapshots.js';
import { refuseReservedName } from './host.js';
import { adding, putBlob, type Added } from './additions.js';
import { registerManifest } from './register.js';
import type { StoreParts } from './store-parts.js';

/** docker's `config` object of an image: what a container of it runs with. */
export interface RuntimeConfig extends ContainerConfig {
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  Shell?: string[];
  OnBuild?: string[] | null;
  ArgsEscaped?: boolean;
}

/** One entry of the config's history (image-spec config.md). */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  /** A step that made no layer (metadata only, or a RUN that changed nothing). */
  empty_layer?: boolean;
}

/** A layer to add, as build/layer's layerFromUpper returns it. */
export interface CommitLayer {
  descriptor: Descriptor;
  diffId: string;
}

export interface CommitRequest {
  /** The parent image's manifest digest; null for none (FROM scratch). */
  parent: string | null;
  /** New layers, bottom first, on top of the parent's. */
  layers: readonly CommitLayer[];
  /** The whole runtime config of the new image (not a change to the parent's). */
  config: RuntimeConfig;
  /** Appended to the parent's history: one per step, the layer-making ones in layer order. */
  history: readonly HistoryEntry[];
  /** RFC 3339; the caller's (SOURCE_DATE_EPOCH, or now). */
  created: string;
  author?: string;
  /** Names to register it under (none: an untagged image, known by its id). */
  tags?: readonly string[];
}

export interface Committed {
  /** docker's image id: the config digest. */
  id: string;
  manifestDigest: string;
  info: ImageInfo;
}

/** Docker's layer media types for the same bytes under OCI names: the manifest is OCI. */
const OCI_LAYER_OF: Record<string, string> = {
  [DOCKER_LAYER_GZIP]: OCI_LAYER_GZIP,
  [DOCKER_LAYER_TAR]: OCI_LAYER,
  [DOCKER_LAYER_FOREIGN]: OCI_LAYER_ND_GZIP,
};

/** The runtime config's keys in docker's order; any others follow, sorted. */
const CONFIG_KEYS = ['User', 'ExposedPorts', 'Env', 'Cmd', 'Healthcheck', 'ArgsEscaped', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels', 'StopSignal', 'Shell'];

/** Checks the tags without touching the store (bad input leaves nothing behind). */
export function checkTags(tags: readonly string[]): void {
  for (const t of tags) {
    refuseReservedName(t);
    if (parseReference(t).digest) throw new InvalidArgument(`refusing to create a tag with a digest reference: ${t}`);
  }
}

/**
 * Writes the config and manifest of the new image and registers it. `added`: the
 * caller's adding() scope (it made the layers in it); without it, one of its own.
 */
export async function commitImage(s: StoreParts, req: CommitRequest, added?: Added): Promise<Committed> {
  const tags = req.tags ?? [];
  checkTags(tags);
  if (Number.isNaN(Date.parse(req.created))) throw new InvalidArgument(`commit: invalid creation time "${req.created}"`);
  const madeLayers = req.history.filter((h) => !h.empty_layer).length;
  if (madeLayers !== req.layers.length)
    throw new InvalidArgument(`commit: ${req.layers.length} new layers but ${madeLayers} history entries that made one`);
  if (!added) return adding(s, (a) => commitImage(s, req, a));

  const parent = req.parent ? readParent(s, req.parent) : null;
  const plat = hostPlatform();
  const diffIds = [...(parent?.config.rootfs.diff_ids ?? []), ...req.layers.map((l) => l.diffId)];
  const chains = chainIds(diffIds);
  for (let i = parent?.manifest.layers.length ?? 0; i < chains.length; i++)
    if (!hasSnapshot(s.l, chains[i]) && !s.blobs.has(req.layers[i - (parent?.manifest.layers.length ?? 0)].descriptor.digest))
      throw new InvalidArgument(`commit: layer ${diffIds[i]} is neither unpacked nor in the content store`);
  const config: ImageConfig = {
    created: req.created,
    ...(req.author ? { author: req.author } : {}),
    architecture: parent?.config.architecture ?? plat.architecture,
    ...((parent ? parent.config.variant : plat.variant) ? { variant: parent ? parent.config.variant : plat.variant } : {}),
    os: 'linux',
    config: canonicalConfig(req.config),
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [...(parent?.config.history ?? []), ...req.history.map(canonicalHistory)],
  };
  const layers = [...(parent?.manifest.layers ?? []), ...req.layers.map((l) => l.descriptor)].map((d) => ({ ...d, mediaType: OCI_LAYER_OF[d.mediaType] ?? d.mediaType }));
  const { configDigest, manifestDigest } = await putImage(s, config, layers, added);
  const info = await registerManifest(s, tags[0] ?? null, manifestDigest, { kind: 'oci', added });
  if (tags.length > 1) await updateRefs(s.native, s.l, (refs) => void tags.slice(1).forEach((t) => (refs[refKey(parseReference(t))] = manifestDigest)));
  return { id: configDigest, manifestDigest, info };
}

/**
 * Puts an image's config and its OCI manifest into the content store (in `added`);
 * the manifest lists `layers` by media type, digest and size only. The config
 * digest is the image id.
 */
export async function putImage(s: StoreParts, config: ImageConfig, layers: readonly Descriptor[], added: Added): Promise<{ configDigest: string; manifestDigest: string }> {
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = await putBlob(s, configBytes, added);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
    layers: layers.map((d) => ({ mediaType: d.mediaType, digest: d.digest, size: d.size })),
  };
  const manifestDigest = await putBlob(s, Buffer.from(JSON.stringify(manifest)), added);
  return { configDigest, manifestDigest };
}

/** The parent's manifest and config, read back from the content store. */
function readParent(s: StoreParts, manifestDigest: string): { manifest: ImageManifest; config: ImageConfig } {
  const meta = readMeta(s.l, manifestDigest);
  if (!meta) throw new NotFound(`commit: no image with manifest ${manifestDigest}`);
  if (!s.blobs.has(meta.manifestDigest) || !s.blobs.has(meta.configDigest))
    throw new InvalidArgument(`commit: the parent image ${meta.configDigest.slice(7, 19)} has no manifest or config in the content store`);
  return { manifest: parseManifest(s.blobs.readBytes(meta.manifestDigest)), config: parseConfig(s.blobs.readBytes(meta.configDigest)) };
}

/** The config with its keys in one order and unset ones left out: the bytes depend on the values only. */
export function canonicalConfig(c: RuntimeConfig): RuntimeConfig {
  const src = c as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keys = [...CONFIG_KEYS, ...Object.keys(src).filter((k) => !CONFIG_KEYS.includes(k)).sort()];
  for (const k of keys) {
    const v = src[k];
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? sortedObject(v as Record<string, unknown>) : v;
  }
  return out as RuntimeConfig;
}

function sortedObject(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

function canonicalHistory(h: HistoryEntry): HistoryEntry {
  const out: HistoryEntry = {};
  if (h.created !== undefined) out.created = h.created;
  if (h.created_by !== undefined) out.created_by = h.created_by;
  if (h.author) out.author = h.author;
  if (h.comment) out.comment = h.comment;
  if (h.empty_layer) out.empty_layer = true;
  return out;
}
