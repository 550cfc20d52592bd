// Everything the dashboard does, wired together: polling the engine, taking the
// sampler's samples into the store, turning keys into actions and actions into
// calls on its parts (navigation, logs, the new-container form, container, image,
// network and volume actions, other engines' containers, the prompts), and the
// status line they report to.
// No React here: components only read the store and forward keys, so this is
// tested with a fake engine directly.
import type { ContainerInfo, EngineApi } from '../engine/types.js';
import type { History, StatsSource } from '../engine/stats/types.js';
import type { HostStatus, HostsSource } from '../engine/remote/remotes.js';
import type { DashboardConfig } from './config.js';
import { ContainerActions, type BulkVerb } from './container-actions.js';
import type { Handoff, UiContext } from './context.js';
import { ForeignActions } from './foreign-actions.js';
import { NewContainerForm } from './form.js';
import { errorLine } from './format.js';
import { ImageActions } from './image-actions.js';
import { createKeymap, keyName, rawKey, splitKeys, type Action, type KeyEvent, type ViewName } from './keys.js';
import { pruneSet, sameList } from './list-patch.js';
import { DetailPane } from './detail-pane.js';
import { ShellPane } from './shell-pane.js';
import { LogsPane } from './logs.js';
import { Navigation } from './navigation.js';
import { NetworkActions } from './network-actions.js';
import { promptKey } from './prompts.js';
import { initialState, pageRows, type UiState } from './state.js';
import { Store } from './store.js';
import { themeCycle, type Theme } from './theme.js';
import { VolumeActions } from './volume-actions.js';

export type { Handoff };

export interface ControllerDeps {
  engine: EngineApi;
  stats: StatsSource;
  config: DashboardConfig;
  theme: Theme;
  intervalMs: number;
  handoff: Handoff;
  quit: () => void;
  now?: () => number;
  /** Other machines' states (`--host`): down ones greyed, their errors in the status line. */
  hosts?: HostsSource;
}

const EMPTY_HISTORY: History = { cpu: [], mem: [] };
const INFO_TTL_MS = 6000;
const ERROR_TTL_MS = 20_000;
/** From the first sample to asking for the host facts: its frame is drawn by then. */
const HOST_INFO_AFTER_SAMPLE_MS = 150;

export class Controller {
  readonly store: Store<UiState>;
  readonly keymap: (view: ViewName, key: string) => Action | undefined;
  readonly nav: Navigation;
  readonly logs: LogsPane;
  /** Processes, signals and the raw inspect of the detail view. */
  readonly detail: DetailPane;
  /** The shell pane beside the detail view's charts (`E`, Ctrl-] for the keys). */
  readonly shellPane: ShellPane;
  readonly form: NewContainerForm;
  readonly containerActions: ContainerActions;
  /** Other engines' containers: read-only, but x, K and p offer their own command. */
  readonly foreign: ForeignActions;
  /** Pull and remove in the images view. */
  readonly imageActions: ImageActions;
  /** Create and delete in the networks and volumes views. */
  readonly networkActions: NetworkActions;
  readonly volumeActions: VolumeActions;
  /** The rows of the containers table, in order. */
  readonly visible: Navigation['visible'];
  private readonly deps: ControllerDeps;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private unsubscribeHosts?: () => void;
  private refreshing = false;
  private hostInfoTimer?: NodeJS.Timeout;
  private hostInfoAt = 0;
  private hostInfoAsked = false;
  private themes?: Theme[];
  private stopped = false;
  /** True from a hand-off's start to its end: keys are not the dashboard's then. */
  private handingOff = false;
  /** Set while the exec key runs: its hand-off keeps the terminal in raw mode. */
  private rawHandoff = false;
  /** Keys read after the key that started the hand-off (see handoffRequest). */
  private handoffTypeahead = '';
  /** The terminal's owner (the session): Ctrl-L and Ctrl-Z. */
  terminal?: { redraw(): void; suspend(): void };

