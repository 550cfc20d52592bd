// `import`: a plain root filesystem tarball (optionally compressed) becomes a
// one-layer image. The tarball is stored as it is, as the layer blob; a config and a
// manifest are written for it, so that from then on it is an image like any other
// (save, push, run). On any error, what the import added is removed again.
import fs from 'node:fs';
import path from 'node:path';
import type { ImageInfo } from '../types.js';
import { InvalidArgument } from '../errors.js';
import { hostPlatform, type ImageConfig } from './oci/manifest.js';
import { ociLayerType, sniffCompression } from './oci/media.js';
import { parseReference } from './oci/reference.js';
import { unpackBase } from './snapshots.js';
import { refuseReservedName } from './host.js';
import { adding } from './additions.js';
import { putImage } from './commit.js';
import { registerManifest } from './register.js';
import type { StoreParts } from './store-parts.js';

export async function importRootfs(s: StoreParts, tarPath: string, name: string): Promise<ImageInfo> {
  refuseReservedName(name);
  parseReference(name);
  let st: fs.Stats;
  try {
    st = fs.statSync(tarPath);
  } catch {
    throw new InvalidArgument(`import: cannot open "${tarPath}": no such file`);
  }
  if (!st.isFile()) throw new InvalidArgument(`import: "${tarPath}" is not a file`);
  return adding(s, async (added) => {
    const blob = await s.blobs.ingest(fs.createReadStream(tarPath));
    if (blob.fresh) added.blobs.add(blob.digest);
    // The first bytes say the compression, hence the layer's media type.
    const head = Buffer.alloc(4);
    const fd = fs.openSync(s.blobs.path(blob.digest), 'r');
    try {
      fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
    let snap;
    try {
      snap = await unpackBase(s.l, s.native, s.blobs.path(blob.digest), blob.digest);
    } catch (e) {
      throw new InvalidArgument(`import: ${path.basename(tarPath)} is not a readable tar archive: ${(e as Error).message}`);
    }
    if (snap.created) added.snapshots.add(snap.info.chainId);
    const now = new Date().toISOString();
    const plat = hostPlatform();
    const config: ImageConfig = {
      created: now,
      architecture: plat.architecture,
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [snap.info.diffId] },
      history: [{ created: now, created_by: 'hutch import', comment: `imported from ${path.basename(tarPath)}` }],
    };
    if (plat.variant) config.variant = plat.variant;
    const { manifestDigest } = await putImage(s, config, [{ mediaType: ociLayerType(sniffCompression(head)), digest: blob.digest, size: blob.size }], added);
    return registerManifest(s, name, manifestDigest, { kind: 'rootfs', added });
  });
}
