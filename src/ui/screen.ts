// The whole screen as lines: header, the view, status line and key footer, built
// from the store's state by the pure view functions. No React here.
//
// lines() is the snapshot App reads with useSyncExternalStore: it returns the
// previous array itself when no line changed (a stats sweep that moves nothing
// on screen, a key that changes state nobody shows), so React does not render,
// Ink does not lay out or draw, and nothing is written: no idle frames.
import type { Controller } from './controller.js';
import { fit } from './format.js';
import { makePainter, type Painter } from './paint.js';
import { bodyRows, type Size, type UiState } from './state.js';
import { colorDepth, type ColorDepth } from './theme.js';
import { detailLines, type DetailInput } from './views/detail.js';
import { composePane, paneFooter } from './views/pane.js';
import { footerLine, formLines, headerLine, helpLines, helpWindow, imagesLines, statusLine } from './views/chrome.js';
import { logsLines } from './views/logs.js';
import { networksLines } from './views/networks.js';
import { scrollTop, tableLines } from './views/table.js';
import { volumesLines } from './views/volumes.js';

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 8;

export class Screen {
  private painter?: { theme: unknown; p: Painter };
  /** First table row on screen (scrolling follows the selection). */
  private tableTop = 0;
  private last?: { st: UiState; columns: number; rows: number; lines: readonly string[] };
  private detailMemo?: { key: unknown[]; lines: string[] };

  constructor(
    private readonly controller: Controller,
    private readonly colors: boolean,
    /** The colours the terminal shows (NO_COLOR: none, whichever theme `t` picks). */
    private readonly depth: ColorDepth = colorDepth(process.env),
  ) {}

  /** The screen for `st` at `size`: the same array as last time when it did not change. */
  lines(st: UiState, size: Size): readonly string[] {
    const last = this.last;
    if (last && last.st === st && last.columns === size.columns && last.rows === size.rows) return last.lines;
    const next = this.build(st, size);
    const lines = last && sameLines(last.lines, next) ? last.lines : next;
    this.last = { st, columns: size.columns, rows: size.rows, lines };
    return lines;
  }

  private paint(st: UiState): Painter {
    if (!this.painter || this.painter.theme !== st.theme) this.painter = { theme: st.theme, p: makePainter(st.theme, this.colors, this.depth) };
    return this.painter.p;
  }

  private build(st: UiState, size: Size): string[] {
    const width = size.columns;
    const height = Math.max(1, size.rows - 1);
    if (width < MIN_COLUMNS || height < MIN_ROWS - 1) {
      return tooSmallLines(size);
    }
    const p = this.paint(st);
    const bodyHeight = bodyRows(size);
    let body: string[];
    try {
      body = this.view(st, p, width, bodyHeight);
    } catch (e) {
      body = [p.fg('error', fit(`this view failed: ${(e as Error).message} (Esc goes back)`, width))];
    }
    const visibleCount = this.controller.visible(st).length;
    const lines = [headerLine(st, p, width), ...body.slice(0, bodyHeight)];
    while (lines.length < height - 2) lines.push('');
    const footer = st.pane?.focused && !st.dialog ? paneFooter(p, width) : footerLine(st.view, this.controller.bindings, p, width);
    lines.push(statusLine(st, visibleCount, p, width), footer);
    return lines;
  }

  /**
   * The detail view beside (or above) a shell pane: the same lines while what they
   * show is the same, as the pane redraws many times a second between stats ticks.
   * A sweep brings a new sample (and the history with it); a second, a new `now`.
   */
  private paneDetail(input: DetailInput, p: Painter, width: number, height: number): string[] {
    const key = [input.c, input.detail, input.sample, input.history, input.history.cpu.length, input.history.cpu.at(-1), input.now, p, width, height];
    const memo = this.detailMemo;
    if (memo && memo.key.length === key.length && memo.key.every((k, i) => k === key[i])) return memo.lines;
    const lines = detailLines(input, p, width, height);
    this.detailMemo = { key, lines };
    return lines;
  }

  private view(st: UiState, p: Painter, width: number, height: number): string[] {
    const controller = this.controller;
    if (st.dialog?.kind === 'form') return formLines(st.dialog, p, width);
    switch (st.view) {
      case 'help':
        return helpWindow(helpLines(controller.bindings, p, width), st.helpTop, height);
      case 'images':
        return imagesLines(st, p, width, height);
      case 'networks':
        return networksLines(st, p, width, height);
      case 'volumes':
        return volumesLines(st, p, width, height);
      case 'logs':
        return st.logs ? logsLines(st.logs, p, width, height) : [];
      case 'detail': {
        const c = st.detail && st.containers.find((x) => x.id === st.detail!.id);
        if (!c || !st.detail) return [p.fg('dim', 'the container is gone (Esc goes back)')];
        const input = { c, detail: st.detail, sample: st.samples.get(c.id), history: controller.history(c.id), now: st.now };
        const pane = st.pane?.id === c.id && !st.detail.inspect ? st.pane : undefined;
        if (pane) return composePane((w, h) => this.paneDetail(input, p, w, h), (w, h) => controller.shellPane.lines(pane, p, w, h), p, width, height);
        return detailLines(input, p, width, height);
      }
      case 'containers': {
        const rows = controller.visible(st);
        const selected = controller.selectedIndex(st);
        this.tableTop = scrollTop(this.tableTop, Math.max(0, selected), height - 1, rows.length);
        return tableLines(
          { st, rows, selected, top: this.tableTop, history: (id, n) => controller.cpuTail(id, n), bindings: controller.bindings },
          p,
          width,
          height,
        );
      }
    }
  }
}

/**
 * The too-small message, fitted to the screen it is on: word-wrapped to the
 * width, and shorter wordings when the lines do not fit the height.
 */
export function tooSmallLines(size: Size): string[] {
  const width = Math.max(1, size.columns);
  const height = Math.max(1, size.rows - 1);
  const need = `${MIN_COLUMNS}×${MIN_ROWS}`;
  const now = `${size.columns}×${size.rows}`;
  // A no-break space keeps "(now 30×8)" on one line.
  const wordings = [`hutch needs at least ${need} (now\u00a0${now})`, `hutch needs ${need} (now\u00a0${now})`, `needs ${need}, now ${now}`, `needs ${need}`, need];
  for (const w of wordings) {
    const lines = wrapWords(w, width).map((l) => l.replace(/\u00a0/g, ' '));
    if (lines.length <= height && lines.every((l) => l.length <= width)) return lines;
  }
  return [fit(need, width)];
}

function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ' ' + word;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line) out.push(line);
  return out;
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
