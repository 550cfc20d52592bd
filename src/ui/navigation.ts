// Moving around the dashboard: the selected row and the containers an action
// applies to, moving and paging in each view, Esc, marks, the detail and help
// views (the detail view's own moves are DetailPane's), and sorting the table by
// its columns.
import type { ContainerInfo } from '../engine/types.js';
import type { ColumnName, SortKey } from './config.js';
import type { UiContext } from './context.js';
import type { DetailPane } from './detail-pane.js';
import type { LogsPane } from './logs.js';
import { memoVisible, pageRows, type UiState } from './state.js';
import { layoutColumns, shownColumns } from './views/table.js';

const SORTABLE: Partial<Record<ColumnName, SortKey>> = {
  name: 'name', id: 'id', image: 'image', state: 'state', cpu: 'cpu', spark: 'cpu', mem: 'mem', memPct: 'mem', pids: 'pids', net: 'net',
};

/** Figures read best largest first; names A→Z. */
const DESCENDING: readonly SortKey[] = ['cpu', 'mem', 'pids', 'net'];

export class Navigation {
  /** The rows of the containers table, in order. */
  readonly visible = memoVisible();
  /** Where the selection was: when its container goes, the row at that index is selected. */
  private selectedIndexHint = 0;

  constructor(
    private readonly ctx: UiContext,
    private readonly logs: LogsPane,
    private readonly detail: DetailPane,
  ) {}

  // ---- selection ---------------------------------------------------------------

  /** The selected row's index in the visible list (the id wins; else the last index). */
  selectedIndex(st: UiState = this.ctx.store.get()): number {
    const rows = this.visible(st);
    if (rows.length === 0) return -1;
    const i = st.selected ? rows.findIndex((c) => c.id === st.selected) : -1;
    if (i >= 0) return i;
    return Math.min(this.selectedIndexHint, rows.length - 1);
  }

  selectedContainer(st: UiState = this.ctx.store.get()): ContainerInfo | undefined {
    const i = this.selectedIndex(st);
    return i < 0 ? undefined : this.visible(st)[i];
  }

  private select(index: number): void {
    const rows = this.visible(this.ctx.store.get());
    if (rows.length === 0) return;
    const i = Math.max(0, Math.min(rows.length - 1, index));
    this.selectedIndexHint = i;
    this.ctx.store.set({ selected: rows[i].id });
  }

  /** The containers an action applies to: the marked ones, else the selected (or detail) one. */
  targets(): ContainerInfo[] {
    const st = this.ctx.store.get();
    if (st.view === 'detail' && st.detail) {
      const c = st.containers.find((x) => x.id === st.detail!.id);
      return c ? [c] : [];
    }
    if (st.marked.size > 0) return st.containers.filter((c) => st.marked.has(c.id));
    const c = this.selectedContainer(st);
    return c ? [c] : [];
  }

  /** For one-container actions (logs, shell): the selected or detail container, ignoring marks. */
  target(): ContainerInfo | undefined {
    const st = this.ctx.store.get();
    if (st.view === 'detail' && st.detail) return st.containers.find((c) => c.id === st.detail!.id);
    const c = this.selectedContainer(st);
    if (!c) this.ctx.error('no container selected');
    return c;
  }

  /** The marked containers, else every row shown (merged logs). */
  markedOrShown(): ContainerInfo[] {
    const st = this.ctx.store.get();
    return st.marked.size > 0 ? st.containers.filter((c) => st.marked.has(c.id)) : this.visible(st);
  }

  // ---- moving ------------------------------------------------------------------

