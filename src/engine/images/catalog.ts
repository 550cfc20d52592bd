// Names and image records: `refs.json` (name → manifest digest) and `meta/*.json`.
// Small JSON files read on every `run`; written atomically, refs.json under a short
// lock so concurrent tags and loads never lose each other's names.
import fs from 'node:fs';
import type { ContainerConfig } from './oci/manifest.js';
import { readJson, writeFileAtomic } from '../state/atomic.js';
import { withLock, type FlockApi } from '../state/lock.js';
import { ensureStoreDir, metaFile, PRIVATE_DIR, PRIVATE_FILE, type Layout } from './layout.js';
import { Conflict } from '../errors.js';
import { familiarRepo, parseReference, repoName, splitName, type Reference } from './oci/reference.js';
import type { ImageInfo } from '../types.js';

export interface LayerMeta {
  /** Blob digest (compressed, as stored). */
  digest: string;
  mediaType: string;
  size: number;
  diffId: string;
  chainId: string;
  /** Unpacked bytes. */
  unpacked: number;
}

/** What the engine keeps about one image (one manifest). */
export interface ImageMeta {
  manifestDigest: string;
  mediaType: string;
  /** docker's image id. */
  configDigest: string;
  created: string;
  /** When a name last pointed here (docker's Metadata.LastTagTime). */
  loaded: string;
  os: string;
  architecture: string;
  variant?: string;
  author?: string;
  config: ContainerConfig;
  layers: LayerMeta[];
  /** Sum of the unpacked layers. */
  size: number;
  /** 'rootfs' for a tarball brought in by `import`. */
  kind: 'oci' | 'rootfs';
  /** The image's /etc/passwd and /etc/group as the container sees them (null: none). */
  passwd: string | null;
  group: string | null;
}

export type Refs = Record<string, string>;

export function readRefs(l: Layout): Refs {
  return readJson<Refs>(l.refs) ?? {};
}

/** Read-modify-write of refs.json under its lock; returns fn's result. */
export async function updateRefs<T>(native: FlockApi, l: Layout, fn: (refs: Refs) => T): Promise<T> {
  ensureStoreDir(l.dir);
  return withLock(native, l.refsLock, () => {
    const refs = readRefs(l);
    const out = fn(refs);
    const sorted: Refs = {};
    for (const k of Object.keys(refs).sort()) sorted[k] = refs[k];
    writePrivateJson(l.refs, sorted);
    return out;
  });
}

export function readMeta(l: Layout, manifestDigest: string): ImageMeta | null {
  try {
    return readJson<ImageMeta>(metaFile(l, manifestDigest));
  } catch {
    return null; // a torn or foreign file reads as no record
  }
}

export function writeMeta(l: Layout, m: ImageMeta): void {
  fs.mkdirSync(l.meta, { recursive: true, mode: PRIVATE_DIR });
  writePrivateJson(metaFile(l, m.manifestDigest), m);
}

/** Store records are the owner's only: an image's config may hold secrets. */
export function writePrivateJson(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', PRIVATE_FILE);
}

export function removeMeta(l: Layout, manifestDigest: string): void {
  fs.rmSync(metaFile(l, manifestDigest), { force: true });
}

export function listMetas(l: Layout): ImageMeta[] {
  let names: string[];
  try {
    names = fs.readdirSync(l.meta);
  } catch {
    return [];
  }
  const out: ImageMeta[] = [];
  for (const n of names) {
    const m = /^([0-9a-f]{64})\.json$/.exec(n);
    if (!m) continue;
    const meta = readMeta(l, `sha256:${m[1]}`);
    if (meta) out.push(meta);
  }
  return out;
}

/** Names pointing at each manifest digest. */
export function namesByManifest(refs: Refs): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, d] of Object.entries(refs)) {
    const list = out.get(d) ?? [];
    list.push(name);
    out.set(d, list);
  }
  return out;
}

export function metaPathExists(l: Layout, manifestDigest: string): boolean {
  return fs.existsSync(metaFile(l, manifestDigest));
}

/** What a reference names: the record and the stored name it was found under. */
export interface Found {
  meta: ImageMeta;
  /** The stored full name, when found by name. */
  name: string | null;
}

