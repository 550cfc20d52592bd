// The image store as the engine sees it. The light part (list, inspect, rootfs: what
// `run` needs) reads small JSON records; everything that hashes, unpacks or moves
// archives lives in service.ts and is loaded on first use.
import type { HealthConfig } from '../types.js';
import type { ImageDetail, ImageInfo } from '../types.js';
import type { OciMount } from '../spec/defaults.js';
import type { ImageService } from './service-api.js';
import type { Readable, Writable } from 'node:stream';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** Home directory from passwd, when the user has an entry. */
  home?: string;
}

export interface ImageRootfs {
  /** Read-only lower directories of the container's overlay, top first. */
  lowerdirs: string[];
  /** Layer snapshots: lowerdirs are linked from the bundle and mounted by relative
   * path, which keeps the overlay option under a page whatever the layer count. */
  layered?: boolean;
  /** Mounts the image needs on top (the host image binds the host's /usr, /etc…). */
  mounts: OciMount[];
  /** Paths the container must not see, added to the default masked paths (the host
   * image hides the host's secrets: host-secrets.ts). */
  maskedPaths?: string[];
  /** Command when the user gives none; null when the image has none. */
  cmd: string[] | null;
  entrypoint?: string[] | null;
  env: string[];
  workdir: string;
  /** The image's User ('' = root). */
  user?: string;
  /** ExposedPorts keys ("80/tcp"): what `-P` publishes. */
  exposedPorts?: string[];
  /** Image id (config digest); absent for the built-in host image. */
  id?: string;
  /** The image's HEALTHCHECK (docker's Config.Healthcheck). */
  healthcheck?: HealthConfig;
  /** Resolves a docker user spec (name, uid, uid:gid, name:group) against the image's
   * /etc/passwd and /etc/group, read from the layers without following links out;
   * `groupAdd` (--group-add) become more additional gids. */
  resolveUser(user: string, groupAdd?: readonly string[]): ResolvedUser;
}

export interface LoadProgress {
  layer: string;
  bytes: number;
  total: number;
}

export interface ImageStore {
  /** One entry per tag, plus one per untagged image; the host image first. */
  list(): Promise<ImageInfo[]>;
  /** Throws NotFound for an unknown image. */
  inspect(ref: string): Promise<ImageInfo>;
  /** docker image inspect's record. */
  inspectDetail(ref: string): Promise<ImageDetail>;
  /** `hide`: host paths of hutch's own (state root, credentials) an image that
   * exposes host directories must mask. */
  rootfs(ref: string, opts?: { hide?: readonly string[] }): Promise<ImageRootfs>;
  importTar(tarPath: string, name: string): Promise<ImageInfo>;
  tag(source: string, target: string): Promise<void>;
  /** rmi: untags, and deletes the image with its last tag. `usedBy(id)` names a container
   * using the image (refused unless forced). Returns docker's `Untagged:`/`Deleted:` lines. */
  remove(ref: string, opts: { force?: boolean; usedBy?: (imageId: string) => string | undefined }): Promise<string[]>;
  /** OCI archive of the images to a file (written beside it and renamed) or a stream. */
  save(refs: string[], out: string | Writable): Promise<void>;
  /** OCI, docker-save and gzip archives; returns `Loaded image: NAME` lines. */
  load(input: string | Readable, opts?: { onProgress?: (e: LoadProgress) => void }): Promise<string[]>;
  /** Removes untagged images (all unused ones with `all`) and unreferenced content. */
  prune(opts: { all?: boolean; usedBy?: (imageId: string) => string | undefined }): Promise<{ deleted: string[]; reclaimed: number }>;
  /** Leftovers of interrupted operations and unreferenced blobs and snapshots. */
  gc(): Promise<string[]>;
  /** The content store and registration API (pull and push build on it). */
  service(): Promise<ImageService>;
  /**
   * Runs fn under the store's shared lock (light: no hashing code loaded). `create`
   * holds it from rootfs() until the bundle links the layer snapshots, so that a
   * concurrent rmi -f, prune or gc cannot delete them in between.
   */
  lease<T>(fn: () => Promise<T>): Promise<T>;
}
