// `system df`: what images, containers, volumes and the build cache hold on
// disk. Image sizes are the store's (unpacked layers); a container's size is its
// own layer, the upper directory; a volume's is its data directory.
import type { ContainerInfo, DiskUsage, ImageInfo } from '../types.js';
import type { Ctx } from '../container/context.js';
import { readOverlay } from '../fs/root.js';
import { files } from '../container/record.js';
import { treeSize } from '../volumes/store.js';
import { layout } from '../images/layout.js';
import { cacheDir, cachedLayers } from '../build/executor/cache.js';
import fs from 'node:fs';

/** Bytes of the container's own layer; 0 when its bundle cannot be read. */
export function containerSize(bundle: string): number {
  let upper = files.upper(bundle);
  try {
    upper = readOverlay(bundle).upperdir;
  } catch {
    /* no overlay annotation: the default place */
  }
  return treeSize(upper);
}

export async function diskUsage(ctx: Ctx, containers: ContainerInfo[], images: ImageInfo[], volumes: Array<{ name: string; containers: string[]; mountpoint: string }>): Promise<DiskUsage> {
  const users = new Map<string, number>();
  for (const c of containers) if (c.imageId) users.set(c.imageId, (users.get(c.imageId) ?? 0) + 1);
  return {
    images: images.filter((i) => i.kind !== 'builtin').map((i) => ({ ...i, containers: users.get(i.id) ?? 0 })),
    containers: containers.map((c) => ({ ...c, sizeRw: containerSize(c.bundle) })),
    volumes: volumes.map((v) => ({ name: v.name, links: v.containers.length, size: treeSize(v.mountpoint) })),
    buildCache: buildCache(ctx),
  };
}

/** One entry per cached layer: its blob's size, the record's time. */
function buildCache(ctx: Ctx): DiskUsage['buildCache'] {
  const l = layout(ctx.paths.images);
  let created: string;
  try {
    created = fs.statSync(cacheDir(l)).mtime.toISOString();
  } catch {
    return [];
  }
  const seen = new Set<string>();
  const out: DiskUsage['buildCache'] = [];
  for (const layer of cachedLayers(l)) {
    if (seen.has(layer.chainId)) continue;
    seen.add(layer.chainId);
    out.push({ id: layer.chainId.replace(/^sha256:/, '').slice(0, 25), size: layer.descriptor.size, created });
  }
  return out;
}
