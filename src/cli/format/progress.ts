// Per-layer progress of pull and push, drawn like docker's: one line per layer,
// `ID: Status [=====>     ]  1.2MB/3.4MB`, redrawn in place on a terminal; on a
// pipe or file, one plain line each time a layer changes phase (no bars).
import type { TransferPhase, TransferProgress } from '../../engine/types.js';

export type TransferMode = 'pull' | 'push' | 'load';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** go-units HumanSize (4 significant digits, decimal units), as docker's progress uses. */
export function progressSize(bytes: number): string {
  let size = Math.max(0, bytes);
  let i = 0;
  while (size >= 1000 && i < UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  if (Number(size.toPrecision(4)) >= 1000 && i < UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  const s = size.toPrecision(4);
  return (s.includes('.') ? s.replace(/\.?0+$/, '') : s) + UNITS[i];
}

/** docker's bar: 50 cells, `=` done, `>` the head; then `current/total` right-aligned to 8. */
export function progressBar(current: number, total: number, withBar: boolean): string {
  if (total <= 0) return current > 0 ? progressSize(current).padStart(8) : '';
  const half = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = withBar ? `[${'='.repeat(half)}>${' '.repeat(50 - half)}] ` : '';
  const numbers = current > total ? progressSize(current).padStart(8) : `${progressSize(current).padStart(8)}/${progressSize(total)}`;
  return bar + numbers;
}

const WORDS: Record<TransferMode, Record<TransferPhase, string>> = {
  pull: {
    waiting: 'Waiting',
    downloading: 'Downloading',
    verifying: 'Verifying Checksum',
    downloaded: 'Download complete',
    extracting: 'Extracting',
    exists: 'Already exists',
    uploading: 'Pushing',
    done: 'Pull complete',
  },
  // `hutch load` on a terminal: each layer stays "extracting" (bytes of the archive read) to the end.
  load: {
    waiting: 'Waiting',
    downloading: 'Downloading',
    verifying: 'Verifying Checksum',
    downloaded: 'Download complete',
    extracting: 'Loading layer',
    exists: 'Already exists',
    uploading: 'Pushing',
    done: 'Loading layer',
  },
  push: {
    waiting: 'Waiting',
    downloading: 'Downloading',
    verifying: 'Verifying Checksum',
    downloaded: 'Download complete',
    extracting: 'Extracting',
    exists: 'Layer already exists',
    uploading: 'Pushing',
    done: 'Pushed',
  },
};

const WITH_BYTES: ReadonlySet<TransferPhase> = new Set(['downloading', 'extracting', 'uploading']);

/** One layer's line. The bar needs room: it is left out below 100 columns, and
 * so are the byte counts with `columns` 0 (plain output). */
export function progressLine(e: TransferProgress, mode: TransferMode, columns = 120): string {
  const status = WORDS[mode][e.phase];
  const head = `${e.id}: ${status}`;
  if (!WITH_BYTES.has(e.phase) || columns <= 0) return head;
  const numbers = progressBar(e.current, e.total, columns >= 100);
  return numbers ? `${head} ${numbers}` : head;
}

export interface ProgressViewOptions {
  tty: boolean;
  columns?: number;
  mode: TransferMode;
  /** Shortest time between two redraws of the terminal. */
  intervalMs?: number;
  now?: () => number;
}

/** Draws the lines of one transfer to `write`. */
export class ProgressView {
  private readonly order: string[] = [];
  private readonly state = new Map<string, TransferProgress>();
  private drawn = 0;
  private lastDraw = 0;
  private pending = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (s: string) => void,
    private readonly o: ProgressViewOptions,
  ) {}

  update(e: TransferProgress): void {
    const prev = this.state.get(e.id);
    if (!prev) this.order.push(e.id);
    this.state.set(e.id, e);
    if (!this.o.tty) {
      if (!prev || prev.phase !== e.phase) this.write(`${progressLine(e, this.o.mode, 0)}\n`);
      return;
    }
    const now = (this.o.now ?? Date.now)();
    const phaseChanged = !prev || prev.phase !== e.phase;
    if (phaseChanged || now - this.lastDraw >= (this.o.intervalMs ?? 100)) this.draw();
    else if (!this.timer) {
      this.pending = true;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.pending) this.draw();
      }, this.o.intervalMs ?? 100);
      this.timer.unref?.();
    }
  }

  /** The final state of every line (a terminal shows the last redraw). */
  finish(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.o.tty && this.pending) this.draw();
  }

  private draw(): void {
    this.pending = false;
    this.lastDraw = (this.o.now ?? Date.now)();
    const columns = this.o.columns ?? 80;
    // Every line stays shorter than the terminal: a wrapped line would throw off
    // the cursor-up count of the next redraw.
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const id of this.order) {
      const line = progressLine(this.state.get(id)!, this.o.mode, columns).slice(0, Math.max(1, columns - 1));
      s += `\r\x1b[2K${line}\n`;
    }
    this.drawn = this.order.length;
    this.write(s);
  }
}
