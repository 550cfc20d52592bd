// The detail view's behaviour: opening it, reading the container's processes every
// tick (CPU % from one read to the next, the selection kept on its pid), moving in
// the process list, the signal menu for the selected process (then y/N, as stop
// asks), and the raw inspect that takes the view's place until Esc.
import type { UiContext } from './context.js';
import { errorLine } from './format.js';
import { cpuPercents, cpuReading, processTree } from './process-tree.js';
import { MENU_SIGNALS, pageRows, type DetailState, type SignalDialog } from './state.js';

export class DetailPane {
  constructor(private readonly ctx: UiContext) {}

  open(id: string): void {
    const { store, engine } = this.ctx;
    store.set({ view: 'detail', detail: { id, procs: [], procIndex: 0, cpu: new Map() } });
    void this.loadProcs();
    engine.runtimeConfig(id).then(
      (bundle) => this.update(id, () => ({ bundle })),
      // A local bundle being removed: what the record says is shown. A remote one's
      // config comes from `hutch inspect` there: why it did not is said (naming the host).
      (e) => {
        if (store.get().containers.find((c) => c.id === id)?.host) this.ctx.error(`config of ${id.slice(0, 12)}: ${errorLine(e)}`);
      },
    );
  }

  /** Changes the detail state if it still shows container `id`. */
  private update(id: string, f: (d: DetailState) => Partial<DetailState>): void {
    const d = this.ctx.store.get().detail;
    if (d?.id === id) this.ctx.store.set({ detail: { ...d, ...f(d) } });
  }

  /** Re-reads the processes (every tick while the view shows). */
  async loadProcs(): Promise<void> {
    const { store, engine } = this.ctx;
    const st = store.get();
    const d = st.detail;
    if (!d || !st.containers.some((x) => x.id === d.id)) return;
    try {
      const procs = await engine.top(d.id);
      const read = cpuReading(procs, this.ctx.now());
      this.update(d.id, (cur) => {
        const rows = processTree(procs);
        // The selected process keeps the selection as rows come and go; when it is
        // gone, the row it was on is selected.
        const at = cur.procPid === undefined ? -1 : rows.findIndex((r) => r.proc.pid === cur.procPid);
        const procIndex = at >= 0 ? at : Math.max(0, Math.min(rows.length - 1, cur.procIndex));
        return { procs, procsError: undefined, cpu: cpuPercents(cur.lastRead, read), lastRead: read, procIndex, procPid: rows[procIndex]?.proc.pid };
      });
    } catch (e) {
      this.update(d.id, () => ({ procsError: errorLine(e) }));
    }
  }

  /** ↑ ↓ PgUp PgDn g G: the process selection, or the inspect's lines when it is open. */
  move(delta: number): void {
    const d = this.ctx.store.get().detail;
    if (!d) return;
    if (d.inspect) {
      const maxTop = Math.max(0, d.inspect.lines.length - pageRows(this.ctx.store.get()));
      const top = Number.isFinite(delta) ? d.inspect.top + delta : delta < 0 ? 0 : maxTop;
      this.update(d.id, () => ({ inspect: { ...d.inspect!, top: Math.max(0, Math.min(maxTop, top)) } }));
      return;
    }
    const rows = processTree(d.procs);
    if (rows.length === 0) return;
    const i = Number.isFinite(delta) ? d.procIndex + delta : delta < 0 ? 0 : rows.length - 1;
    const procIndex = Math.max(0, Math.min(rows.length - 1, i));
    this.update(d.id, () => ({ procIndex, procPid: rows[procIndex].proc.pid }));
  }

  /** Esc: closes the inspect when it is open (true), else leaves it to the view. */
  back(): boolean {
    const d = this.ctx.store.get().detail;
    if (!d?.inspect) return false;
    this.update(d.id, () => ({ inspect: undefined }));
    return true;
  }

  // ---- the raw inspect -----------------------------------------------------------

  /** `I`: the container as `hutch inspect` prints it, read now. */
  async openInspect(): Promise<void> {
    const d = this.ctx.store.get().detail;
    if (!d) return;
    const name = this.ctx.store.get().containers.find((c) => c.id === d.id)?.name ?? d.id.slice(0, 12);
    this.update(d.id, () => ({ inspect: { id: d.id, name, lines: [], top: 0 } }));
    try {
      const lines = JSON.stringify(await this.ctx.engine.inspect(d.id), null, 2).split('\n');
      this.update(d.id, (cur) => ({ inspect: cur.inspect && { ...cur.inspect, lines } }));
    } catch (e) {
      this.update(d.id, (cur) => ({ inspect: cur.inspect && { ...cur.inspect, error: errorLine(e) } }));
    }
  }

  // ---- signals -------------------------------------------------------------------

  /** `S`: the signal menu for the selected process. */
  openSignalMenu(): void {
    const d = this.ctx.store.get().detail;
    if (!d || d.inspect) return;
    const row = processTree(d.procs)[d.procIndex];
    if (!row) return this.ctx.error('no process selected');
    this.ctx.store.set({ dialog: { kind: 'signal', id: d.id, pid: row.proc.pid, cmd: row.proc.cmd, index: 0 } });
  }

  /** Keys in the menu: ← → ↑ ↓ Tab choose, Enter (or 1-8: that one) goes on, Esc cancels. */
  menuKey(dlg: SignalDialog, input: string, name: string): void {
    const { store } = this.ctx;
    const n = MENU_SIGNALS.length;
    const step = name === 'left' || name === 'up' || name === 'shift+tab' ? -1 : name === 'right' || name === 'down' || name === 'tab' ? 1 : 0;
    if (step) return store.set({ dialog: { ...dlg, index: (dlg.index + step + n) % n } });
    if (name === 'escape' || name === 'q') {
      store.set({ dialog: undefined });
      return this.ctx.info('cancelled');
    }
    let index = -1;
    if (/^[1-9]$/.test(input) && Number(input) <= n) index = Number(input) - 1;
    if (name === 'enter') index = dlg.index;
    if (index < 0) return;
    store.set({ dialog: undefined });
    this.confirmSignal(dlg, MENU_SIGNALS[index]);
  }

  /** y/N first, as stop and kill ask (none with the config's `confirm: false`). */
  private confirmSignal(dlg: SignalDialog, signal: string): void {
    if (this.ctx.config.confirm === false) return void this.send(dlg, signal);
    const cmd = dlg.cmd.length > 40 ? `${dlg.cmd.slice(0, 39)}…` : dlg.cmd;
    this.ctx.store.set({ dialog: { kind: 'confirm', question: `Send SIG${signal} to process ${dlg.pid} (${cmd})? y/N`, onYes: () => void this.send(dlg, signal) } });
  }

  async send(dlg: Pick<SignalDialog, 'id' | 'pid'>, signal: string): Promise<void> {
    try {
      await this.ctx.engine.signalProcess(dlg.id, dlg.pid, signal);
      this.ctx.info(`sent SIG${signal} to process ${dlg.pid}`);
    } catch (e) {
      this.ctx.error(`SIG${signal} to process ${dlg.pid}: ${errorLine(e)}`);
    }
    await this.loadProcs();
    void this.ctx.refresh();
  }
}
