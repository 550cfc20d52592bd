// The image and registry side of the engine's public surface (types.ts re-exports
// them): what `images`, `inspect`, `build`'s status, `pull` and `push` return.

export interface ImageInfo {
  /** How to refer to it: the short `repository:tag`, or the id when it has no tag. */
  name: string;
  /** docker's image id: `sha256:` + the config digest's hex. */
  id: string;
  created: string;
  /** Bytes of the unpacked layers. */
  size: number;
  /** 'builtin' for the host image, 'rootfs' for imported tarballs, 'oci' for layered images. */
  kind: 'builtin' | 'rootfs' | 'oci';
  /** Short repository and tag as `hutch images` prints them ('<none>' when untagged). */
  repository?: string;
  tag?: string;
  /** Manifest digest. */
  digest?: string;
  layers?: number;
  /** Bytes of layers this image shares with other images. */
  sharedSize?: number;
}

/** A build running now (`hutch build` in any process on this root), as its status file says. */
export interface BuildInfo {
  /** The building process, and its start time (clock ticks, field 22 of /proc/PID/stat). */
  pid: number;
  startTime: number;
  /** `-t` names as given; [] when untagged. */
  tags: string[];
  context: string;
  dockerfile: string;
  /** RFC 3339. */
  started: string;
  /** The step under way (1-based) and how many the build has. */
  step: number;
  steps: number;
  /** The step's line, e.g. "[2/6] RUN make" (without the "[n/m]" part, the dashboard adds it). */
  current: string;
  /** The stage the step belongs to, when it has a name. */
  stage?: string;
}

/** `image inspect`: docker's fields. */
export interface ImageDetail {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** docker's: '' (no local parent chain), the newest history entry's comment, '' (no docker built it). */
  Parent?: string;
  Comment?: string;
  Created: string;
  DockerVersion?: string;
  Author: string;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  GraphDriver?: { Name: string; Data: Record<string, string> | null };
  Config: {
    User: string;
    Env: string[];
    Entrypoint: string[] | null;
    Cmd: string[] | null;
    WorkingDir: string;
    ExposedPorts?: Record<string, object>;
    Labels: Record<string, string> | null;
    StopSignal?: string;
    Volumes?: Record<string, object>;
    /** As the image's config has them (HEALTHCHECK, SHELL, ONBUILD, ArgsEscaped): docker shows them. */
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
    Shell?: string[];
    OnBuild?: string[] | null;
    ArgsEscaped?: boolean;
  };
  RootFS: { Type: 'layers'; Layers: string[] };
  Metadata: { LastTagTime: string };
  /** hutch's own: manifest media type, layer blobs and where each is unpacked. */
  Manifest?: { MediaType: string; Digest: string; Layers: Array<{ Digest: string; MediaType: string; Size: number; ChainID: string }> };
}

/** One layer's (or blob's) state in a pull or push, for progress bars. */
export type TransferPhase = 'waiting' | 'downloading' | 'verifying' | 'downloaded' | 'extracting' | 'exists' | 'uploading' | 'done';

export interface TransferProgress {
  /** The blob's short id (12 hex digits of its digest), as docker prints it. */
  id: string;
  digest: string;
  phase: TransferPhase;
  /** Bytes done and expected in this phase (0/0 when it has no size). */
  current: number;
  total: number;
}

export interface RegistryOptions {
  /** Plain HTTP; allowed only for localhost, 127.0.0.1 and [::1] registries. */
  insecure?: boolean;
  onProgress?: (e: TransferProgress) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  image: ImageInfo;
  /** The full reference pulled, e.g. docker.io/library/busybox:latest. */
  reference: string;
  /** Digest of what the tag named (the index for a multi-platform image). */
  digest: string;
  /** Bytes fetched from the registry by this pull (less when resumed or cached). */
  downloaded: number;
  /** The name now names another image (image id) than before, or was not here: docker's
   * "Downloaded newer image" rather than "Image is up to date", blobs fetched or not. */
  updated: boolean;
}

export interface PushResult {
  reference: string;
  digest: string;
  /** Size of the manifest in bytes (docker prints it). */
  size: number;
  /** Bytes of blobs sent (blobs the registry had are skipped). */
  uploaded: number;
}
