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
  const data = series.slice(-width);
  const min = opts.min ?? 0;
  let max = opts.max ?? Math.max(min + 1, ...data.filter(Number.isFinite));
  if (!(max > min)) max = min + 1;
  const levels = height * 8;
  const level = data.map((v) => {
    if (!Number.isFinite(v)) return 0;
    const l = Math.round(((v - min) / (max - min)) * levels);
    return Math.min(levels, Math.max(1, l));
  });
  const pad = width - data.length;
  const lines: string[] = [];
  for (let row = 0; row < height; row++) {
    const base = (height - 1 - row) * 8;
    let s = ' '.repeat(pad);
    for (const l of level) {
      const cell = Math.min(8, Math.max(0, l - base));
      s += cell === 0 ? ' ' : BLOCKS[cell - 1];
    }
    lines.push(paint(s, opts.color));
  }
  return lines;
}