  constructor(deps: ControllerDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.keymap = createKeymap(deps.config.keys);
    this.store = new Store<UiState>(initialState(deps.config, deps.theme, this.now()));
    const ctx: UiContext = {
      store: this.store,
      engine: deps.engine,
      config: deps.config,
      handoff: (banner, task) => this.handoff(banner, task),
      typeahead: () => this.handoffTypeahead,
      now: this.now,
      info: (t) => this.info(t),
      error: (t) => this.error(t),
      refresh: () => this.refresh(),
    };
    this.logs = new LogsPane(ctx);
    this.detail = new DetailPane(ctx);
    this.nav = new Navigation(ctx, this.logs, this.detail);
    this.shellPane = new ShellPane(ctx, (id) => this.store.get().detail?.id !== id || this.store.get().view !== 'detail' ? this.nav.openDetail(id) : undefined);
    this.visible = this.nav.visible;
    this.form = new NewContainerForm(ctx);
    this.containerActions = new ContainerActions(ctx);
    this.foreign = new ForeignActions(ctx);
    this.imageActions = new ImageActions(ctx);
    this.networkActions = new NetworkActions(ctx);
    this.volumeActions = new VolumeActions(ctx);
  }

  get bindings() {
    return this.deps.config.keys;
  }

  /** Rows the current view shows: paging and scrolling move by it. */
  get pageRows(): number {
    return pageRows(this.store.get());
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

  selectedIndex(st: UiState = this.store.get()): number {
    return this.nav.selectedIndex(st);
  }

  // ---- lifecycle -------------------------------------------------------------

  start(): void {
    const { stats, intervalMs } = this.deps;
    // Each sweep brings the container list it read: the table follows it, so the
    // list is not read a second time per interval.
    this.unsubscribe = stats.onSample((samples, host, containers) => {
      // The sweep's own map: a source hands over a new one each sweep and never changes it.
      this.store.set((s) => ({ samples, host, sampleSeq: s.sampleSeq + 1, now: this.now(), ...this.listPatch(s, containers) }));
      this.scheduleHostInfo(HOST_INFO_AFTER_SAMPLE_MS);
    });
    this.unsubscribeHosts = this.deps.hosts?.onHosts((hosts, changed) => this.hostsChanged(hosts, changed));
    try {
      stats.start(intervalMs);
    } catch (e) {
      this.error(`stats: ${errorLine(e)}`);
    }
    // The host's static facts (systeminformation: ~100 ms to load and ask, all of it
    // on this thread) wait until the first frame is drawn: shortly after the first
    // sample, or an interval on when no sample comes.
    this.scheduleHostInfo(intervalMs);
    void this.refresh();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref?.();
  }

  /** Reads the host facts once, `delayMs` from now (or sooner, if asked sooner again). */
  private scheduleHostInfo(delayMs: number): void {
    if (this.hostInfoAsked || this.stopped) return;
    const at = Date.now() + delayMs;
    if (this.hostInfoTimer && at >= this.hostInfoAt) return;
    if (this.hostInfoTimer) clearTimeout(this.hostInfoTimer);
    this.hostInfoAt = at;
    this.hostInfoTimer = setTimeout(() => {
      this.hostInfoTimer = undefined;
      if (this.stopped) return;
      this.hostInfoAsked = true;
      this.deps.stats.hostInfo().then(
        (hostInfo) => this.store.set({ hostInfo }),
        () => {},
      );
    }, delayMs);
    this.hostInfoTimer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.hostInfoTimer) clearTimeout(this.hostInfoTimer);
    this.unsubscribe?.();
    this.unsubscribeHosts?.();
    try {
      this.deps.stats.stop();
    } catch {
      // best effort
    }
    this.logs.close();
    this.shellPane.close(); // detached: its shell runs on (E reattaches next time)
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
    if (st.view === 'detail') void this.detail.loadProcs();
    void this.listRefresh[st.view]?.();
  }

