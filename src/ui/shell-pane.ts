// The shell pane (`E`): a shell in the detail view's container, beside (wide) or
// below (narrow) its charts, drawn from a headless terminal emulator. The pty is
// its exec monitor's (engine openShell: it outlives the dashboard); this is one
// client of its socket. Output goes into the emulator; a redraw is asked for at
// most every FRAME_MS (FLOOD_MS while output floods in: a scrolling flood read at
// 8 frames a second looks the same, at half the cost); only the rows the emulator reports changed are drawn again
// (views/pane.ts). Ctrl-] moves the keys between the pane and the dashboard;
// closing asks: end the shell, or detach (`E` reattaches, the monitor's backlog
// redraws its screen). Shift+PgUp/PgDn (Shift+↑/↓) scroll the emulator's
// scroll-back as a terminal's do: the view stays on the older lines while output
// comes (xterm keeps it still once the user scrolled), a key typed into the shell
// returns to the live screen.
import type { IBufferCell, Terminal } from '@xterm/headless';
import type { ContainerInfo, ShellConnection } from '../engine/types.js';
import type { UiContext } from './context.js';
import { errorLine } from './format.js';
import type { KeyEvent } from './keys.js';
import type { Painter } from './paint.js';
import { isFocusKey, paneKeyBytes, scrollKey } from './shell-pane-keys.js';
import { bodyRows } from './state.js';
import { paneLayout, paneTitle, renderScreen } from './views/pane.js';

/** What the store knows of the pane (the emulator itself lives in ShellPane). */
export interface PaneState {
  /** The container's id and name. */
  id: string;
  container: string;
  /** `exec-<monitor pid>`, once connected. */
  shell: string;
  focused: boolean;
  /** The shell's exit status; null: the connection was lost; undefined: it runs. */
  exited?: number | null;
  error?: string;
  /** Bumped when the emulator's screen changed (a redraw). */
  seq: number;
}

/** Ink's own frame rate (15 a second): typing echoes at once. */
const FRAME_MS = 66;
/** More than FLOOD_BYTES since the last redraw: the next waits this long. */
const FLOOD_MS = 125;
const FLOOD_BYTES = 16 << 10;
/** Lines kept above the screen for Shift+PgUp: about 1 MB of cells at 80 columns. */
const SCROLLBACK = 1000;
/** The scroll-back while output has flooded in for FLOOD_SHRINK frames in a row (1 s at
 * FLOOD_MS) and the view is on the live screen. Each new line reuses the oldest one's
 * cells (xterm's ring), and a 1 MB ring cycled at 1 MB/s is memory out of the CPU's
 * caches: measured, +0.35 % of a core at 1 MB/s (bench/pane.ts's child, runs
 * interleaved with none; a CPU profile: a third more time in the emulator). A ring this
 * small stays in cache. What is lost: lines a flood of over a second would have pushed
 * out of the 1000 within a second anyway; after it, its last FLOOD_SCROLLBACK lines stay
 * (1000 again from the next output that is no flood). Scrolled back, it is 1000 at
 * once (the lines in view are the user's). */
const FLOOD_SCROLLBACK = 100;
const FLOOD_SHRINK = 8;

type TerminalCtor = new (opts: { cols: number; rows: number; scrollback: number; allowProposedApi: boolean }) => Terminal;
let terminalCtor: TerminalCtor | undefined;

/** @xterm/headless is CommonJS, loaded when the first pane opens (not at start). */
async function loadTerminal(): Promise<TerminalCtor> {
  if (!terminalCtor) {
    const m = (await import('@xterm/headless')) as unknown as { Terminal?: TerminalCtor; default?: { Terminal: TerminalCtor } };
    terminalCtor = m.Terminal ?? m.default!.Terminal;
  }
  return terminalCtor;
}

/** The emulator's rows changed by its last writes (its input handler's refresh
 * requests; xterm has no public event for them in headless mode). False: unknown. */
function onDirtyRows(term: Terminal, f: (range?: { start: number; end: number }) => void): boolean {
  const ih = (term as unknown as { _core?: { _inputHandler?: { onRequestRefreshRows?: (cb: (r?: { start: number; end: number }) => void) => unknown } } })._core
    ?._inputHandler;
  if (typeof ih?.onRequestRefreshRows !== 'function') return false;
  ih.onRequestRefreshRows(f);
  return true;
}

export class ShellPane {
  private term?: Terminal;
  private conn?: ShellConnection;
  private cell?: IBufferCell;
  /** Rows drawn last time, and which have changed since (undefined: all). */
  private rows: string[] = [];
  private dirty: Set<number> | undefined;
  private tracked = false;
  private drawnKey = '';
  private cursor = { x: -1, y: -1 };
  private bumpTimer?: NodeJS.Timeout;
  /** Output bytes since the last redraw request, and whether the last interval was a flood. */
  private pending = 0;
  private flood = false;
  /** Flood frames in a row (see FLOOD_SCROLLBACK). */
  private floods = 0;
  private opening = false;
  /** A key went to the shell over this connection (see attach). */
  private typed = false;

