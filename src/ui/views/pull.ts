// The lines of pulls in flight: one overall line per pull (a bar, the percentage,
// bytes downloaded, layers done) and one line per layer (its phase and that
// phase's bar), plus the few words the status line shows while the user is in
// another view. Pure functions of the progress events the engine sends.
import type { TransferPhase, TransferProgress } from '../../engine/types.js';
import { fit, fmtBytes, textWidth } from '../format.js';
import type { Painter } from '../paint.js';
import type { PullProgress } from '../state.js';

const PHASE_WORDS: Record<TransferPhase, string> = {
  waiting: 'waiting',
  downloading: 'downloading',
  verifying: 'verifying',
  downloaded: 'downloaded',
  extracting: 'extracting',
  exists: 'exists',
  uploading: 'uploading',
  done: 'done',
};

const PHASE_WIDTH = 11;
const ID_WIDTH = 12;
/** "1023M/1023M": fmtBytes is at most 5 columns. */
const BYTES_WIDTH = 11;
const MAX_LAYER_BAR = 30;
const MAX_OVERALL_BAR = 40;

/** How far the phase a layer is in has come, 0..1 (a layer's bar). */
export function phaseFraction(e: TransferProgress): number {
  switch (e.phase) {
    case 'waiting':
      return 0;
    case 'downloading':
    case 'extracting':
    case 'uploading':
      return e.total > 0 ? Math.min(1, e.current / e.total) : 0;
    default:
      return 1;
  }
}

/** How far a whole layer has come, 0..1: downloading is the first half, extracting the second. */
export function layerFraction(e: TransferProgress): number {
  switch (e.phase) {
    case 'waiting':
      return 0;
    case 'downloading':
      return phaseFraction(e) / 2;
    case 'verifying':
    case 'downloaded':
      return 0.5;
    case 'extracting':
      return 0.5 + phaseFraction(e) / 2;
    default:
      return 1;
  }
}

export interface PullTotals {
  /** 0..1 over the layers this pull has to fetch (weighted by size). */
  fraction: number;
  /** Bytes downloaded and to download (layers already here left out). */
  downloaded: number;
  total: number;
  /** Layers finished (pulled now or already here) and all layers. */
  layersDone: number;
  layers: number;
}

export function pullTotals(layers: readonly TransferProgress[]): PullTotals {
  let weight = 0;
  let done = 0;
  let downloaded = 0;
  let total = 0;
  let layersDone = 0;
  for (const e of layers) {
    if (e.phase === 'exists' || e.phase === 'done') layersDone++;
    if (e.phase === 'exists') continue;
    const size = Math.max(0, e.total);
    const w = Math.max(1, size);
    weight += w;
    done += w * layerFraction(e);
    total += size;
    downloaded += e.phase === 'waiting' ? 0 : e.phase === 'downloading' ? Math.min(size, e.current) : size;
  }
  const fraction = weight > 0 ? done / weight : layers.length > 0 ? 1 : 0;
  return { fraction, downloaded, total, layersDone, layers: layers.length };
}

/** `width` cells: done ones solid, the rest shaded. */
export function progressBar(fraction: number, width: number, p: Painter): string {
  if (width <= 0) return '';
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.floor(f * width);
  return p.fg('running', '█'.repeat(full)) + p.fg('dim', '░'.repeat(width - full));
}

function percent(fraction: number): string {
  return `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)}%`.padStart(4);
}

/** "pull busybox:latest  ████████░░░░  45%  1.2M/2.4M  1/3 layers", fitted to `width`. */
export function overallLine(pull: PullProgress, p: Painter, width: number): string {
  const head = `pull ${pull.ref}`;
  if (pull.layers.length === 0) return p.bold(fit(`${head}  fetching the manifest…`, width));
  const t = pullTotals(pull.layers);
  const headW = Math.min(textWidth(head), Math.max(16, Math.floor(width * 0.4)));
  let rest = width - headW - 2 - 1 - 4;
  const tails = [`  ${fmtBytes(t.downloaded)}/${fmtBytes(t.total)}`, `  ${t.layersDone}/${t.layers} layers`];
  while (tails.length > 0 && rest - tails.reduce((n, s) => n + s.length, 0) < 10) tails.pop();
  rest -= tails.reduce((n, s) => n + s.length, 0);
  const barW = Math.min(MAX_OVERALL_BAR, rest);
  const bar = barW >= 4 ? `  ${progressBar(t.fraction, barW, p)} ` : ' ';
  return p.bold(fit(head, headW)) + bar + percent(t.fraction) + tails.join('');
}

/** "  3f4fad804008  downloading ██████░░░░  1.2M/2.4M", fitted to `width`. */
export function layerLine(e: TransferProgress, p: Painter, width: number): string {
  const head = `  ${fit(e.id, ID_WIDTH)}  ${fit(PHASE_WORDS[e.phase], PHASE_WIDTH)} `;
  const bytes =
    e.phase === 'downloading' || e.phase === 'extracting' || e.phase === 'uploading'
      ? `${fmtBytes(e.current)}/${fmtBytes(e.total)}`
      : e.total > 0
        ? fmtBytes(e.total)
        : '';
  const barW = Math.min(MAX_LAYER_BAR, width - head.length - 1 - BYTES_WIDTH);
  if (barW < 4) return fit(head + bytes, width);
  const colour = e.phase === 'done' || e.phase === 'exists' ? 'dim' : 'text';
  return p.fg(colour, head) + progressBar(phaseFraction(e), barW, p) + ' ' + fit(bytes, BYTES_WIDTH, 'right');
}

function finished(e: TransferProgress): boolean {
  return e.phase === 'done' || e.phase === 'exists';
}

/**
 * Every pull's lines in at most `maxLines`: the overall line first; layers
 * follow while there is room, finished ones folded into a count first.
 */
export function pullLines(pulls: readonly PullProgress[], p: Painter, width: number, maxLines: number): string[] {
  const out: string[] = [];
  if (maxLines <= 0) return out;
  const each = Math.max(1, Math.floor(maxLines / pulls.length));
  for (const pull of pulls) {
    if (out.length >= maxLines) break;
    const room = Math.min(each, maxLines - out.length);
    out.push(overallLine(pull, p, width));
    if (room <= 1) continue;
    let layers: readonly TransferProgress[] = pull.layers;
    const notes: string[] = [];
    if (layers.length > room - 1) {
      const done = layers.filter(finished).length;
      layers = layers.filter((e) => !finished(e));
      if (done > 0) notes.push(`${done} ${done === 1 ? 'layer' : 'layers'} done`);
    }
    const fitsAll = layers.length + (notes.length > 0 ? 1 : 0) <= room - 1;
    const shown = fitsAll ? layers : layers.slice(0, Math.max(0, room - 2));
    if (shown.length < layers.length) notes.push(`${layers.length - shown.length} more`);
    for (const e of shown) out.push(layerLine(e, p, width));
    if (notes.length > 0) out.push(p.fg('dim', fit(`  + ${notes.join(', ')}`, width)));
  }
  return out.slice(0, maxLines);
}

/** What the status line says while pulls run: "pulling busybox:latest 45%". */
export function pullSummary(pulls: readonly PullProgress[]): string {
  if (pulls.length === 0) return '';
  const all = pulls.flatMap((x) => x.layers);
  const pct = all.length > 0 ? ` ${Math.floor(pullTotals(all).fraction * 100)}%` : '…';
  return pulls.length === 1 ? `pulling ${pulls[0].ref}${pct}` : `pulling ${pulls.length} images${pct}`;
}
