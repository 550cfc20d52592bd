// Block sparklines (▁▂▃▄▅▆▇█): one sample per column, eight levels per row, the
// newest sample at the right. Columns without data are blank; a sample at the
// bottom of the scale still shows as ▁ so "idle" and "no data" look different.
import { paint } from './ansi.js';

export interface SparklineOptions {
  min?: number;
  /** Top of the scale (default: the largest sample, at least min + 1). */
  max?: number;
  /** SGR prefix for the whole line (one escape per row). */
  color?: string;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

export function sparkline(series: readonly number[], width: number, height = 1, opts: SparklineOptions = {}): string[] {
  width = Math.max(0, Math.floor(width));
  height = Math.max(1, Math.floor(height));
  // Drawn on every redraw for every row on screen: loops, no spread or intermediate arrays.
  const from = Math.max(0, series.length - width);
  const n = series.length - from;
  const min = opts.min ?? 0;
  let max = opts.max;
  if (max === undefined) {
    max = min + 1;
    for (let i = from; i < series.length; i++) if (Number.isFinite(series[i]) && series[i] > max) max = series[i];
  }
  if (!(max > min)) max = min + 1;
  const levels = height * 8;
  const pad = width - n;
  const lines: string[] = [];
  for (let row = 0; row < height; row++) {
    const base = (height - 1 - row) * 8;
    let s = ' '.repeat(pad);
    for (let i = from; i < series.length; i++) {
      const v = series[i];
      const l = Number.isFinite(v) ? Math.min(levels, Math.max(1, Math.round(((v - min) / (max - min)) * levels))) : 0;
      const cell = Math.min(8, Math.max(0, l - base));
      s += cell === 0 ? ' ' : BLOCKS[cell - 1];
    }
    lines.push(paint(s, opts.color));
  }
  return lines;
}