  /** A host went down (or failed again): its error in the status line, its rows greyed; back up: said once. */
  private hostsChanged(hosts: readonly HostStatus[], h: HostStatus): void {
    const before = this.store.get().hostsDown;
    this.store.set({ hostsDown: new Set(hosts.filter((x) => x.state === 'down').map((x) => x.name)) });
    if (h.state === 'down' && h.error) this.error(h.error);
    else if (h.state === 'up' && before.has(h.name)) this.info(`${h.name}: connected again`);
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
      const [containers, foreign] = await Promise.all([this.deps.engine.list({ all: true }), this.deps.engine.listForeign().catch(() => [])]);
      containers.push(...foreign);
      this.store.set((s) => this.listPatch(s, containers));
    } catch (e) {
      this.store.set({ listError: errorLine(e), loaded: true });
    } finally {
      this.refreshing = false;
    }
  }

  // ---- hand-off ----------------------------------------------------------------

  /** What the hand-off starting now asks of the terminal (read by the session as it starts). */
  get handoffRequest(): { raw: boolean; typeahead: () => string } {
    return { raw: this.rawHandoff, typeahead: () => this.handoffTypeahead };
  }

  /** One hand-off at a time: a second one (a key read in the same chunk, a repeat) is refused. */
  private async handoff(banner: string, task: () => Promise<void>): Promise<void> {
    if (this.handingOff) throw new Error('the terminal is handed over already');
    this.handingOff = true;
    this.handoffTypeahead = '';
    try {
      await this.deps.handoff(banner, task);
    } finally {
      this.handingOff = false;
      this.handoffTypeahead = '';
    }
  }

  // ---- status line -------------------------------------------------------------

  info(text: string): void {
    this.store.set((s) => ({ status: { text, level: 'info', at: this.now(), view: s.view } }));
  }

  error(text: string): void {
    this.store.set((s) => ({ status: { text, level: 'error', at: this.now(), view: s.view } }));
  }

  // ---- keys --------------------------------------------------------------------

  handleKey(input: string, key: KeyEvent): void {
    const keys = splitKeys(input, key);
    for (let i = 0; i < keys.length; i++) {
      // Once a hand-off starts, every later key belongs to the shell (or the
      // container run in the foreground), never to the dashboard.
      if (this.handingOff) {
        this.handoffTypeahead += keys.slice(i).map(rawKey).join('');
        return;
      }
      try {
        this.dispatchKey(keys[i].input, keys[i].key);
      } catch (e) {
        this.error(errorLine(e));
      }
    }
  }

  private dispatchKey(input: string, key: KeyEvent): void {
    // The focused shell pane takes every key (Ctrl-C too) but Ctrl-], which gives them back.
    if (!this.store.get().dialog && this.shellPane.takeKey(input, key)) return;
    const name = keyName(input, key);
    if (name === 'ctrl+c') return this.deps.quit();
    if (name === 'ctrl+l') return this.terminal?.redraw();
    if (name === 'ctrl+z') return this.terminal?.suspend();
    const st = this.store.get();
    if (st.dialog?.kind === 'confirm') {
      const { onYes, onNo } = st.dialog;
      this.store.set({ dialog: undefined });
      if (input === 'y' || input === 'Y') onYes();
      else if (onNo && (input === 'n' || input === 'N')) onNo();
      else this.info('cancelled');
      return;
    }
    if (st.dialog?.kind === 'form') return this.form.key(input, name, key);
    if (st.dialog?.kind === 'signal') return this.detail.menuKey(st.dialog, input, name);
    if (st.prompt) return promptKey(this, st.prompt, input, name, key);
    if (st.view === 'containers' && /^[1-9]$/.test(input)) return this.nav.sortByColumn(Number(input) - 1);
    const action = this.keymap(st.view, name);
    if (action) this.run(action);
  }

  run(action: Action): void {
    this.handlers[action]();
  }

  /** What each action does (keys.ts says which keys and views it has). */
  private readonly handlers: Record<Action, () => void> = {
    quit: () => this.deps.quit(),
    help: () => this.nav.toggleHelp(),
    theme: () => this.nextTheme(),
    up: () => this.nav.move(-1),
    down: () => this.nav.move(1),
    pageUp: () => this.nav.page(-1),
    pageDown: () => this.nav.page(1),
    top: () => this.nav.move(-Infinity),
    bottom: () => this.nav.move(Infinity),
    back: () => void (this.shellPane.back() || this.nav.back()),
    open: () => this.nav.openSelected(),
    mark: () => this.nav.toggleMark(),
    unmarkAll: () => this.store.set({ marked: new Set() }),
    filter: () => this.store.set({ prompt: { kind: 'filter', value: this.store.get().filter } }),
    showAll: () => this.nav.toggleShowAll(),
    sortNext: () => this.nav.cycleSort(1),
    sortPrev: () => this.nav.cycleSort(-1),
    images: () => this.openList('images'),
    networks: () => this.openList('networks'),
    volumes: () => this.openList('volumes'),
    create: () => this.form.open(),
    demo: () => void this.containerActions.startDemo(),
    logs: () => this.withTarget((c) => this.logs.open([c], false)),
    mergedLogs: () => this.logs.openMerged(this.nav.markedOrShown().filter((c) => !c.engine)),
    exec: () =>
      this.withTarget((c) => {
        // The shell's monitor sets raw mode itself: the terminal stays quiet until then.
        this.rawHandoff = true;
        try {
          void this.containerActions.execShell(c);
        } finally {
          this.rawHandoff = false;
        }
      }),
    shellPane: () => this.withTarget((c) => void this.shellPane.open(c)),
    start: () => this.bulk('start'),
    stop: () => this.bulk('stop'),
    restart: () => this.bulk('restart'),
    kill: () => this.bulk('kill'),
    pause: () => this.bulk('pause'),
    remove: () => this.foreign.own(this.nav.targets()) && this.containerActions.confirmRemove(this.nav.targets()),
    follow: () => this.logs.toggleFollow(),
    search: () => this.store.set({ prompt: { kind: 'search', value: '' } }),
    nextMatch: () => this.logs.findMatch(1),
    prevMatch: () => this.logs.findMatch(-1),
    timestamps: () => this.logs.toggleTimestamps(),
    wrap: () => this.logs.toggleWrap(),
    scrollLeft: () => this.logs.shift(-1),
    scrollRight: () => this.logs.shift(1),
    saveLogs: () => this.logs.askSavePath(),
    signal: () => this.withTarget(() => this.detail.openSignalMenu()),
    inspect: () => void this.detail.openInspect(),
    removeImage: () => this.imageActions.confirmRemove(),
    pullImage: () => this.store.set({ prompt: { kind: 'pull', value: '' } }),
    cancelPull: () => this.imageActions.cancelPull(),
    createNetwork: () => this.networkActions.askCreate(),
    removeNetwork: () => this.networkActions.confirmRemove(),
    createVolume: () => this.volumeActions.askCreate(),
    removeVolume: () => this.volumeActions.confirmRemove(),
  };

  /** The list views: re-read on entering (openList) and every interval while shown (tick). */
  private readonly listRefresh: Partial<Record<ViewName, () => Promise<void>>> = {
    images: () => this.imageActions.refresh(),
    networks: () => this.networkActions.refresh(),
    volumes: () => this.volumeActions.refresh(),
  };
  private openList(view: 'images' | 'networks' | 'volumes'): void {
    this.store.set({ view });
    void this.listRefresh[view]?.();
  }

  /** One-container actions: on the selected (or detail) container, ignoring marks. */
  private withTarget(f: (c: ContainerInfo) => void): void {
    const c = this.nav.target();
    if (c && this.foreign.own([c])) f(c);
  }

  private bulk(verb: BulkVerb): void {
    const list = this.nav.targets();
    if (this.foreign.offer(list, verb)) return;
    if (this.foreign.own(list)) void this.containerActions.bulk(verb, list);
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
      this.error(errorLine(e));
    }
  }
}