  constructor(
    private readonly ctx: UiContext,
    private readonly openDetail: (id: string) => void,
  ) {}

  private get state(): PaneState | undefined {
    return this.ctx.store.get().pane;
  }

  private patch(p: Partial<PaneState>): void {
    const cur = this.state;
    if (cur) this.ctx.store.set({ pane: { ...cur, ...p } });
  }

  get focused(): boolean {
    return !!this.state?.focused;
  }

  /** `E`: the container's pane, focused — its newest live shell reattached, else a new one. */
  async open(c: ContainerInfo): Promise<void> {
    const cur = this.state;
    if (cur?.id === c.id && cur.exited === undefined && this.conn) {
      this.openDetail(c.id);
      return this.patch({ focused: true });
    }
    if (c.status !== 'running') return this.ctx.error(`${c.name} is not running (s starts it)`);
    if (this.opening) return;
    this.opening = true;
    this.close();
    this.openDetail(c.id);
    const st = this.ctx.store.get();
    const layout = paneLayout(st.size.columns, bodyRows(st.size));
    this.ctx.store.set({ pane: { id: c.id, container: c.name, shell: '…', focused: true, seq: 0 } });
    try {
      const Term = await loadTerminal();
      const live = await this.ctx.engine.listShells(c.id);
      const shell = live.at(-1) ?? (await this.ctx.engine.openShell(c.id, { rows: layout.rows, cols: layout.cols }));
      const conn = await this.ctx.engine.connectShell(c.id, shell.name);
      if (this.state?.id !== c.id) return conn.close(); // closed meanwhile
      this.attach(new Term({ cols: layout.cols, rows: layout.rows, scrollback: SCROLLBACK, allowProposedApi: true }), conn);
      conn.resize(layout.rows, layout.cols);
      this.patch({ shell: shell.name });
      this.ctx.info(live.length ? `reattached to ${shell.name} in ${c.name}` : `shell ${shell.name} in ${c.name}`);
    } catch (e) {
      const error = `shell: ${errorLine(e)}`;
      this.patch({ error, focused: false, exited: null });
      this.ctx.error(error);
    } finally {
      this.opening = false;
    }
  }

  private attach(term: Terminal, conn: ShellConnection): void {
    this.term = term;
    this.conn = conn;
    this.rows = [];
    this.dirty = undefined;
    this.floods = 0;
    this.tracked = onDirtyRows(term, (r) => this.markDirty(r));
    term.onScroll(() => (this.dirty = undefined));
    term.buffer.onBufferChange(() => (this.dirty = undefined));
    term.onWriteParsed(() => {
      if (!this.tracked) this.dirty = undefined;
      this.bump();
    });
    // The emulator's answers to the program's queries (cursor position, device
    // attributes), once the user typed here: the backlog a reattached pane replays
    // holds old queries (vi's, at its start), whose answers would land in the shell
    // as typed text.
    this.typed = false;
    term.onData((d) => {
      if (this.typed) conn.write(d);
    });
    conn.onData((d) => {
      this.pending += d.length;
      term.write(d);
    });
    conn.onEnd((code) => {
      if (this.conn !== conn) return;
      this.conn = undefined;
      this.patch({ exited: code, focused: false });
      const name = this.state?.container ?? '';
      if (code === null) this.ctx.error(`shell in ${name}: the connection to its monitor was lost`);
      else this.ctx.info(`shell in ${name} exited${code ? ` with status ${code}` : ''}`);
    });
  }

  private markDirty(r?: { start: number; end: number }): void {
    if (!r) return void (this.dirty = undefined);
    if (!this.dirty) return;
    for (let y = r.start; y <= r.end; y++) this.dirty.add(y);
  }

  /** One redraw per frame however much output comes. */
  private bump(): void {
    if (this.bumpTimer) return;
    this.bumpTimer = setTimeout(
      () => {
        this.bumpTimer = undefined;
        this.flood = this.pending > FLOOD_BYTES;
        this.pending = 0;
        this.floods = this.flood ? this.floods + 1 : 0;
        this.fitScrollback();
        const st = this.ctx.store.get();
        const cur = st.pane;
        // Not on screen (another view): no redraw; its changed rows are drawn when it shows.
        if (cur && st.view === 'detail' && st.detail?.id === cur.id) this.patch({ seq: cur.seq + 1 });
      },
      this.flood ? FLOOD_MS : FRAME_MS,
    );
    this.bumpTimer.unref?.();
  }

  /** The scroll-back's size for the output now (FLOOD_SCROLLBACK under a long flood). */
  private fitScrollback(): void {
    const term = this.term;
    if (!term) return;
    const buf = term.buffer.active;
    const want = this.floods >= FLOOD_SHRINK && buf.viewportY === buf.baseY ? FLOOD_SCROLLBACK : SCROLLBACK;
    if (term.options.scrollback === want) return;
    term.options.scrollback = want; // the normal buffer's ring resized (trimmed when smaller)
    this.dirty = undefined;
  }