const ID_RE = /^(?:sha256:)?([0-9a-f]{1,64})$/;

/**
 * Finds an image by name (`alpine`, `localhost:5000/x:1`, `x@sha256:…`) or by id
 * prefix, as docker does: names first. Returns null when nothing matches; throws
 * InvalidArgument for a malformed reference that is not an id either.
 */
export function findImage(l: Layout, ref: string, refs: Refs = readRefs(l)): Found | null {
  let parsed: Reference | null = null;
  let parseError: unknown = null;
  try {
    parsed = parseReference(ref);
  } catch (e) {
    parseError = e;
  }
  if (parsed) {
    const key = refKey(parsed);
    const d = refs[key];
    if (d) {
      const meta = readMeta(l, d);
      if (meta) return { meta, name: key };
    }
    if (parsed.digest) {
      const meta = readMeta(l, parsed.digest);
      if (meta) return { meta, name: null };
    }
  }
  const m = ID_RE.exec(ref);
  if (m) {
    const hits = listMetas(l).filter((x) => x.configDigest.slice(7).startsWith(m[1]));
    const ids = new Set(hits.map((h) => h.configDigest));
    if (ids.size > 1) throw new Conflict(`multiple images found with provided prefix: ${ref}`);
    if (hits.length > 0) {
      // Prefer a manifest that has a name: the same config may come in several manifests.
      const named = new Set(Object.values(refs));
      return { meta: hits.find((h) => named.has(h.manifestDigest)) ?? hits[0], name: null };
    }
  }
  if (!parsed && parseError) throw parseError;
  return null;
}

/** The key a reference is stored under in refs.json: `registry/repo:tag`, or `registry/repo@digest`. */
export function refKey(r: Reference): string {
  return r.digest ? `${repoName(r)}@${r.digest}` : `${repoName(r)}:${r.tag ?? 'latest'}`;
}

/** One row per name, plus one per image without a name (docker's `<none>`). */
export function imageInfos(refs: Refs, metas: ImageMeta[], def?: string): ImageInfo[] {
  const uses = new Map<string, number>();
  for (const m of metas) for (const c of new Set(m.layers.map((x) => x.chainId))) uses.set(c, (uses.get(c) ?? 0) + 1);
  const byManifest = new Map(metas.map((m) => [m.manifestDigest, m]));
  const named = new Set<string>();
  const out: ImageInfo[] = [];
  for (const [key, digest] of Object.entries(refs)) {
    const m = byManifest.get(digest);
    if (!m) continue;
    named.add(digest);
    out.push(infoOf(m, key, uses, def));
  }
  // A nameless manifest of an image that is listed already (by name, or nameless
  // once) is the same image: docker lists images by id. A push makes one — the
  // gzip'd manifest it sent, pulled back under the name — and the local one stays.
  const ids = new Set(out.map((i) => i.id));
  for (const m of metas) {
    if (named.has(m.manifestDigest) || ids.has(m.configDigest)) continue;
    ids.add(m.configDigest);
    out.push(infoOf(m, null, uses, def));
  }
  return out;
}

export function infoOf(m: ImageMeta, key: string | null, uses?: Map<string, number>, def?: string): ImageInfo {
  let repository = '<none>';
  let tag = '<none>';
  let name = m.configDigest.slice(7, 19);
  if (key) {
    const at = key.indexOf('@');
    if (at >= 0) {
      repository = familiarRepo(key.slice(0, at), def);
      name = `${repository}@${key.slice(at + 1)}`;
    } else {
      const s = splitName(key);
      repository = familiarRepo(s.repo, def);
      tag = s.tag ?? 'latest';
      name = `${repository}:${tag}`;
    }
  }
  let shared = 0;
  if (uses) for (const x of m.layers) if ((uses.get(x.chainId) ?? 0) > 1) shared += x.unpacked;
  return {
    name,
    id: m.configDigest,
    created: m.created,
    size: m.size,
    kind: m.kind,
    repository,
    tag,
    digest: m.manifestDigest,
    layers: m.layers.length,
    sharedSize: shared,
  };
}
