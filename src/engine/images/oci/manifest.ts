// Parsing of image indexes, manifests and configs (OCI image-spec and Docker schema 2).
// Pure functions over bytes: the registry client and the archive loader share them.
// Anything malformed is an InvalidArgument with one line naming the field.
import { InvalidArgument } from '../../errors.js';
import { isDigest } from './digest.js';
import { CONFIG_TYPES, DOCKER_LIST, DOCKER_MANIFEST, INDEX_TYPES, LAYER_TYPES, MANIFEST_TYPES, OCI_INDEX, OCI_MANIFEST } from './media.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** The runtime part of an image config (docker's field names, kept as given). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean; author?: string }>;
  [k: string]: unknown;
}

function bad(what: string, why: string): never {
  throw new InvalidArgument(`invalid ${what}: ${why}`);
}

export function parseJson(data: Uint8Array | string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  } catch {
    bad(what, 'not JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad(what, 'not a JSON object');
  return v as Record<string, unknown>;
}

function strMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) bad(what, 'annotations are not an object');
  for (const x of Object.values(v as object)) if (typeof x !== 'string') bad(what, 'annotation values must be strings');
  return v as Record<string, string>;
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!v || typeof v !== 'object') bad(what, 'descriptor is not an object');
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || !d.mediaType) bad(what, 'descriptor without mediaType');
  if (!isDigest(d.digest)) bad(what, `unsupported or malformed digest ${JSON.stringify(d.digest)}`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) bad(what, `bad size for ${d.digest}`);
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === 'string');
  const ann = strMap(d.annotations, what);
  if (ann) out.annotations = ann;
  if (d.platform && typeof d.platform === 'object') {
    const p = d.platform as Record<string, unknown>;
    if (typeof p.os !== 'string' || typeof p.architecture !== 'string') bad(what, 'platform without os/architecture');
    out.platform = { os: p.os, architecture: p.architecture };
    if (typeof p.variant === 'string') out.platform.variant = p.variant;
  }
  return out;
}

/** 'index' or 'manifest', from the mediaType field (or a header), else from the shape. */
export function manifestKind(doc: Record<string, unknown>, headerType?: string): 'index' | 'manifest' {
  const mt = typeof doc.mediaType === 'string' ? doc.mediaType : headerType;
  if (mt && INDEX_TYPES.includes(mt)) return 'index';
  if (mt && MANIFEST_TYPES.includes(mt)) return 'manifest';
  if (Array.isArray(doc.manifests)) return 'index';
  if (Array.isArray(doc.layers)) return 'manifest';
  bad('image manifest', `unsupported media type ${JSON.stringify(mt ?? null)}`);
}

export function parseIndex(data: Uint8Array | string | Record<string, unknown>, headerType?: string): ImageIndex {
  const doc = typeof data === 'object' && !(data instanceof Uint8Array) ? data : parseJson(data, 'image index');
  if (doc.schemaVersion !== 2) bad('image index', 'schemaVersion is not 2');
  if (manifestKind(doc, headerType) !== 'index') bad('image index', 'not an index');
  if (!Array.isArray(doc.manifests)) bad('image index', 'no manifests');
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : headerType === DOCKER_LIST ? DOCKER_LIST : OCI_INDEX;
  const out: ImageIndex = { schemaVersion: 2, mediaType, manifests: doc.manifests.map((m) => parseDescriptor(m, 'image index')) };
  const ann = strMap(doc.annotations, 'image index');
  if (ann) out.annotations = ann;
  return out;
}

