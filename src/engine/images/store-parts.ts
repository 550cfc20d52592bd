// What every heavy image operation works on: the store's paths, the addon calls it
// mounts, locks and deletes with, the content store, and the containers directory
// (whose bundles keep layer snapshots in use). A type of its own so that the files
// of register, import, delete and gc depend on these parts, not on the facade class
// (service.ts) that owns them.
import type { FsBlobStore } from './content/blobs.js';
import type { Layout } from './layout.js';
import type { StoreNative } from './local.js';

export interface StoreParts {
  readonly l: Layout;
  readonly native: StoreNative;
  readonly blobs: FsBlobStore;
  readonly containersDir: string;
}