  /** Keys, before the dashboard's: true when the pane took it (focused, or the focus key). */
  takeKey(input: string, key: KeyEvent): boolean {
    const st = this.state;
    if (!st) return false;
    if (isFocusKey(input, key)) {
      if (st.focused) return this.patch({ focused: false }), true;
      if (st.exited !== undefined || !this.conn) return true;
      this.openDetail(st.id);
      this.patch({ focused: true });
      return true;
    }
    if (!st.focused) return false;
    const term = this.term;
    const lines = scrollKey(key, Math.max(1, (term?.rows ?? 2) - 1));
    if (lines !== undefined && this.scroll(lines)) return true;
    const bytes = paneKeyBytes({ input, key }, !!term?.modes.applicationCursorKeysMode);
    if (bytes && this.conn) {
      this.typed = true;
      // Typing returns to the live screen, as xterm's scrollOnUserInput does.
      if (term && term.buffer.active.viewportY !== term.buffer.active.baseY) {
        term.scrollToBottom();
        this.redraw();
      }
      this.conn.write(bytes);
    }
    return true;
  }

  /** The view `lines` down (negative: up) the scroll-back. False: there is none (the
   * alternate screen of vi or top keeps none; nothing has scrolled off yet) and the
   * key is the program's. */
  private scroll(lines: number): boolean {
    const term = this.term;
    if (!term || term.buffer.active.baseY === 0) return false;
    term.scrollLines(lines);
    this.fitScrollback();
    this.redraw();
    return true;
  }

  /** A redraw now (a key's effect shows at once, not at the next output). */
  private redraw(): void {
    const cur = this.state;
    if (cur) this.patch({ seq: cur.seq + 1 });
  }

  /** Esc in the detail view with a pane: close it (asking, while the shell runs). True when it took the key. */
  back(): boolean {
    const st = this.state;
    if (!st || this.ctx.store.get().view !== 'detail' || this.ctx.store.get().detail?.id !== st.id) return false;
    if (st.exited !== undefined || !this.conn) {
      this.close();
      return true;
    }
    this.ctx.store.set({
      dialog: {
        kind: 'confirm',
        question: `Close the shell pane: y ends ${st.shell}, n detaches it (it runs on; E reattaches)`,
        onYes: () => void this.end(),
        onNo: () => {
          this.close();
          this.ctx.info(`${st.shell} runs on in ${st.container}: E reattaches`);
        },
      },
    });
    return true;
  }

  /** Ends the shell (its monitor sends it SIGHUP) and closes the pane. */
  async end(): Promise<void> {
    const st = this.state;
    if (!st) return;
    this.close();
    try {
      await this.ctx.engine.endShell(st.id, st.shell);
      this.ctx.info(`ended ${st.shell} in ${st.container}`);
    } catch (e) {
      this.ctx.error(`ending ${st.shell}: ${errorLine(e)}`);
    }
  }

  /** Detaches (the shell runs on) and forgets the pane. */
  close(): void {
    const conn = this.conn;
    this.conn = undefined;
    conn?.close();
    this.term?.dispose();
    this.term = undefined;
    this.cell = undefined;
    if (this.bumpTimer) clearTimeout(this.bumpTimer);
    this.bumpTimer = undefined;
    if (this.state) this.ctx.store.set({ pane: undefined });
  }

  /** The pane's lines at `width` × `height`: its title, then the emulator's screen. */
  lines(st: PaneState, p: Painter, width: number, height: number): string[] {
    const rows = Math.max(1, height - 1);
    const term = this.term;
    if (!term) return [paneTitle(st, p, width), ...Array.from({ length: rows }, () => ' '.repeat(width))];
    if (term.cols !== width || term.rows !== rows) {
      term.resize(width, rows);
      this.conn?.resize(rows, width);
      this.dirty = undefined;
    }
    const buf = term.buffer.active;
    const scrolled = buf.baseY - buf.viewportY;
    const title = paneTitle({ ...st, scrolled }, p, width);
    // Scrolled back: the emulator's changed rows are the live screen's, not the view's
    // (and trimmed scroll-back moves the view's lines): all rows are drawn.
    if (scrolled) this.dirty = undefined;
    const showCursor =
      !scrolled && st.focused && st.exited === undefined && !(term as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core?.coreService?.isCursorHidden;
    const key = `${width}x${rows}:${showCursor}:${p.enabled}`;
    if (key !== this.drawnKey) this.dirty = undefined;
    this.drawnKey = key;
    // The cursor's old and new rows are drawn again when it moved.
    if (this.dirty && (this.cursor.x !== buf.cursorX || this.cursor.y !== buf.cursorY)) {
      this.dirty.add(this.cursor.y).add(buf.cursorY);
    }
    this.cursor = { x: buf.cursorX, y: buf.cursorY };
    this.cell ??= buf.getNullCell();
    this.rows = renderScreen(buf, width, rows, this.cell, { cursor: !!showCursor, colors: p.enabled, prev: this.rows, dirty: this.dirty });
    this.dirty = new Set();
    return [title, ...this.rows];
  }
}
