// The logs view's behaviour: opening the logs of one container or of several
// (merged by time), following them as they grow (lines buffered and moved into
// the store at most every 50 ms, the oldest dropped past 10,000), scrolling,
// searching, the time and wrap toggles, sideways scrolling of cut lines, and
// saving to a file (through the engine: the UI does no file work).
import type { ContainerInfo } from '../engine/types.js';
import type { UiContext } from './context.js';
import { errorLine } from './format.js';
import { pageRows, type LogEntry, type LogsState } from './state.js';
import { cleanText, logsLayout, logsMaxTop } from './views/logs.js';

const MAX_LOG_LINES = 10_000;
const LOG_TAIL = 1000;
const FLUSH_MS = 50;

export class LogsPane {
  private abort?: AbortController;
  private pending: LogEntry[] = [];
  private flushTimer?: NodeJS.Timeout;
  private seq = 0;

  constructor(private readonly ctx: UiContext) {}

  /** The logs of all of `list` merged by time, or an error when there are none. */
  openMerged(list: ContainerInfo[]): void {
    if (list.length === 0) this.ctx.error('no containers to show logs of');
    else this.open(list, true);
  }

  open(list: ContainerInfo[], merged: boolean): void {
    this.close();
    const abort = new AbortController();
    this.abort = abort;
    const logs: LogsState = {
      ids: list.map((c) => c.id),
      merged,
      names: list.map((c) => c.name),
      title: merged ? `merged logs of ${list.length === 1 ? list[0].name : `${list.length} containers`}` : `logs of ${list[0].name}`,
      lines: [],
      dropped: 0,
      follow: true,
      top: 0,
      search: '',
      match: -1,
      timestamps: false,
      wrap: false,
      left: 0,
    };
    this.ctx.store.set({ view: 'logs', logs });
    for (const c of list) void this.stream(c, abort.signal);
  }

  /** Stops reading (leaving the view, quitting). */
  close(): void {
    this.abort?.abort();
    this.abort = undefined;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending = [];
  }

  private async stream(c: ContainerInfo, signal: AbortSignal): Promise<void> {
    try {
      for await (const l of this.ctx.engine.logs(c.id, { follow: true, tail: LOG_TAIL, signal })) {
        if (signal.aborted) return;
        this.pending.push({ seq: this.seq++, cid: c.id, name: c.name, time: l.time, stream: l.stream, text: l.text });
        this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
      }
    } catch (e) {
      if (signal.aborted) return;
      const logs = this.ctx.store.get().logs;
      if (logs) this.ctx.store.set({ logs: { ...logs, error: `${c.name}: ${errorLine(e)}` } });
    }
  }

  /** Moves buffered lines into the store, time-ordered for merged logs. */
  flush(): void {
    this.flushTimer = undefined;
    const logs = this.ctx.store.get().logs;
    const incoming = this.pending;
    this.pending = [];
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
    this.ctx.store.set({ logs: { ...logs, lines, dropped, top, match } });
  }

  /** The logs and how far down they can scroll, when the view shows them. */
  private view(): { logs: LogsState; rows: number; maxTop: number; width: number } | undefined {
    const st = this.ctx.store.get();
    if (!st.logs) return undefined;
    const rows = pageRows(st);
    const width = st.size.columns;
    return { logs: st.logs, rows, maxTop: logsMaxTop(st.logs, width, rows), width };
  }

  /** Scrolls by `delta` lines (±Infinity: to the start or the end). Reaching the end follows again. */
  scroll(delta: number): void {
    const v = this.view();
    if (!v) return;
    const { logs, maxTop } = v;
    const from = logs.follow ? maxTop : logs.top;
    const top = Number.isFinite(delta) ? from + delta : delta < 0 ? 0 : maxTop;
    const clamped = Math.max(0, Math.min(maxTop, top));
    const follow = delta === Infinity || (delta > 0 && clamped >= maxTop);
    this.ctx.store.set({ logs: { ...logs, top: clamped, follow } });
  }

  toggleFollow(): void {
    const v = this.view();
    if (v) this.ctx.store.set({ logs: { ...v.logs, follow: !v.logs.follow, top: v.maxTop } });
  }

