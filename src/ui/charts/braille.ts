// Braille line and area charts: each terminal cell holds a 2×4 grid of dots
// (U+2800 + mask), so a chart gets two samples per column and four levels per row.
// Pure: (series, width, height, options) → one string per row, the newest sample
// at the right edge, y-axis labels on the left, an optional limit drawn dashed.
import { paintRuns } from './ansi.js';
import { niceCeil } from './scale.js';

export interface BrailleChartOptions {
  /** Bottom of the y axis (default 0). */
  min?: number;
  /** Top of the y axis (default: a round number above the data and the limit). */
  max?: number;
  /** A horizontal line drawn dashed at this value (e.g. the memory limit). */
  limit?: number | null;
  /** Fill the area under the line. */
  area?: boolean;
  /** Label formatter for the y axis (default: the number). */
  format?: (value: number) => string;
  /** Draw y-axis labels (default true when the chart is wide enough). */
  labels?: boolean;
  /** SGR prefixes; undefined draws in the default colour. */
  color?: string;
  limitColor?: string;
  axisColor?: string;
}

// Dot bits by [row within the cell, top first][column within the cell].
const DOT = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

const NONE = 0;
const LIMIT = 1;
const DATA = 2;

export function brailleChart(
  series: readonly number[],
  width: number,
  height: number,
  opts: BrailleChartOptions = {},
): string[] {
  width = Math.max(0, Math.floor(width));
  height = Math.max(0, Math.floor(height));
  if (width === 0 || height === 0) return Array.from({ length: height }, () => '');
  const min = opts.min ?? 0;
  const limit = opts.limit ?? null;
  let max = opts.max ?? niceCeil(Math.max(min, limit ?? min, ...series.filter(Number.isFinite)) - min) + min;
  if (!(max > min)) max = min + 1;
  const format = opts.format ?? ((v: number) => String(Number(v.toPrecision(3))));
  const dotsY = height * 4;

  // y-axis labels on the top row, the bottom row and (for taller charts) the
  // row that holds the middle value.
  const toY = (v: number) => Math.min(dotsY - 1, Math.max(0, Math.round(((v - min) / (max - min)) * (dotsY - 1))));
  const labelRows = new Map<number, string>();
  if (opts.labels !== false) {
    labelRows.set(0, format(max));
    if (height >= 2) labelRows.set(height - 1, format(min));
    if (height >= 5) {
      const mid = (max + min) / 2;
      labelRows.set(height - 1 - (toY(mid) >> 2), format(mid));
    }
  }
  let labelWidth = 0;
  for (const l of labelRows.values()) labelWidth = Math.max(labelWidth, l.length);
  // Labels only when at least 4 columns are left for the plot.
  const withLabels = labelRows.size > 0 && width - labelWidth - 1 >= 4;
  const plotCols = withLabels ? width - labelWidth - 1 : width;
  const dotsX = plotCols * 2;

  const bits = Array.from({ length: height }, () => new Array<number>(plotCols).fill(0));
  const kind = Array.from({ length: height }, () => new Array<number>(plotCols).fill(NONE));
  const dot = (x: number, y: number, k: number) => {
    const row = height - 1 - (y >> 2);
    const col = x >> 1;
    bits[row][col] |= DOT[3 - (y & 3)][x & 1];
    if (k > kind[row][col]) kind[row][col] = k;
  };

  if (limit !== null && limit >= min && limit <= max) {
    const y = toY(limit);
    for (let x = 0; x < dotsX; x += 2) dot(x, y, LIMIT);
  }

  const data = series.slice(-dotsX);
  const offset = dotsX - data.length;
  let prev: number | undefined;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      prev = undefined;
      continue;
    }
    const x = offset + i;
    const y = toY(v);
    let from = y;
    let to = y;
    if (opts.area) from = 0;
    else if (prev !== undefined) {
      // Join to the previous sample with a vertical run so the line has no gaps.
      if (prev < y) from = prev + 1;
      else if (prev > y) to = prev - 1;
    }
    for (let yy = Math.min(from, to); yy <= Math.max(from, to); yy++) dot(x, yy, DATA);
    prev = y;
  }

  const colorOf = [undefined, opts.limitColor, opts.color];
  const lines: string[] = [];
  for (let row = 0; row < height; row++) {
    const cells = bits[row].map((b) => String.fromCharCode(0x2800 + b));
    const plot = paintRuns(cells, kind[row].map((k) => colorOf[k]));
    if (!withLabels) {
      lines.push(plot);
      continue;
    }
    const label = labelRows.get(row);
    const axis = (label ?? '').padStart(labelWidth) + (label !== undefined ? '┤' : '│');
    lines.push(paintRuns([axis], [opts.axisColor]) + plot);
  }
  return lines;
}
