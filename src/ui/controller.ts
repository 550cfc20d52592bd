// Everything the dashboard does: polling the engine, taking the sampler's
// samples into the store, turning keys into actions, running actions and putting
// their outcome (or error) in the status line. No React here: components only
// read the store and forward keys, so this is tested with a fake engine directly.
import type { ContainerInfo, ContainerSpec, EngineApi } from '../engine/types.js';
import type { History, StatsSource } from '../engine/stats/types.js';
import { parseBytes } from '../engine/units.js';
import type { ColumnName, DashboardConfig, SortKey } from './config.js';
import { createKeymap, keyName, type Action, type KeyEvent, type ViewName } from './keys.js';
import { FORM_FIELDS, memoVisible, type FormDialog, type LogEntry, type LogsState, type UiState } from './state.js';
import { Store } from './store.js';
import { themeCycle, type Theme } from './theme.js';
import { shortId } from './format.js';
import { processSignals } from '../engine/signals.js';
import { ImageActions } from './image-actions.js';

/** Runs `task` with the terminal handed over (Ink unmounted, normal screen, cooked mode). */
export type Handoff = (banner: string, task: () => Promise<void>) => Promise<void>;

export interface ControllerDeps {
  engine: EngineApi;
  stats: StatsSource;
  config: DashboardConfig;
  theme: Theme;
  intervalMs: number;
  handoff: Handoff;
  quit: () => void;
  now?: () => number;
}

/** The shell for `e`: bash when the container has it, else sh. */
export const SHELL_ARGV = ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