  /** The search prompt's Enter: the newest match the user can reach, from the bottom of the screen up. */
  search(term: string): void {
    const v = this.view();
    if (!v) return;
    const { logs, rows } = v;
    if (!term) {
      this.ctx.store.set({ logs: { ...logs, search: '', match: -1 } });
      return;
    }
    const bottom = logs.follow ? logs.lines.length - 1 : Math.min(logs.lines.length - 1, logs.top + rows - 1);
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

  /** n / N: the next match below or above the current one. */
  findMatch(dir: 1 | -1): void {
    const logs = this.ctx.store.get().logs;
    if (!logs) return;
    if (!logs.search) return this.ctx.error('no search: press / first');
    const t = logs.search.toLowerCase();
    const start = logs.match >= 0 ? logs.match : dir > 0 ? -1 : logs.lines.length;
    for (let i = start + dir; i >= 0 && i < logs.lines.length; i += dir) {
      if (logs.lines[i].text.toLowerCase().includes(t)) return this.showMatch(logs, i);
    }
    this.ctx.error(`no ${dir > 0 ? 'later' : 'earlier'} match for ${JSON.stringify(logs.search)}`);
  }

  private showMatch(logs: LogsState, match: number): void {
    if (match < 0) {
      this.ctx.store.set({ logs: { ...logs, match: -1 } });
      this.ctx.error(`not found: ${JSON.stringify(logs.search)}`);
      return;
    }
    const st = this.ctx.store.get();
    const rows = pageRows(st);
    const maxTop = logsMaxTop(logs, st.size.columns, rows);
    const top = Math.max(0, Math.min(maxTop, match - Math.floor(rows / 2)));
    this.ctx.store.set({ logs: { ...logs, match, top, follow: false, left: this.leftFor(logs, match, st.size.columns) } });
  }

  /** Cut lines: the match in sight (a third of the width in), else the columns as they were. */
  private leftFor(logs: LogsState, match: number, width: number): number {
    if (logs.wrap) return logs.left;
    const { budget } = logsLayout(logs, width);
    const text = cleanText(logs.lines[match].text).toLowerCase();
    const col = Array.from(text.slice(0, Math.max(0, text.indexOf(logs.search.toLowerCase())))).length;
    if (col >= logs.left && col + logs.search.length <= logs.left + budget) return logs.left;
    return Math.max(0, col - Math.floor(budget / 3));
  }

  /** `T`: each line's time shown or not (a saved file follows it). */
  toggleTimestamps(): void {
    const v = this.view();
    if (v) this.ctx.store.set({ logs: { ...v.logs, timestamps: !v.logs.timestamps } });
  }

  /** `w`: wrapped or cut; the same line stays first on screen, and wrapping starts at column 1 again. */
  toggleWrap(): void {
    const v = this.view();
    if (!v) return;
    const top = v.logs.follow ? v.maxTop : v.logs.top;
    const logs = { ...v.logs, wrap: !v.logs.wrap, left: 0 };
    this.ctx.store.set({ logs: { ...logs, top: Math.min(top, logsMaxTop(logs, v.width, v.rows)) } });
  }

  /** `<` `>`: cut lines shift sideways by half the text's width, no further than the longest line shown goes. */
  shift(dir: 1 | -1): void {
    const v = this.view();
    if (!v) return;
    const { logs, rows, width } = v;
    if (logs.wrap) return this.ctx.info('lines wrap: nothing to scroll sideways (w cuts them)');
    const { budget } = logsLayout(logs, width);
    const top = logs.follow ? v.maxTop : logs.top;
    let longest = 0;
    for (const l of logs.lines.slice(top, top + rows)) longest = Math.max(longest, Array.from(cleanText(l.text)).length);
    const left = Math.max(0, Math.min(Math.max(0, longest - budget), logs.left + dir * Math.max(1, Math.floor(budget / 2))));
    this.ctx.store.set({ logs: { ...logs, left } });
  }

  /** `W`: asks where, with ./NAME.log first. */
  askSavePath(): void {
    const logs = this.ctx.store.get().logs;
    if (!logs) return;
    const base = logs.merged ? 'merged' : logs.names[0] ?? 'container';
    this.ctx.store.set({ prompt: { kind: 'saveLogs', value: `./${base}.log` } });
  }

  /** The save prompt's Enter: the whole log of each container (not just the lines loaded), with times when shown. */
  async save(path: string): Promise<void> {
    const logs = this.ctx.store.get().logs;
    if (!logs) return;
    if (!path.trim()) return this.ctx.error('save: no path given');
    try {
      const n = await this.ctx.engine.saveLogs(logs.ids, path, { timestamps: logs.timestamps });
      this.ctx.info(`saved ${n} ${n === 1 ? 'line' : 'lines'} to ${path}`);
    } catch (e) {
      this.ctx.error(errorLine(e));
    }
  }
}

/** Merges time-sorted `b` into time-sorted `a` (b is usually all newer: a plain append). */
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
