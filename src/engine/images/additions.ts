// Adding content: load, import, pull and register hold the store's lock shared for
// their whole run, so that rmi, prune and gc (exclusive) never delete a blob or
// snapshot written but not yet named. An operation records what it added; whatever of
// that no image uses afterwards is deleted again, so bad input leaves nothing behind.
import { sha256 } from './oci/hash.js';
import { ensureStoreDir } from './layout.js';
import { removeSnapshot } from './snapshots.js';
import { withStoreLock } from './storelock.js';
import { referenced } from './references.js';
import type { StoreParts } from './store-parts.js';

/** What an operation added, so a failed one can take it back. */
export interface Added {
  blobs: Set<string>;
  snapshots: Set<string>;
}

/** Runs fn under the store's shared lock (see service-api.ts). */
export async function lease<T>(s: StoreParts, fn: () => Promise<T>): Promise<T> {
  ensureStoreDir(s.l.dir);
  return (await withStoreLock(s.native, s.l.lock, 'sh', fn)) as T;
}

/**
 * Runs an operation that adds content under the shared lock. Afterwards, whatever it
 * added that no image uses is deleted again: all of it when it failed (bad input
 * leaves nothing behind), blobs of other platforms or stray files when it succeeded.
 */
export async function adding<T>(s: StoreParts, fn: (added: Added) => Promise<T>): Promise<T> {
  const added: Added = { blobs: new Set(), snapshots: new Set() };
  try {
    return await lease(s, () => fn(added));
  } finally {
    if (added.blobs.size || added.snapshots.size)
      await withStoreLock(s.native, s.l.lock, 'ex', async () => {
        const used = referenced(s);
        for (const b of added.blobs) if (!used.blobs.has(b)) s.blobs.remove(b);
        for (const c of added.snapshots) if (!used.snapshots.has(c)) removeSnapshot(s.l, s.native, c);
      }, { tryOnly: true }); // another add is running: gc takes what is left later
  }
}

/** Stores bytes as a blob, remembering it in `added` when it is new. */
export async function putBlob(s: StoreParts, data: Buffer, added: Added): Promise<string> {
  const d = sha256(data);
  const fresh = !s.blobs.has(d);
  await s.blobs.putBytes(data, d);
  if (fresh) added.blobs.add(d);
  return d;
}
