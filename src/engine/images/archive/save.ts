// `save`: images to an OCI image-layout archive (oci-layout, index.json with each
// name in `org.opencontainers.image.ref.name`, blobs/sha256/…), plus the
// `manifest.json` that `docker load` reads, as docker 25+ writes both. podman,
// skopeo and docker load it. Written beside the target and renamed into place.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { InvalidArgument } from '../../errors.js';
import { parseManifest, type Descriptor } from '../oci/manifest.js';
import type { Found } from '../catalog.js';
import type { ImageServiceImpl } from '../service.js';
import { TarWriter } from './tar-write.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME = 'io.containerd.image.name';

export async function saveArchive(svc: ImageServiceImpl, found: Found[], out: string | Writable): Promise<void> {
  const index: Descriptor[] = [];
  const dockerManifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const blobs = new Set<string>();
  const seen = new Set<string>();
  for (const f of found) {
    const m = f.meta;
    const key = `${m.manifestDigest} ${f.name ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const bytes = svc.blobs.readBytes(m.manifestDigest);
    const manifest = parseManifest(bytes);
    for (const d of [m.manifestDigest, manifest.config.digest, ...manifest.layers.map((x) => x.digest)]) {
      if (!svc.blobs.has(d)) throw new InvalidArgument(`cannot save ${f.name ?? m.configDigest}: blob ${d} is missing from the content store`);
      blobs.add(d);
    }
    const desc: Descriptor = { mediaType: manifest.mediaType, digest: m.manifestDigest, size: bytes.length };
    const tag = f.name && !f.name.includes('@') ? f.name : null;
    if (tag) desc.annotations = { [REF_NAME]: tag, [CONTAINERD_NAME]: tag };
    index.push(desc);
    dockerManifest.push({
      Config: blobPath(manifest.config.digest),
      // Fully qualified: docker reads them as well, and podman would put a short name under localhost/.
      RepoTags: tag ? [tag] : null,
      Layers: manifest.layers.map((x) => blobPath(x.digest)),
    });
  }
  const write = async (stream: Writable) => {
    const tar = new TarWriter(stream);
    await tar.bytes('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    await tar.bytes('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: index })));
    await tar.bytes('manifest.json', Buffer.from(JSON.stringify(dockerManifest)));
    await tar.dir('blobs');
    await tar.dir('blobs/sha256');
    for (const d of [...blobs].sort()) await tar.file(blobPath(d), svc.blobs.path(d));
    await tar.end();
  };
  if (typeof out !== 'string') return write(out);
  const dest = path.resolve(out);
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.hutch-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const stream = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
    const closed = new Promise<void>((resolve, reject) => {
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    try {
      await write(stream);
    } finally {
      stream.end();
    }
    await closed;
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code && err.syscall) throw new InvalidArgument(`save: cannot write ${out}: ${err.code}`);
    throw e;
  }
}

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice(7)}`;
}
