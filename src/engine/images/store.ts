// The image store, kept behind an interface that the OCI content store / applier /
// snapshotter of a later issue can implement. An image gives a container the lower
// layers of its overlay rootfs, extra mounts, and defaults for command and env.
import type { ImageInfo } from '../types.js';
import type { OciMount } from '../spec/defaults.js';

export interface ImageRootfs {
  /** Read-only lower directories of the container's overlay, top first. */
  lowerdirs: string[];
  /** Mounts the image needs on top (the host image binds the host's /usr, /etc…). */
  mounts: OciMount[];
  /** Command when the user gives none; null when the image has none. */
  cmd: string[] | null;
  env: string[];
  workdir: string;
}

export interface ImageStore {
  list(): Promise<ImageInfo[]>;
  /** Throws NotFound for an unknown image. */
  inspect(name: string): Promise<ImageInfo>;
  rootfs(name: string): Promise<ImageRootfs>;
  importTar(tarPath: string, name: string): Promise<ImageInfo>;
  remove(name: string): Promise<void>;
  /** Leftovers of interrupted imports; returns what was removed. */
  gc(): Promise<string[]>;
}

export const IMAGE_NAME_RE = /^[a-z0-9][a-z0-9_.\-/]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;