/** The demo set (`D`): a busy CPU loop, a slowly growing memory, an idle process. */
export const DEMO: ContainerSpec[] = [
  { image: 'host', name: 'demo-cpu', cpus: 1, cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do :; done"] },
  {
    image: 'host',
    name: 'demo-mem',
    memory: 256 * 1024 * 1024,
    // Adds 1 MiB a second up to 160 MiB, then lets go and starts again.
    cmd: [
      'sh',
      '-c',
      "trap 'exit 0' TERM; awk 'BEGIN { s = \"x\"; for (k = 0; k < 20; k++) s = s s; " +
        "while (1) { a[n++] = s n; if (n >= 160) { delete a; n = 0 }; system(\"sleep 1\") } }' & wait",
    ],
  },
  { image: 'host', name: 'demo-idle', cmd: ['sh', '-c', "trap 'exit 0' TERM; sleep infinity & wait"] },
];

const EMPTY_HISTORY: History = { cpu: [], mem: [] };
const MAX_LOG_LINES = 10_000;
const LOG_TAIL = 1000;
const INFO_TTL_MS = 6000;
const ERROR_TTL_MS = 20_000;

const SORTABLE: Partial<Record<ColumnName, SortKey>> = {
  name: 'name', id: 'id', image: 'image', state: 'state', cpu: 'cpu', spark: 'cpu', mem: 'mem', memPct: 'mem', pids: 'pids', net: 'net',
};

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/**
 * During a hand-off the container's monitor (in a session of its own) hears the
 * terminal only through us: Ctrl-C without a tty, and window resizes.
 */
async function relaying<T>(task: (signals: ReturnType<typeof processSignals>) => Promise<T>): Promise<T> {
  const signals = processSignals(['SIGINT', 'SIGWINCH']);
  try {
    return await task(signals);
  } finally {
    signals.close();
  }
}

/** Splits a command line like a shell would for the simple cases: spaces, quotes, backslashes. */
export function splitCommand(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (has || cur) out.push(cur);
  return out;
}

export class Controller {
  readonly store: Store<UiState>;
  readonly visible = memoVisible();
  readonly keymap: (view: ViewName, key: string) => Action | undefined;
  /** Pull and remove in the images view. */
  readonly imageActions: ImageActions;
  /** Rows the current view shows (set by the view on render): paging and scrolling use it. */
  pageRows = 10;
  private readonly deps: ControllerDeps;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private refreshing = false;
  private selectedIndexHint = 0;
  private themes?: Theme[];
  private logsAbort?: AbortController;
  private pendingLogs: LogEntry[] = [];
  private logsFlush?: NodeJS.Timeout;
  private logSeq = 0;
  private stopped = false;

  constructor(deps: ControllerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.keymap = createKeymap(deps.config.keys);
    this.store = new Store<UiState>({
      now: this.now(),
      loaded: false,
      containers: [],
      samples: new Map(),
      sampleSeq: 0,
      view: 'containers',
      previousView: 'containers',
      sort: deps.config.sort,
      filter: '',
      showAll: deps.config.showAll,
      marked: new Set(),
      busy: new Map(),
      images: [],
      imageIndex: 0,
      pulls: [],
      helpTop: 0,
      theme: deps.theme,
      columns: deps.config.columns,
    });
    this.imageActions = new ImageActions({
      store: this.store,
      engine: deps.engine,
      info: (t) => this.info(t),
      error: (t) => this.error(t),
      refreshImages: () => this.refreshImages(),
      now: this.now,
    });
  }

  get bindings() {
    return this.deps.config.keys;
  }

  /** The sampler's history of a container (empty when it has none). */
  history(id: string): History {
    try {
      return this.deps.stats.history(id) ?? EMPTY_HISTORY;
    } catch {
      return EMPTY_HISTORY;
    }
  }

  /** The last `n` CPU samples of a container (a table row's sparkline). */
  cpuTail(id: string, n: number): readonly number[] {
    try {
      const { stats } = this.deps;
      return stats.cpuTail ? stats.cpuTail(id, n) : this.history(id).cpu.slice(-n);
    } catch {
      return [];
    }
  }

  // ---- lifecycle -------------------------------------------------------------

  start(): void {
    const { stats, intervalMs } = this.deps;
    // Each sweep brings the container list it read: the table follows it, so the
    // list is not read a second time per interval.
    this.unsubscribe = stats.onSample((samples, host, containers) => {
      // The sweep's own map: a source hands over a new one each sweep and never changes it.
      this.store.set((s) => ({ samples, host, sampleSeq: s.sampleSeq + 1, now: this.now(), ...this.listPatch(s, containers) }));
    });
    try {
      stats.start(intervalMs);
    } catch (e) {
      this.error(`stats: ${message(e)}`);
    }
    stats.hostInfo().then(
      (hostInfo) => this.store.set({ hostInfo }),
      () => {},
    );
    void this.refresh();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    try {
      this.deps.stats.stop();
    } catch {
      // best effort
    }
    this.closeLogs();
    this.imageActions.stop();
  }

  private tick(): void {
    const st = this.store.get();
    const now = this.now();
    // The clock and the list move with each stats sample (one redraw per
    // interval); tick only steps in when samples stopped coming.
    const samplesStopped = now - st.now > 2 * this.deps.intervalMs;
    const patch: Partial<UiState> = samplesStopped ? { now } : {};
    if (st.status) {
      const ttl = st.status.level === 'error' ? ERROR_TTL_MS : INFO_TTL_MS;
      if (now - st.status.at > ttl) patch.status = undefined;
    }
    this.store.set(patch);
    if (samplesStopped) void this.refresh();
    if (st.view === 'detail') void this.loadProcs();
    if (st.view === 'images') void this.refreshImages();
  }

  /** An unchanged list (the usual case) keeps the old array, so nothing redraws. */
  private listPatch(s: UiState, containers: ContainerInfo[]): Partial<UiState> {
    if (s.loaded && !s.listError && sameList(s.containers, containers)) return {};
    return { containers, loaded: true, listError: undefined, marked: pruneSet(s.marked, containers) };
  }

  /** Re-reads the container list (also after every action). */
  async refresh(): Promise<void> {
    if (this.refreshing || this.stopped) return;
    this.refreshing = true;
    try {
      const containers = await this.deps.engine.list({ all: true });
      this.store.set((s) => this.listPatch(s, containers));
    } catch (e) {
      this.store.set({ listError: message(e), loaded: true });
    } finally {
      this.refreshing = false;
    }
  }

  async refreshImages(): Promise<void> {
    try {
      const images = await this.deps.engine.images();
      this.store.set((s) => ({ images, imagesError: undefined, imageIndex: Math.min(s.imageIndex, Math.max(0, images.length - 1)) }));
    } catch (e) {
      this.store.set({ imagesError: message(e) });
    }
  }

  // ---- status line -------------------------------------------------------------

  info(text: string): void {
    this.store.set({ status: { text, level: 'info', at: this.now() } });
  }

  error(text: string): void {
    this.store.set({ status: { text, level: 'error', at: this.now() } });
  }

  // ---- selection ---------------------------------------------------------------

  /** The selected row's index in the visible list (the id wins; else the last index). */
  selectedIndex(st: UiState = this.store.get()): number {
    const rows = this.visible(st);
    if (rows.length === 0) return -1;
    const i = st.selected ? rows.findIndex((c) => c.id === st.selected) : -1;
    if (i >= 0) return i;
    return Math.min(this.selectedIndexHint, rows.length - 1);
  }

  selectedContainer(st: UiState = this.store.get()): ContainerInfo | undefined {
    const i = this.selectedIndex(st);
    return i < 0 ? undefined : this.visible(st)[i];
  }

  private select(index: number): void {
    const rows = this.visible(this.store.get());
    if (rows.length === 0) return;
    const i = Math.max(0, Math.min(rows.length - 1, index));
    this.selectedIndexHint = i;
    this.store.set({ selected: rows[i].id });
  }

  /** The containers an action applies to: the marked ones, else the selected (or detail) one. */
  targets(): ContainerInfo[] {
    const st = this.store.get();
    if (st.view === 'detail' && st.detail) {
      const c = st.containers.find((x) => x.id === st.detail!.id);
      return c ? [c] : [];
    }
    if (st.marked.size > 0) return st.containers.filter((c) => st.marked.has(c.id));
    const c = this.selectedContainer(st);
    return c ? [c] : [];
  }

  // ---- keys --------------------------------------------------------------------

  handleKey(input: string, key: KeyEvent): void {
    try {
      // Ink hands over a paste (or keys typed faster than it reads) as one string:
      // outside a text field each character is a key of its own.
      const chars = Array.from(input);
      const st = this.store.get();
      const textField = st.prompt || st.dialog?.kind === 'form';
      if (chars.length > 1 && !textField && !key.ctrl && !key.meta && isPrintable(input)) {
        for (const ch of chars) this.dispatchKey(ch, {});
        return;
      }
      // Esc followed quickly by a key reads as Alt+key: take it as the two keys.
      if (key.meta && !key.ctrl && chars.length === 1 && isPrintable(input)) {
        this.dispatchKey('', { escape: true });
        this.dispatchKey(input, {});
        return;
      }
      this.dispatchKey(input, key);
    } catch (e) {
      this.error(message(e));
    }
  }

  private dispatchKey(input: string, key: KeyEvent): void {
    const name = keyName(input, key);
    if (name === 'ctrl+c') return this.deps.quit();
    const st = this.store.get();
    if (st.dialog?.kind === 'confirm') {
      const { onYes } = st.dialog;
      this.store.set({ dialog: undefined });
      if (input === 'y' || input === 'Y') onYes();
      else this.info('cancelled');
      return;
    }
    if (st.dialog?.kind === 'form') return this.formKey(input, name, key);
    if (st.prompt) return this.promptKey(input, name, key);
    if (st.view === 'containers' && /^[1-9]$/.test(input)) return this.sortByColumn(Number(input) - 1);
    const action = this.keymap(st.view, name);
    if (action) this.run(action);
  }

  run(action: Action): void {
    const st = this.store.get();
    switch (action) {
      case 'quit':
        return this.deps.quit();
      case 'help':
        if (st.view === 'help') this.store.set({ view: st.previousView });
        else this.store.set({ view: 'help', previousView: st.view, helpTop: 0 });
        return;
      case 'theme':
        return this.nextTheme();
      case 'up':
        return this.move(-1);
      case 'down':
        return this.move(1);
      case 'pageUp':
        return this.move(-Math.max(1, this.pageRows - 1));
      case 'pageDown':
        return this.move(Math.max(1, this.pageRows - 1));
      case 'top':
        return this.move(-Infinity);
      case 'bottom':
        return this.move(Infinity);
      case 'back':
        return this.back();
      case 'open': {
        const c = this.selectedContainer();
        if (c) this.openDetail(c.id);
        return;
      }
      case 'mark':
        return this.toggleMark();
      case 'unmarkAll':
        this.store.set({ marked: new Set() });
        return;
      case 'filter':
        this.store.set({ prompt: { kind: 'filter', value: st.filter } });
        return;
      case 'showAll':
        this.store.set({ showAll: !st.showAll });
        this.info(st.showAll ? 'hiding exited containers' : 'showing exited containers');
        return;
      case 'sortNext':
        return this.cycleSort(1);
      case 'sortPrev':
        return this.cycleSort(-1);
      case 'images':
        this.store.set({ view: 'images' });
        void this.refreshImages();
        return;
      case 'create':
        this.store.set({
          dialog: { kind: 'form', focus: 0, values: { image: 'host', name: '', command: '', memory: '', cpus: '', detach: true } },
        });
        return;
      case 'demo':
        void this.startDemo();
        return;
      case 'logs': {
        const [c] = this.targetsForOne();
        if (c) this.openLogs([c], false);
        return;
      }
      case 'mergedLogs': {
        const list = st.marked.size > 0 ? st.containers.filter((c) => st.marked.has(c.id)) : this.visible(st);
        if (list.length === 0) this.error('no containers to show logs of');
        else this.openLogs(list, true);
        return;
      }
      case 'exec': {
        const [c] = this.targetsForOne();
        if (c) void this.execShell(c);
        return;
      }
      case 'start':
      case 'stop':
      case 'restart':
      case 'kill':
        void this.bulk(action, this.targets());
        return;
      case 'remove':
        return this.confirmRemove();
      case 'follow':
        return this.toggleFollow();
      case 'search':
        this.store.set({ prompt: { kind: 'search', value: '' } });
        return;
      case 'nextMatch':
        return this.findMatch(1);
      case 'prevMatch':
        return this.findMatch(-1);
      case 'removeImage':
        return this.imageActions.confirmRemove();
      case 'pullImage':
        this.store.set({ prompt: { kind: 'pull', value: '' } });
        return;
      case 'cancelPull':
        return this.imageActions.cancelPull();
    }
  }

  /** For one-container actions (logs, shell): the selected or detail container, ignoring marks. */
  private targetsForOne(): ContainerInfo[] {
    const st = this.store.get();
    if (st.view === 'detail' && st.detail) return st.containers.filter((c) => c.id === st.detail!.id);
    const c = this.selectedContainer(st);
    if (!c) this.error('no container selected');
    return c ? [c] : [];
  }

  private move(delta: number): void {
    const st = this.store.get();
    switch (st.view) {
      case 'containers':
        return this.select(Number.isFinite(delta) ? this.selectedIndex(st) + delta : delta < 0 ? 0 : Infinity);
      case 'images': {
        const n = st.images.length;
        const i = Number.isFinite(delta) ? st.imageIndex + delta : delta < 0 ? 0 : n - 1;
        this.store.set({ imageIndex: Math.max(0, Math.min(n - 1, i)) });
        return;
      }
      case 'logs':
        return this.scrollLogs(delta);
      case 'help': {
        const top = Number.isFinite(delta) ? st.helpTop + delta : delta < 0 ? 0 : 1e9;
        this.store.set({ helpTop: Math.max(0, top) });
        return;
      }
      case 'detail':
        return;
    }
  }

  private back(): void {
    const st = this.store.get();
    switch (st.view) {
      case 'help':
        this.store.set({ view: st.previousView });
        return;
      case 'logs':
        this.closeLogs();
        this.store.set({ view: 'containers', logs: undefined });
        return;
      case 'detail':
      case 'images':
        this.store.set({ view: 'containers', detail: undefined });
        return;
      case 'containers':
        if (st.filter) this.store.set({ filter: '' });
        else if (st.marked.size > 0) this.store.set({ marked: new Set() });
        return;
    }
  }

  private toggleMark(): void {
    const st = this.store.get();
    const c = this.selectedContainer(st);
    if (!c) return;
    const marked = new Set(st.marked);
    if (marked.has(c.id)) marked.delete(c.id);
    else marked.add(c.id);
    this.store.set({ marked });
    this.move(1);
  }

  private nextTheme(): void {
    const st = this.store.get();
    try {
      this.themes ??= themeCycle(this.deps.theme);
      const i = this.themes.findIndex((t) => t.source === st.theme.source);
      const theme = this.themes[(i + 1) % this.themes.length];
      this.store.set({ theme });
      this.info(`theme: ${theme.name}`);
    } catch (e) {
      this.error(message(e));
    }
  }

  // ---- sorting -----------------------------------------------------------------

  /** Sort keys in the order of the columns shown. */
  sortKeys(): SortKey[] {
    const keys: SortKey[] = [];
    for (const c of this.store.get().columns) {
      const k = SORTABLE[c];
      if (k && !keys.includes(k)) keys.push(k);
    }
    return keys;
  }

  private setSort(key: SortKey, desc?: boolean): void {
    const st = this.store.get();
    const sameKey = st.sort.key === key;
    // Numbers read best largest first; names A→Z.
    const d = desc ?? (sameKey ? !st.sort.desc : ['cpu', 'mem', 'pids', 'net'].includes(key));
    this.store.set({ sort: { key, desc: d } });
    this.info(`sorted by ${key}${d ? ', descending' : ''}`);
  }

  private sortByColumn(n: number): void {
    const cols = this.store.get().columns;
    if (n >= cols.length) return;
    const key = SORTABLE[cols[n]];
    if (key) this.setSort(key);
  }

  private cycleSort(dir: number): void {
    const keys = this.sortKeys();
    if (keys.length === 0) return;
    const i = keys.indexOf(this.store.get().sort.key);
    const key = keys[(i + dir + keys.length) % keys.length];
    this.setSort(key, ['cpu', 'mem', 'pids', 'net'].includes(key));
  }

  // ---- prompts (filter, search) ---------------------------------------------------

  private promptKey(input: string, name: string, key: KeyEvent): void {
    const st = this.store.get();
    const p = st.prompt!;
    if (name === 'escape') {
      this.store.set(p.kind === 'filter' ? { prompt: undefined, filter: '' } : { prompt: undefined });
      return;
    }
    if (name === 'enter') {
      this.store.set({ prompt: undefined });
      if (p.kind === 'search') this.commitSearch(p.value);
      if (p.kind === 'pull') this.imageActions.pull(p.value);
      return;
    }
    let value = p.value;
    if (name === 'backspace') value = Array.from(value).slice(0, -1).join('');
    else if (input && !key.ctrl && !key.meta && !name.startsWith('ctrl+') && isPrintable(input)) value += input;
    else return;
    this.store.set(p.kind === 'filter' ? { prompt: { ...p, value }, filter: value } : { prompt: { ...p, value } });
  }

  // ---- container actions -----------------------------------------------------------

  private async bulk(verb: 'start' | 'stop' | 'restart' | 'kill' | 'remove', list: ContainerInfo[]): Promise<void> {
    if (list.length === 0) {
      this.error('no container selected');
      return;
    }
    const { engine, config } = this.deps;
    const ing: Record<string, string> = { start: 'starting', stop: 'stopping', restart: 'restarting', kill: 'killing', remove: 'removing' };
    const past: Record<string, string> = { start: 'started', stop: 'stopped', restart: 'restarted', kill: 'killed', remove: 'removed' };
    this.store.set((s) => {
      const busy = new Map(s.busy);
      for (const c of list) busy.set(c.id, ing[verb]);
      return { busy };
    });
    const names = list.map((c) => c.name);
    this.info(`${ing[verb]} ${names.join(', ')}…`);
    const failures: string[] = [];
    await Promise.all(
      list.map(async (c) => {
        try {
          if (verb === 'start') await engine.start(c.id);
          else if (verb === 'stop') await engine.stop(c.id, config.stopTimeout);
          else if (verb === 'restart') await engine.restart(c.id, config.stopTimeout);
          else if (verb === 'kill') await engine.kill(c.id, 'KILL');
          else await engine.remove(c.id, { force: true });
        } catch (e) {
          failures.push(list.length > 1 ? `${c.name}: ${message(e)}` : message(e));
        } finally {
          this.store.set((s) => {
            const busy = new Map(s.busy);
            busy.delete(c.id);
            return { busy };
          });
        }
      }),
    );
    if (verb === 'remove') {
      this.store.set((s) => {
        const marked = new Set(s.marked);
        for (const c of list) marked.delete(c.id);
        return { marked };
      });
    }
    if (failures.length > 0) this.error(`${verb} ${list.length > 1 ? 'failed' : names[0]}: ${failures.join('; ')}`);
    else this.info(`${past[verb]} ${names.join(', ')}`);
    if (verb === 'remove' && this.store.get().view === 'detail') this.store.set({ view: 'containers', detail: undefined });
    await this.refresh();
  }

  private confirmRemove(): void {
    const list = this.targets();
    if (list.length === 0) return this.error('no container selected');
    const running = list.filter((c) => c.status === 'running').length;
    const what = list.length === 1 ? list[0].name : `${list.length} containers (${list.map((c) => c.name).join(', ')})`;
    this.store.set({
      dialog: {
        kind: 'confirm',
        question: `Delete ${what}${running ? `, stopping ${running === 1 && list.length === 1 ? 'it' : `${running} running`}` : ''}? y/N`,
        onYes: () => void this.bulk('remove', list),
      },
    });
  }

  async execShell(c: ContainerInfo): Promise<void> {
    if (c.status !== 'running') {
      this.error(`${c.name} is not running (s starts it)`);
      return;
    }
    let code = 0;
    try {
      await this.deps.handoff(`hutch: shell in ${c.name} (${shortId(c.id)}); type exit to return to the dashboard`, async () => {
        code = await relaying((signals) => this.deps.engine.exec(c.id, SHELL_ARGV, { tty: true, interactive: true, signals }));
      });
      this.info(`shell in ${c.name} exited${code ? ` with status ${code}` : ''}`);
    } catch (e) {
      this.error(`shell in ${c.name}: ${message(e)}`);
    }
    void this.refresh();
  }

  async startDemo(): Promise<void> {
    const { engine } = this.deps;
    const existing = new Map(this.store.get().containers.map((c) => [c.name, c]));
    const started: string[] = [];
    const failures: string[] = [];
    this.info('starting the demo containers…');
    for (const spec of DEMO) {
      try {
        const c = existing.get(spec.name!);
        if (c?.status === 'running') continue;
        const id = c ? c.id : (await engine.create(spec)).id;
        await engine.start(id);
        started.push(spec.name!);
      } catch (e) {
        failures.push(`${spec.name}: ${message(e)}`);
      }
    }
    if (failures.length > 0) this.error(`demo: ${failures.join('; ')}`);
    else if (started.length === 0) this.info('the demo containers are already running');
    else this.info(`demo: started ${started.join(', ')}`);
    await this.refresh();
  }

  // ---- new-container form --------------------------------------------------------------

  private formKey(input: string, name: string, key: KeyEvent): void {
    const st = this.store.get();
    const form = st.dialog as FormDialog;
    const field = FORM_FIELDS[form.focus];
    const set = (f: Partial<FormDialog>) => this.store.set({ dialog: { ...form, error: undefined, ...f } });
    if (name === 'escape') return this.store.set({ dialog: undefined });
    if (name === 'tab' || name === 'down') return set({ focus: (form.focus + 1) % FORM_FIELDS.length });
    if (name === 'shift+tab' || name === 'up') return set({ focus: (form.focus + FORM_FIELDS.length - 1) % FORM_FIELDS.length });
    if (name === 'enter') return void this.submitForm(form);
    if (field === 'detach') {
      if (name === 'space' || name === 'left' || name === 'right') set({ values: { ...form.values, detach: !form.values.detach } });
      return;
    }
    const value = form.values[field];
    if (name === 'backspace') set({ values: { ...form.values, [field]: Array.from(value).slice(0, -1).join('') } });
    else if (input && !key.ctrl && !key.meta && !name.startsWith('ctrl+') && isPrintable(input)) {
      set({ values: { ...form.values, [field]: value + input } });
    }
  }

  /** The spec a filled-in form asks for; throws with the field's name on bad input. */
  static formSpec(form: FormDialog): ContainerSpec {
    const v = form.values;
    const image = v.image.trim();
    if (!image) throw new Error('image: required');
    const spec: ContainerSpec = { image };
    if (v.name.trim()) spec.name = v.name.trim();
    if (v.command.trim()) {
      try {
        spec.cmd = splitCommand(v.command.trim());
      } catch (e) {
        throw new Error(`command: ${message(e)}`);
      }
    }
    if (v.memory.trim()) {
      try {
        spec.memory = parseBytes(v.memory.trim());
      } catch {
        throw new Error(`memory: ${JSON.stringify(v.memory.trim())} is not a size (e.g. 256m, 1g)`);
      }
    }
    if (v.cpus.trim()) {
      const n = Number(v.cpus.trim());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`cpus: ${JSON.stringify(v.cpus.trim())} is not a positive number`);
      spec.cpus = n;
    }
    if (!v.detach) {
      spec.tty = true;
      spec.interactive = true;
    }
    return spec;
  }

  private async submitForm(form: FormDialog): Promise<void> {
    let spec: ContainerSpec;
    try {
      spec = Controller.formSpec(form);
    } catch (e) {
      this.store.set({ dialog: { ...form, error: message(e) } });
      return;
    }
    const { engine } = this.deps;
    let info: ContainerInfo;
    try {
      info = await engine.create(spec);
    } catch (e) {
      this.store.set({ dialog: { ...form, error: message(e) } });
      return;
    }
    this.store.set({ dialog: undefined, selected: info.id });
    try {
      if (form.values.detach) {
        await engine.start(info.id);
        this.info(`started ${info.name}`);
      } else {
        let exit = 0;
        await this.deps.handoff(`hutch: running ${info.name} (${shortId(info.id)}) in the foreground`, async () => {
          exit = await relaying(async (signals) => {
            await engine.start(info.id, { attach: true, signals });
            return (await engine.wait(info.id)).exitCode;
          });
        });
        this.info(`${info.name} exited with status ${exit}`);
      }
    } catch (e) {
      this.error(`start ${info.name}: ${message(e)}`);
    }
    await this.refresh();
  }

  // ---- detail ------------------------------------------------------------------------

  openDetail(id: string): void {
    this.store.set({ view: 'detail', detail: { id, procs: [] } });
    void this.loadProcs();
    this.deps.engine.runtimeConfig(id).then(
      (bundle) => {
        const d = this.store.get().detail;
        if (d?.id === id) this.store.set({ detail: { ...d, bundle } });
      },
      () => {},
    );
  }

  private async loadProcs(): Promise<void> {
    const st = this.store.get();
    const d = st.detail;
    if (!d || !st.containers.some((x) => x.id === d.id)) return;
    try {
      const procs = await this.deps.engine.top(d.id);
      const cur = this.store.get().detail;
      if (cur?.id === d.id) this.store.set({ detail: { ...cur, procs, procsError: undefined } });
    } catch (e) {
      const cur = this.store.get().detail;
      if (cur?.id === d.id) this.store.set({ detail: { ...cur, procsError: message(e) } });
    }
  }

  // ---- logs ----------------------------------------------------------------------------

  openLogs(list: ContainerInfo[], merged: boolean): void {
    this.closeLogs();
    const abort = new AbortController();
    this.logsAbort = abort;
    const logs: LogsState = {
      ids: list.map((c) => c.id),
      merged,
      title: merged ? `merged logs of ${list.length === 1 ? list[0].name : `${list.length} containers`}` : `logs of ${list[0].name}`,
      lines: [],
      dropped: 0,
      follow: true,
      top: 0,
      search: '',
      match: -1,
    };
    this.store.set({ view: 'logs', logs });
    for (const c of list) void this.streamLogs(c, abort.signal);
  }

  private async streamLogs(c: ContainerInfo, signal: AbortSignal): Promise<void> {
    try {
      for await (const l of this.deps.engine.logs(c.id, { follow: true, tail: LOG_TAIL, signal })) {
        if (signal.aborted) return;
        this.pendingLogs.push({ seq: this.logSeq++, cid: c.id, name: c.name, time: l.time, stream: l.stream, text: l.text });
        this.logsFlush ??= setTimeout(() => this.flushLogs(), 50);
      }
    } catch (e) {
      if (signal.aborted) return;
      const logs = this.store.get().logs;
      if (logs) this.store.set({ logs: { ...logs, error: `${c.name}: ${message(e)}` } });
    }
  }

  /** Moves buffered lines into the store (at most every 50 ms), time-ordered for merged logs. */
  flushLogs(): void {
    this.logsFlush = undefined;
    const logs = this.store.get().logs;
    const incoming = this.pendingLogs;
    this.pendingLogs = [];
    if (!logs || incoming.length === 0) return;
    let lines: LogEntry[];
    if (logs.merged) {
      incoming.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.seq - b.seq));
      lines = mergeByTime(logs.lines, incoming);
    } else {
      lines = logs.lines.concat(incoming);
    }
    let { dropped, top, match } = logs;
    if (lines.length > MAX_LOG_LINES) {
      const cut = lines.length - MAX_LOG_LINES;
      lines = lines.slice(cut);
      dropped += cut;
      top = Math.max(0, top - cut);
      match = match >= cut ? match - cut : -1;
    }
    this.store.set({ logs: { ...logs, lines, dropped, top, match } });
  }

  closeLogs(): void {
    this.logsAbort?.abort();
    this.logsAbort = undefined;
    if (this.logsFlush) clearTimeout(this.logsFlush);
    this.logsFlush = undefined;
    this.pendingLogs = [];
  }

  private scrollLogs(delta: number): void {
    const logs = this.store.get().logs;
    if (!logs) return;
    const maxTop = Math.max(0, logs.lines.length - this.pageRows);
    const from = logs.follow ? maxTop : logs.top;
    const top = Number.isFinite(delta) ? from + delta : delta < 0 ? 0 : maxTop;
    const clamped = Math.max(0, Math.min(maxTop, top));
    // Reaching the end (or End/G) follows again.
    const follow = delta === Infinity || (delta > 0 && clamped >= maxTop);
    this.store.set({ logs: { ...logs, top: clamped, follow } });
  }

  private toggleFollow(): void {
    const logs = this.store.get().logs;
    if (!logs) return;
    const maxTop = Math.max(0, logs.lines.length - this.pageRows);
    this.store.set({ logs: { ...logs, follow: !logs.follow, top: maxTop } });
  }

  private commitSearch(term: string): void {
    const logs = this.store.get().logs;
    if (!logs) return;
    if (!term) {
      this.store.set({ logs: { ...logs, search: '', match: -1 } });
      return;
    }
    // From the bottom of the screen upwards: the newest match the user can reach.
    const bottom = logs.follow ? logs.lines.length - 1 : Math.min(logs.lines.length - 1, logs.top + this.pageRows - 1);
    const t = term.toLowerCase();
    let match = -1;
    for (let i = bottom; i >= 0; i--) {
      if (logs.lines[i].text.toLowerCase().includes(t)) {
        match = i;
        break;
      }
    }
    this.showMatch({ ...logs, search: term }, match);
  }

  private findMatch(dir: 1 | -1): void {
    const logs = this.store.get().logs;
    if (!logs) return;
    if (!logs.search) return this.error('no search: press / first');
    const t = logs.search.toLowerCase();
    const start = logs.match >= 0 ? logs.match : dir > 0 ? -1 : logs.lines.length;
    for (let i = start + dir; i >= 0 && i < logs.lines.length; i += dir) {
      if (logs.lines[i].text.toLowerCase().includes(t)) return this.showMatch(logs, i);
    }
    this.error(`no ${dir > 0 ? 'later' : 'earlier'} match for ${JSON.stringify(logs.search)}`);
  }

  private showMatch(logs: LogsState, match: number): void {
    if (match < 0) {
      this.store.set({ logs: { ...logs, match: -1 } });
      this.error(`not found: ${JSON.stringify(logs.search)}`);
      return;
    }
    const maxTop = Math.max(0, logs.lines.length - this.pageRows);
    const top = Math.max(0, Math.min(maxTop, match - Math.floor(this.pageRows / 2)));
    this.store.set({ logs: { ...logs, match, top, follow: false } });
  }
}

function isPrintable(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x1f\x7f]/.test(s);
}

function pruneSet(set: ReadonlySet<string>, containers: ContainerInfo[]): ReadonlySet<string> {
  if (set.size === 0) return set;
  const ids = new Set(containers.map((c) => c.id));
  let changed = false;
  for (const id of set) if (!ids.has(id)) changed = true;
  return changed ? new Set([...set].filter((id) => ids.has(id))) : set;
}

/** Merges time-sorted `b` into time-sorted `a` (b is usually all newer: a plain append). */
/** Same containers in the same states: what the table shows from the list did not change. */
export function sameList(a: readonly ContainerInfo[], b: readonly ContainerInfo[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.id !== y.id || x.status !== y.status || x.pid !== y.pid || x.exitCode !== y.exitCode || x.name !== y.name || x.startedAt !== y.startedAt || x.finishedAt !== y.finishedAt || x.oomKilled !== y.oomKilled)
      return false;
  }
  return true;
}

export function mergeByTime(a: LogEntry[], b: LogEntry[]): LogEntry[] {
  if (a.length === 0) return b;
  if (b.length === 0 || a[a.length - 1].time <= b[0].time) return a.concat(b);
  const out: LogEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i].time <= b[j].time ? a[i++] : b[j++]);
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}
