// The dashboard's state (kept in a Store outside React) and the pure functions
// that derive what the views show from it.
import type { BuildInfo, ContainerInfo, ImageInfo, NetworkInfo, TransferProgress, VolumeInfo } from '../engine/types.js';
import type { ContainerSample, HostInfo, HostSample } from '../engine/stats/types.js';
import type { ColumnName, DashboardConfig, SortKey } from './config.js';
import type { ViewName } from './keys.js';
import type { Theme } from './theme.js';
import type { ProcessInfo, RuntimeConfig } from '../engine/types.js';
import type { CpuReading } from './process-tree.js';
import type { PaneState } from './shell-pane.js';

/** The terminal's size in character cells. */
export interface Size {
  columns: number;
  rows: number;
}

export interface StatusMessage {
  text: string;
  level: 'info' | 'error';
  at: number;
  /** The view it was made in: it shows there only (not in the table after a logs search, say). */
  view?: ViewName;
}

/** The status message the view `st.view` shows: one made in another view stays there. */
export function shownStatus(st: Pick<UiState, 'status' | 'view'>): StatusMessage | undefined {
  const s = st.status;
  return s && (s.view === undefined || s.view === st.view) ? s : undefined;
}

export interface Prompt {
  kind: 'filter' | 'search' | 'pull' | 'saveLogs' | 'networkName' | 'networkSubnet' | 'volumeName';
  value: string;
  /** networkSubnet: the name typed at the first step. */
  network?: string;
}

export interface ConfirmDialog {
  kind: 'confirm';
  question: string;
  onYes: () => void;
  /** `n`: a second choice (the shell pane's detach); absent: n cancels as any other key. */
  onNo?: () => void;
}

