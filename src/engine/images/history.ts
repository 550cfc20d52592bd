// `history`: an image's config history, newest first, as docker lists it. Each
// entry that made a layer is paired, in order, with the image's layers (its size
// is that layer's unpacked size); entries marked empty_layer made none (size 0).
// Only the newest entry is known as an image here (the image itself); the others
// were steps of whoever built it, docker's `<missing>`. The built-in host image
// has no config: one entry saying what it is.
import { NotFound } from '../errors.js';
import { HOST_IMAGE } from './host.js';
import { findImage } from './catalog.js';
import { parseConfig } from './oci/manifest.js';
import { FsBlobStore } from './content/blobs.js';
import { layout, type Layout } from './layout.js';
import type { ImageStore } from './store.js';

export interface ImageHistoryEntry {
  /** The image's id for the newest entry, '<missing>' for the others. */
  id: string;
  /** RFC 3339, '' when the entry has no time. */
  created: string;
  createdBy: string;
  /** Bytes of the layer the entry made (0 for an empty layer). */
  size: number;
  comment: string;
  emptyLayer: boolean;
}

export const MISSING = '<missing>';

/** The history of `ref` in the store at imagesDir (the host image's id from `store`). */
export async function historyOf(store: ImageStore, imagesDir: string, ref: string): Promise<ImageHistoryEntry[]> {
  const hostId = ref === HOST_IMAGE ? (await store.inspect(HOST_IMAGE)).id : '';
  return imageHistory(layout(imagesDir), new FsBlobStore(imagesDir), ref, hostId);
}

export function imageHistory(l: Layout, blobs: FsBlobStore, ref: string, hostId: string): ImageHistoryEntry[] {
  if (ref === HOST_IMAGE)
    return [{ id: hostId, created: '', createdBy: "the host's /usr, /etc and /lib* bound read-only, a private writable root", size: 0, comment: 'built-in image: no layers', emptyLayer: true }];
  const found = findImage(l, ref);
  if (!found) throw new NotFound(`No such image: ${ref}`);
  const m = found.meta;
  const history = parseConfig(blobs.readBytes(m.configDigest)).history ?? [];
  const out: ImageHistoryEntry[] = [];
  let layer = 0;
  for (const h of history) {
    const empty = !!h.empty_layer;
    const size = empty ? 0 : (m.layers[layer++]?.unpacked ?? 0);
    out.push({ id: MISSING, created: h.created ?? '', createdBy: h.created_by ?? '', size, comment: h.comment ?? '', emptyLayer: empty });
  }
  // An image without history (some producers write none) still has layers: one row each.
  if (!history.length) for (const x of m.layers) out.push({ id: MISSING, created: m.created, createdBy: '', size: x.unpacked, comment: '', emptyLayer: false });
  out.reverse();
  if (out.length) out[0].id = m.configDigest;
  else out.push({ id: m.configDigest, created: m.created, createdBy: '', size: 0, comment: '', emptyLayer: true });
  return out;
}
