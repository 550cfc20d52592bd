// What a build reports while it runs: BuildKit's progress model (vertices with a
// name, CACHED or DONE with their time, and the output of RUN), for the CLI to draw
// as plain lines or a live view, and the dashboard's status file.
export type BuildEvent =
  /** A step (vertex) starts: `[2/6] RUN make`, `[internal] load .dockerignore`, `exporting to image`. */
  | { kind: 'step'; n: number; name: string }
  | { kind: 'cached'; n: number }
  | { kind: 'output'; n: number; stream: 'stdout' | 'stderr'; text: string }
  /** A line about the step (`writing image sha256:… done`). */
  | { kind: 'log'; n: number; text: string }
  | { kind: 'done'; n: number; ms: number }
  | { kind: 'error'; n: number; message: string }
  | { kind: 'warning'; text: string };

export interface BuildOptions {
  /** The context directory (the CLI unpacks a context tar given on stdin first). */
  contextDir: string;
  /** The Dockerfile's path; default <context>/Dockerfile. */
  dockerfile?: string;
  /** `-f -`: the Dockerfile's text (the name shown is "Dockerfile"). */
  dockerfileText?: string;
  tags?: string[];
  buildArgs?: ReadonlyMap<string, string>;
  target?: string;
  noCache?: boolean;
  /** Pull FROM images even when they are here. */
  pull?: boolean;
  /** RUN's network: bridge (the default), none or host. */
  network?: 'bridge' | 'none' | 'host';
  labels?: Record<string, string>;
  /** SOURCE_DATE_EPOCH: every time in the image is this one; builds are then byte-identical. */
  sourceDateEpoch?: number;
  onEvent?: (e: BuildEvent) => void;
  signal?: AbortSignal;
}

export interface BuildResult {
  /** The image id (config digest). */
  id: string;
  manifestDigest: string;
  tags: string[];
  /** Steps run / taken from the cache. */
  ran: number;
  cached: number;
}