export const FORM_FIELDS = ['image', 'name', 'command', 'memory', 'cpus', 'network', 'ports', 'volumes', 'detach'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export interface FormDialog {
  kind: 'form';
  values: Record<Exclude<FormField, 'detach'>, string> & { detach: boolean };
  focus: number;
  error?: string;
}

/** The signals the detail view's menu offers, in its order. */
export const MENU_SIGNALS = ['TERM', 'KILL', 'HUP', 'INT', 'USR1', 'USR2', 'STOP', 'CONT'] as const;

/** The signal menu for one process of the detail view's container. */
export interface SignalDialog {
  kind: 'signal';
  id: string;
  pid: number;
  cmd: string;
  /** Index in MENU_SIGNALS. */
  index: number;
}

export type Dialog = ConfirmDialog | FormDialog | SignalDialog;

/** A pull in flight: the reference and each layer's last progress event, in the order first seen. */
export interface PullProgress {
  ref: string;
  started: number;
  layers: readonly TransferProgress[];
}

export interface LogEntry {
  seq: number;
  /** Container id and name (the name prefixes merged logs). */
  cid: string;
  name: string;
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LogsState {
  ids: string[];
  merged: boolean;
  /** The containers' names, as `ids` (merged logs give the name column their widest). */
  names: string[];
  title: string;
  lines: LogEntry[];
  /** Lines dropped from the front to keep memory bounded. */
  dropped: number;
  follow: boolean;
  /** Index of the first visible line when not following. */
  top: number;
  search: string;
  /** Index in `lines` of the current match, -1 when none. */
  match: number;
  /** Each line led by its time. */
  timestamps: boolean;
  /** Long lines wrap onto more rows; else they are cut at the width, shifted by `left`. */
  wrap: boolean;
  /** Columns cut off the left of every line when not wrapping. */
  left: number;
  error?: string;
}

export interface DetailState {
  id: string;
  procs: ProcessInfo[];
  procsError?: string;
  bundle?: RuntimeConfig;
  /** The selected process, by pid (it keeps its row as others come and go), and its row. */
  procPid?: number;
  procIndex: number;
  /** pid → CPU % between the last two reads of the processes. */
  cpu: ReadonlyMap<number, number>;
  /** The last read's CPU times, for the next read's CPU %. */
  lastRead?: CpuReading;
  /** The raw inspect, when open (`I`): it takes the detail view's place until Esc. */
  inspect?: InspectState;
}

/** The raw `inspect` of a container, as `hutch inspect` prints it. */
export interface InspectState {
  id: string;
  name: string;
  lines: string[];
  top: number;
  error?: string;
}

export interface UiState {
  now: number;
  /** The first list from the engine has arrived. */
  loaded: boolean;
  containers: ContainerInfo[];
  listError?: string;
  samples: ReadonlyMap<string, ContainerSample>;
  /** Bumped on every sweep of the sampler (charts re-read the history). */
  sampleSeq: number;
  host?: HostSample;
  hostInfo?: HostInfo;
  view: ViewName;
  /** Where Esc goes from help. */
  previousView: ViewName;
  selected?: string;
  sort: { key: SortKey; desc: boolean };
  filter: string;
  showAll: boolean;
  marked: ReadonlySet<string>;
  /** Containers with an action in flight: id → verb ("stopping"). */
  busy: ReadonlyMap<string, string>;
  /** Other machines (`--host`) whose stream is down: their rows show their last figures, greyed. */
  hostsDown: ReadonlySet<string>;
  prompt?: Prompt;
  dialog?: Dialog;
  /** The shell pane (`E`) beside or below its container's detail view. */
  pane?: PaneState;
  status?: StatusMessage;
  images: ImageInfo[];
  imageIndex: number;
  imagesError?: string;
  /** Builds running on this root (any process), read with the images; shown above them. */
  builds: BuildInfo[];
  buildsError?: string;
  networks: NetworkInfo[];
  networkIndex: number;
  networksError?: string;
  volumes: VolumeInfo[];
  volumeIndex: number;
  volumesError?: string;
  /** Pulls in flight (they go on while the user is in other views). */
  pulls: readonly PullProgress[];
  logs?: LogsState;
  detail?: DetailState;
  helpTop: number;
  theme: Theme;
  columns: ColumnName[];
  /** The screen's size (App sets it as the terminal changes): paging and scrolling follow it. */
  size: Size;
}

export function initialState(config: DashboardConfig, theme: Theme, now: number): UiState {
  return {
    now,
    loaded: false,
    containers: [],
    samples: new Map(),
    sampleSeq: 0,
    view: 'containers',
    previousView: 'containers',
    sort: config.sort,
    filter: '',
    showAll: config.showAll,
    marked: new Set(),
    busy: new Map(),
    hostsDown: new Set(),
    images: [],
    imageIndex: 0,
    builds: [],
    networks: [],
    networkIndex: 0,
    volumes: [],
    volumeIndex: 0,
    pulls: [],
    helpTop: 0,
    theme,
    columns: config.columns,
    size: { columns: 80, rows: 24 },
  };
}

/** Rows between the header and the status line and key footer (screen.ts draws the view there). */
export function bodyRows(size: Size): number {
  return Math.max(1, size.rows - 1) - 3;
}

/** Rows of lines the view shows (paging and scrolling move by it): the body less the view's own headings. */
export function pageRows(st: Pick<UiState, 'view' | 'size'> & { detail?: Pick<DetailState, 'inspect'> }): number {
  const body = bodyRows(st.size);
  const headings = st.view === 'help' ? 0 : st.view === 'images' || st.view === 'networks' || st.view === 'volumes' ? 2 : 1;
  if (st.view === 'detail') return st.detail?.inspect ? body - 1 : detailProcRows(st.size);
  return Math.max(1, body - headings);
}

/** Rows of the detail view's process list (paging moves by it): what is left under the charts, less its two headings. */
export function detailProcRows(size: Size): number {
  return Math.max(1, Math.floor(bodyRows(size) / 3) - 2);
}

/** "12/104": where the selection is in a list longer than the rows it has; '' when it all fits. */
export function position(index: number, count: number, rows: number): string {
  return count > rows && index >= 0 ? `${index + 1}/${count}` : '';
}

const STATE_ORDER: Record<string, number> = { running: 0, created: 1, exited: 2 };

export function sortValue(c: ContainerInfo, key: SortKey, samples: ReadonlyMap<string, ContainerSample>): number | string {
  const s = samples.get(c.id);
  // Figures: a running container without a sample yet counts as 0, any other as
  // less than that (exited ones go last when the busiest come first).
  const running = c.status === 'running';
  const figure = (v: number | undefined) => (running ? (v ?? 0) : -1);
  switch (key) {
    case 'name':
      return c.name;
    case 'id':
      return c.id;
    case 'image':
      return c.image;
    case 'state':
      return STATE_ORDER[c.status] ?? 3;
    case 'cpu':
      return figure(s?.cpuPercent);
    case 'mem':
      return figure(s?.memUsage);
    case 'pids':
      return figure(s?.pids);
    case 'net':
      return figure(s ? s.netRx + s.netTx : undefined);
    case 'created':
      return Date.parse(c.created) || 0;
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Names in natural order: the numbers in them compare as numbers (tx-2 before tx-10). */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The rows of the containers table: filtered, exited ones hidden unless showAll, sorted. */
export function visibleContainers(
  st: Pick<UiState, 'containers' | 'samples' | 'sort' | 'filter' | 'showAll'>,
): ContainerInfo[] {
  const f = st.filter.toLowerCase();
  const rows = st.containers.filter((c) => {
    if (!st.showAll && c.status === 'exited') return false;
    if (!f) return true;
    return (
      c.name.toLowerCase().includes(f) ||
      c.image.toLowerCase().includes(f) ||
      (c.engine ?? '').startsWith(f) ||
      c.id.startsWith(f) ||
      c.status.startsWith(f)
    );
  });
  const { key, desc } = st.sort;
  const dir = desc ? -1 : 1;
  return rows.sort((a, b) => {
    // Other machines' containers (`--host`) come after this one's, a group per host.
    if (a.host !== b.host) return a.host === undefined ? -1 : b.host === undefined ? 1 : naturalCompare(a.host, b.host);
    // Other engines' containers (read-only) are a group of their own, after hutch's.
    if (!a.engine !== !b.engine) return a.engine ? 1 : -1;
    const va = sortValue(a, key, st.samples);
    const vb = sortValue(b, key, st.samples);
    let d = typeof va === 'string' && typeof vb === 'string' ? naturalCompare(va, vb) : (va as number) - (vb as number);
    if (d === 0 && key !== 'name') d = naturalCompare(a.name, b.name) * dir;
    return d * dir;
  });
}

/** Sort keys that read the samples (the others depend on the list alone). */
const SAMPLE_KEYS: ReadonlySet<SortKey> = new Set<SortKey>(['cpu', 'mem', 'pids', 'net']);

/** Memoises visibleContainers on the inputs it reads: a stats sweep re-sorts only when the sort is by a figure. */
export function memoVisible(): (st: UiState) => ContainerInfo[] {
  let last: { c: unknown; s: unknown; o: unknown; f: string; a: boolean; r: ContainerInfo[] } | undefined;
  return (st) => {
    const samples = SAMPLE_KEYS.has(st.sort.key) ? st.samples : undefined;
    if (last && last.c === st.containers && last.s === samples && last.o === st.sort && last.f === st.filter && last.a === st.showAll) {
      return last.r;
    }
    const r = visibleContainers(st);
    last = { c: st.containers, s: samples, o: st.sort, f: st.filter, a: st.showAll, r };
    return r;
  };
}