  /** Moves the selection (or scrolls) by `delta` rows; ±Infinity: to the first or last. */
  move(delta: number): void {
    const { store } = this.ctx;
    const st = store.get();
    switch (st.view) {
      case 'containers':
        return this.select(Number.isFinite(delta) ? this.selectedIndex(st) + delta : delta < 0 ? 0 : Infinity);
      case 'images': {
        const n = st.images.length;
        const i = Number.isFinite(delta) ? st.imageIndex + delta : delta < 0 ? 0 : n - 1;
        store.set({ imageIndex: Math.max(0, Math.min(n - 1, i)) });
        return;
      }
      case 'networks': {
        const n = st.networks.length;
        const i = Number.isFinite(delta) ? st.networkIndex + delta : delta < 0 ? 0 : n - 1;
        store.set({ networkIndex: Math.max(0, Math.min(n - 1, i)) });
        return;
      }
      case 'volumes': {
        const n = st.volumes.length;
        const i = Number.isFinite(delta) ? st.volumeIndex + delta : delta < 0 ? 0 : n - 1;
        store.set({ volumeIndex: Math.max(0, Math.min(n - 1, i)) });
        return;
      }
      case 'logs':
        return this.logs.scroll(delta);
      case 'help': {
        const top = Number.isFinite(delta) ? st.helpTop + delta : delta < 0 ? 0 : 1e9;
        store.set({ helpTop: Math.max(0, top) });
        return;
      }
      case 'detail':
        return this.detail.move(delta);
    }
  }

  /** One page up or down, keeping a row of the last page in sight. */
  page(dir: 1 | -1): void {
    this.move(dir * Math.max(1, pageRows(this.ctx.store.get()) - 1));
  }

  back(): void {
    const { store } = this.ctx;
    const st = store.get();
    switch (st.view) {
      case 'help':
        store.set({ view: st.previousView });
        return;
      case 'logs':
        this.logs.close();
        store.set({ view: 'containers', logs: undefined });
        return;
      case 'detail':
        if (this.detail.back()) return;
        store.set({ view: 'containers', detail: undefined });
        return;
      case 'images':
      case 'networks':
      case 'volumes':
        store.set({ view: 'containers', detail: undefined });
        return;
      case 'containers':
        if (st.filter) store.set({ filter: '' });
        else if (st.marked.size > 0) store.set({ marked: new Set() });
        return;
    }
  }

  toggleHelp(): void {
    const st = this.ctx.store.get();
    if (st.view === 'help') this.ctx.store.set({ view: st.previousView });
    else this.ctx.store.set({ view: 'help', previousView: st.view, helpTop: 0 });
  }

  toggleMark(): void {
    const st = this.ctx.store.get();
    const c = this.selectedContainer(st);
    if (!c) return;
    const marked = new Set(st.marked);
    if (marked.has(c.id)) marked.delete(c.id);
    else marked.add(c.id);
    this.ctx.store.set({ marked });
    this.move(1);
  }

  toggleShowAll(): void {
    const { showAll } = this.ctx.store.get();
    this.ctx.store.set({ showAll: !showAll });
    this.ctx.info(showAll ? 'hiding exited containers' : 'showing exited containers');
  }

  // ---- detail ------------------------------------------------------------------

  openSelected(): void {
    const c = this.selectedContainer();
    if (c) this.openDetail(c.id);
  }

  openDetail(id: string): void {
    this.detail.open(id);
  }

  // ---- sorting -----------------------------------------------------------------

  /** The table's columns as the terminal's width shows them (narrow terminals hide some). */
  shownColumns(st: UiState = this.ctx.store.get()): ColumnName[] {
    return layoutColumns(shownColumns(st), st.size.columns).map((l) => l.name);
  }

  /** Sort keys in the order of the columns shown. */
  sortKeys(): SortKey[] {
    const keys: SortKey[] = [];
    for (const c of this.shownColumns()) {
      const k = SORTABLE[c];
      if (k && !keys.includes(k)) keys.push(k);
    }
    return keys;
  }

  private setSort(key: SortKey, desc?: boolean): void {
    const st = this.ctx.store.get();
    const sameKey = st.sort.key === key;
    const d = desc ?? (sameKey ? !st.sort.desc : DESCENDING.includes(key));
    this.ctx.store.set({ sort: { key, desc: d } });
    this.ctx.info(`sorted by ${key}${d ? ', descending' : ''}`);
  }

  /** Keys 1-9: by the n-th column shown (0-based here; hidden columns do not count); again: reversed. */
  sortByColumn(n: number): void {
    const cols = this.shownColumns();
    if (n >= cols.length) return;
    const key = SORTABLE[cols[n]];
    if (key) this.setSort(key);
  }

  cycleSort(dir: 1 | -1): void {
    const keys = this.sortKeys();
    if (keys.length === 0) return;
    const i = keys.indexOf(this.ctx.store.get().sort.key);
    const key = keys[(i + dir + keys.length) % keys.length];
    this.setSort(key, DESCENDING.includes(key));
  }
}
