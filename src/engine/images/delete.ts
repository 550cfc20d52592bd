// Deleting images: rmi (untag, and delete with the last name) and prune (every untagged
// image, or every unused one). Names go first, under refs.json's short lock; the image
// record and the blobs and snapshots nothing else uses go after, under the store's
// exclusive lock, so that a load or pull in progress never loses content it has not
// named yet (additions.ts).
import { Conflict, NotFound } from '../errors.js';
import { familiarName } from './oci/reference.js';
import { findImage, listMetas, namesByManifest, readRefs, removeMeta, updateRefs, type ImageMeta } from './catalog.js';
import { hasSnapshot, removeSnapshot, snapshotInfo } from './snapshots.js';
import { BUSY, withStoreLock } from './storelock.js';
import { referenced } from './references.js';
import { sweep } from './gc.js';
import type { StoreParts } from './store-parts.js';

/** Names the container using an image (by id), if any. */
export type UsedBy = (imageId: string) => string | undefined;

/** rmi, with docker's refusals and `Untagged:`/`Deleted:` lines (see ImageStore.remove). */
export async function removeImage(s: StoreParts, ref: string, opts: { force?: boolean; usedBy?: UsedBy }): Promise<string[]> {
  const f = findImage(s.l, ref);
  if (!f) throw new NotFound(`No such image: ${ref}`);
  const id = f.meta.configDigest;
  const short = id.slice(7, 19);
  const names = namesByManifest(readRefs(s.l)).get(f.meta.manifestDigest) ?? [];
  const user = opts.usedBy?.(id);
  const lines: string[] = [];
  let untag: string[];
  if (f.name) {
    if (names.length > 1) {
      await updateRefs(s.native, s.l, (refs) => void delete refs[f.name!]);
      return [`Untagged: ${familiarName(f.name)}`];
    }
    if (user && !opts.force)
      throw new Conflict(`conflict: unable to remove repository reference "${ref}" (must force) - container ${user} is using its referenced image ${short}`);
    untag = [f.name];
  } else {
    if (names.length > 1 && !opts.force)
      throw new Conflict(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
    if (user && !opts.force) throw new Conflict(`conflict: unable to delete ${short} (must be forced) - image is being used by container ${user}`);
    untag = names;
  }
  await updateRefs(s.native, s.l, (refs) => {
    for (const n of untag) delete refs[n];
  });
  for (const n of untag) lines.push(`Untagged: ${familiarName(n)}`);
  // Another name may have been given to it meanwhile: then it stays.
  if (Object.values(readRefs(s.l)).includes(f.meta.manifestDigest)) return lines;
  await deleteImages(s, [f.meta]);
  lines.push(`Deleted: ${id}`);
  return lines;
}

/** image prune: untagged images (every unused one with `all`), then unreferenced content. */
export async function pruneImages(s: StoreParts, opts: { all?: boolean; usedBy?: UsedBy }): Promise<{ deleted: string[]; reclaimed: number }> {
  const named = namesByManifest(readRefs(s.l));
  const doomed = listMetas(s.l).filter((m) => !opts.usedBy?.(m.configDigest) && (opts.all || !named.has(m.manifestDigest)));
  const deleted: string[] = [];
  const untag = doomed.flatMap((m) => named.get(m.manifestDigest) ?? []);
  if (untag.length)
    await updateRefs(s.native, s.l, (r) => {
      for (const n of untag) delete r[n];
    });
  for (const n of untag) deleted.push(`untagged: ${familiarName(n)}`);
  let reclaimed = await deleteImages(s, doomed);
  for (const m of doomed) deleted.push(`deleted: ${m.configDigest}`);
  const swept = await sweep(s);
  if (swept !== BUSY) reclaimed += swept.freed;
  return { deleted, reclaimed };
}

/** Deletes image records, then the blobs and snapshots nothing else uses; returns bytes freed. */
async function deleteImages(s: StoreParts, metas: ImageMeta[]): Promise<number> {
  return (await withStoreLock(s.native, s.l.lock, 'ex', async () => {
    for (const m of metas) removeMeta(s.l, m.manifestDigest);
    const used = referenced(s);
    let freed = 0;
    for (const m of metas) {
      for (const b of [m.manifestDigest, m.configDigest, ...m.layers.map((x) => x.digest)]) {
        if (used.blobs.has(b) || !s.blobs.has(b)) continue;
        freed += s.blobs.size(b);
        s.blobs.remove(b);
      }
      for (const x of m.layers) {
        if (used.snapshots.has(x.chainId) || !hasSnapshot(s.l, x.chainId)) continue;
        freed += snapshotInfo(s.l, x.chainId)?.size ?? 0;
        removeSnapshot(s.l, s.native, x.chainId);
      }
    }
    return freed;
  })) as number;
}
