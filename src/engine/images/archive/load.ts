// `load`: an image archive into the store. Accepts OCI image-layout archives (hutch
// save, `podman save --format oci-archive`, `skopeo copy … oci-archive:`, docker 25+
// save) and docker's older `docker save` layout (manifest.json + <id>/layer.tar, links
// between layers, uncompressed or gzip layers); the archive itself may be gzip'd.
// Every blob is checked against its digest, every layer against its diff id; on any
// error, what this load added is removed again.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { InvalidArgument } from '../../errors.js';
import { parseConfig, parseIndex, parseJson, type ImageManifest } from '../oci/manifest.js';
import { INDEX_TYPES, OCI_CONFIG, OCI_MANIFEST, ociLayerType, sniffCompression } from '../oci/media.js';
import { familiarName, isValidTag, parseReference } from '../oci/reference.js';
import { refKey } from '../catalog.js';
import type { Added, ImageServiceImpl } from '../service.js';
import type { LoadProgress } from '../store.js';
import { readArchive, type ArchiveContents } from './read.js';
import { CONTAINERD_NAME, REF_NAME } from './save.js';

interface DockerEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export async function loadArchive(svc: ImageServiceImpl, input: string | Readable, opts: { onProgress?: (e: LoadProgress) => void } = {}): Promise<string[]> {
  let src: Readable;
  if (typeof input === 'string') {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch {
      throw new InvalidArgument(`load: cannot open "${input}": no such file`);
    }
    if (!st.isFile()) throw new InvalidArgument(`load: "${input}" is not a file`);
    src = fs.createReadStream(input, { highWaterMark: 1 << 20 });
  } else src = input;
  return svc.adding(async (added) => {
    const a = await readArchive(src, svc.blobs, added);
    const images = a.files.has('index.json') ? await fromIndex(svc, a) : a.files.has('manifest.json') ? await fromDockerSave(svc, a, added) : null;
    if (!images)
      throw new InvalidArgument("load: not an image archive (no index.json or manifest.json); a root filesystem tarball goes in with 'hutch import'");
    if (images.length === 0) throw new InvalidArgument('load: the archive holds no image');
    const lines: string[] = [];
    for (const im of images) {
      const info = await svc.registerLeased(im.name, im.digest, { kind: 'oci', added, onProgress: opts.onProgress });
      lines.push(im.name ? `Loaded image: ${familiarName(refKey(parseReference(im.name)))}` : `Loaded image ID: ${info.id}`);
    }
    return lines;
  });
}

interface ToRegister {
  name: string | null;
  digest: string;
}

/** OCI layout: index.json names manifests (or indexes) whose blobs came in blobs/sha256/. */
async function fromIndex(svc: ImageServiceImpl, a: ArchiveContents): Promise<ToRegister[]> {
  const layout = a.files.get('oci-layout');
  if (layout) {
    const v = parseJson(layout, 'oci-layout').imageLayoutVersion;
    if (typeof v !== 'string' || !v.startsWith('1.')) throw new InvalidArgument(`load: unsupported image layout version ${JSON.stringify(v)}`);
  }
  const index = parseIndex(a.files.get('index.json')!);
  // docker 25+ also writes manifest.json: its RepoTags name manifests whose index entry has only a tag.
  const dockerTags = new Map<string, string[]>();
  if (a.files.has('manifest.json')) {
    try {
      for (const e of parseDocker(a.files.get('manifest.json')!)) {
        const cfg = e.Config.replace(/^blobs\/sha256\//, 'sha256:');
        dockerTags.set(cfg, e.RepoTags ?? []);
      }
    } catch {
      /* index.json is authoritative */
    }
  }
  const out: ToRegister[] = [];
  for (const d of index.manifests) {
    if (!svc.blobs.has(d.digest)) throw new InvalidArgument(`load: index.json names ${d.digest}, which the archive does not hold`);
    const ann = d.annotations ?? {};
    const full = ann[CONTAINERD_NAME] ?? ann[REF_NAME];
    let name: string | null = null;
    if (full && !isValidTag(full)) {
      try {
        name = refKey(parseReference(full));
      } catch {
        name = null;
      }
    }
    if (!name && !INDEX_TYPES.includes(d.mediaType)) {
      try {
        const m = parseJson(svc.blobs.readBytes(d.digest), 'image manifest') as { config?: { digest?: string } };
        const tags = m.config?.digest ? dockerTags.get(m.config.digest) : undefined;
        if (tags?.length) {
          for (const t of tags) out.push({ name: t, digest: d.digest });
          continue;
        }
      } catch {
        /* registered (and rejected) below */
      }
    }
    out.push({ name, digest: d.digest });
  }
  return out;
}

function parseDocker(data: Buffer): DockerEntry[] {
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch {
    throw new InvalidArgument('load: manifest.json is not JSON');
  }
  if (!Array.isArray(v)) throw new InvalidArgument('load: manifest.json is not a list');
  for (const e of v) {
    if (!e || typeof e.Config !== 'string' || !Array.isArray(e.Layers) || e.Layers.some((l: unknown) => typeof l !== 'string'))
      throw new InvalidArgument('load: manifest.json: an entry without Config or Layers');
    if (e.RepoTags != null && (!Array.isArray(e.RepoTags) || e.RepoTags.some((t: unknown) => typeof t !== 'string')))
      throw new InvalidArgument('load: manifest.json: RepoTags is not a list of names');
  }
  return v as DockerEntry[];
}

/** docker save: manifest.json lists config and layer files; an OCI manifest is made for each. */
async function fromDockerSave(svc: ImageServiceImpl, a: ArchiveContents, added: Added): Promise<ToRegister[]> {
  const out: ToRegister[] = [];
  for (const e of parseDocker(a.files.get('manifest.json')!)) {
    const configDigest = await blobOf(svc, a, e.Config, added);
    const configBytes = svc.blobs.readBytes(configDigest);
    const config = parseConfig(configBytes);
    if (config.rootfs.diff_ids.length !== e.Layers.length)
      throw new InvalidArgument(`load: ${e.Config}: ${config.rootfs.diff_ids.length} diff ids for ${e.Layers.length} layers`);
    const layers = [];
    for (const l of e.Layers) {
      const digest = await blobOf(svc, a, l, added);
      const head = Buffer.alloc(4);
      const fd = fs.openSync(svc.blobs.path(digest), 'r');
      try {
        fs.readSync(fd, head, 0, 4, 0);
      } finally {
        fs.closeSync(fd);
      }
      layers.push({ mediaType: ociLayerType(sniffCompression(head)), digest, size: svc.blobs.size(digest) });
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
      layers,
    };
    const digest = await svc.put(Buffer.from(JSON.stringify(manifest)), added);
    const tags = (e.RepoTags ?? []).filter(Boolean);
    if (tags.length === 0) out.push({ name: null, digest });
    for (const t of tags) out.push({ name: t, digest });
  }
  return out;
}

/** The blob stored for an archive path, following links (podman writes <id>/layer.tar -> ../<sha>.tar). */
async function blobOf(svc: ImageServiceImpl, a: ArchiveContents, p: string, added: Added): Promise<string> {
  let cur = p.replace(/^\.?\/+/, '');
  for (let hops = 0; hops < 16; hops++) {
    const d = a.blobs.get(cur);
    if (d) return d;
    const f = a.files.get(cur);
    if (f) return svc.put(f, added);
    const next = a.links.get(cur);
    if (!next) break;
    cur = next;
  }
  throw new InvalidArgument(`load: manifest.json names ${p}, which the archive does not hold`);
}