export function parseManifest(data: Uint8Array | string | Record<string, unknown>, headerType?: string): ImageManifest {
  const doc = typeof data === 'object' && !(data instanceof Uint8Array) ? data : parseJson(data, 'image manifest');
  if (doc.schemaVersion !== 2) bad('image manifest', 'schemaVersion is not 2 (schema 1 manifests are not supported)');
  if (manifestKind(doc, headerType) !== 'manifest') bad('image manifest', 'not a manifest');
  const config = parseDescriptor(doc.config, 'image manifest');
  if (!CONFIG_TYPES.includes(config.mediaType)) bad('image manifest', `unsupported config media type ${config.mediaType}`);
  if (!Array.isArray(doc.layers)) bad('image manifest', 'no layers');
  const layers = doc.layers.map((l) => parseDescriptor(l, 'image manifest'));
  for (const l of layers) if (!LAYER_TYPES.includes(l.mediaType)) bad('image manifest', `unsupported layer media type ${l.mediaType}`);
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : headerType === DOCKER_MANIFEST ? DOCKER_MANIFEST : OCI_MANIFEST;
  const out: ImageManifest = { schemaVersion: 2, mediaType, config, layers };
  const ann = strMap(doc.annotations, 'image manifest');
  if (ann) out.annotations = ann;
  return out;
}

function strList(v: unknown, what: string): string[] | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad('image config', `${what} is not a list of strings`);
  return v as string[];
}

export function parseConfig(data: Uint8Array | string): ImageConfig {
  const doc = parseJson(data, 'image config');
  const rootfs = doc.rootfs as Record<string, unknown> | undefined;
  if (!rootfs || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) bad('image config', 'rootfs.diff_ids missing');
  for (const d of rootfs.diff_ids) if (!isDigest(d)) bad('image config', `bad diff id ${JSON.stringify(d)}`);
  if (typeof doc.os !== 'string' || typeof doc.architecture !== 'string') bad('image config', 'os/architecture missing');
  const c = (doc.config ?? undefined) as Record<string, unknown> | undefined;
  if (c !== undefined && (typeof c !== 'object' || Array.isArray(c))) bad('image config', 'config is not an object');
  if (c) {
    strList(c.Env, 'Env');
    strList(c.Entrypoint, 'Entrypoint');
    strList(c.Cmd, 'Cmd');
    for (const k of ['User', 'WorkingDir', 'StopSignal'])
      if (c[k] !== undefined && c[k] !== null && typeof c[k] !== 'string') bad('image config', `${k} is not a string`);
    if (c.Labels !== undefined && c.Labels !== null) strMap(c.Labels, 'image config');
  }
  return doc as unknown as ImageConfig;
}

/** The platform of this host in OCI terms (GOOS/GOARCH names). */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips64el: 'mips64le' };
  const a = arch[process.arch] ?? process.arch;
  const p: Platform = { os: 'linux', architecture: a };
  if (a === 'arm64') p.variant = 'v8';
  if (a === 'arm') {
    const v = (process.config.variables as unknown as Record<string, unknown>).arm_version;
    p.variant = `v${typeof v === 'string' || typeof v === 'number' ? v : '7'}`;
  }
  return p;
}

function variantOf(p: Platform): string {
  // arm64 without a variant means v8 (containerd's platforms.Normalize).
  return p.variant ?? (p.architecture === 'arm64' ? 'v8' : '');
}

/**
 * The manifest of an index that runs here: same os and architecture; the exact
 * variant first, then one without a variant. Attestation entries (unknown/unknown) never match.
 */
export function selectPlatform(index: ImageIndex, want: Platform = hostPlatform()): Descriptor {
  const cands = index.manifests.filter(
    (m) => MANIFEST_TYPES.includes(m.mediaType) || INDEX_TYPES.includes(m.mediaType),
  );
  const same = cands.filter((m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture);
  const exact = same.find((m) => variantOf(m.platform!) === variantOf(want));
  const loose = same.find((m) => !m.platform!.variant);
  const pick = exact ?? loose ?? (cands.length === 1 && !cands[0].platform ? cands[0] : undefined);
  if (!pick)
    throw new InvalidArgument(
      `no image found in manifest list for architecture ${want.architecture}, variant ${JSON.stringify(want.variant ?? '')}, OS ${want.os}`,
    );
  return pick;
}
