// The images view's rows for builds running now (a `hutch build` in any process):
// above the images, in the REPOSITORY and TAG columns the image will have, then
// "building", the step under way and the time since the build started, in the
// colour the containers view gives a container with an action in flight. Not
// selectable: they are not images yet. Pure functions of the engine's BuildInfo.
import type { BuildInfo } from '../../engine/types.js';
import { fit, textWidth } from '../format.js';
import type { Painter } from '../paint.js';
import type { ImageColumnLayout } from './images.js';

/** Where an image row has its cursor (›): a building row's mark. */
const MARK = '●';
/** "59m59s", "23h59m": the elapsed column. */
const ELAPSED_WIDTH = 6;

/** Time since the start: "42s", "3m07s", "2h05m". */
export function fmtElapsed(ms: number): string {
  const s = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** REPOSITORY and TAG as `hutch images` will show the first `-t` name; `<none>` when untagged; "+N" for more names. */
export function buildRepoTag(b: Pick<BuildInfo, 'tags'>): { repository: string; tag: string } {
  if (b.tags.length === 0) return { repository: '<none>', tag: '<none>' };
  const name = b.tags[0].replace(/@.*$/, '');
  // A colon after the last slash starts the tag; before it, it is a registry's port.
  const colon = name.lastIndexOf(':');
  const tagged = colon > name.lastIndexOf('/');
  const more = b.tags.length > 1 ? ` +${b.tags.length - 1}` : '';
  return { repository: tagged ? name.slice(0, colon) : name, tag: (tagged ? name.slice(colon + 1) : 'latest') + more };
}

/** "[2/6] RUN make": the step's line, its "[n/m]" (with the stage's name) added when the build did not write one. */
export function buildStepText(b: Pick<BuildInfo, 'step' | 'steps' | 'current' | 'stage'>): string {
  const current = b.current.trim();
  if (current.startsWith('[')) return current;
  if (b.steps <= 0) return current;
  const at = `[${b.stage ? `${b.stage} ` : ''}${b.step}/${b.steps}]`;
  return current ? `${at} ${current}` : at;
}

/** One building row, exactly `width` columns wide where an image row is. */
export function buildingRow(b: BuildInfo, cols: readonly ImageColumnLayout[], now: number, p: Painter, width: number): string {
  const { repository, tag } = buildRepoTag(b);
  const repoW = cols.find((c) => c.name === 'repository')?.width ?? 16;
  const tagW = cols.find((c) => c.name === 'tag')?.width ?? 10;
  const head = `${fit(repository, repoW)} ${fit(tag, tagW)} `;
  const rest = Math.max(0, width - 2 - textWidth(head));
  const started = Date.parse(b.started);
  const elapsed = Number.isNaN(started) ? '' : fmtElapsed(now - started);
  // The step takes what the elapsed time leaves; on a very narrow screen the step goes first.
  const elapsedW = rest >= ELAPSED_WIDTH + 12 ? ELAPSED_WIDTH : 0;
  const step = buildStepText(b);
  const what = fit(`building${step ? ` ${step}` : ''}`, rest - (elapsedW ? elapsedW + 1 : 0));
  const tail = elapsedW ? ' ' + p.fg('dim', fit(elapsed, elapsedW, 'right')) : '';
  return `${p.fg('created', MARK)} ${head}${p.fg('created', what)}${tail}`;
}

/**
 * The building rows in at most `maxLines` lines: the oldest builds first, and when
 * they do not all fit, the last line counts the others.
 */
export function buildingLines(builds: readonly BuildInfo[], cols: readonly ImageColumnLayout[], now: number, p: Painter, width: number, maxLines: number): string[] {
  if (builds.length === 0 || maxLines <= 0) return [];
  if (builds.length <= maxLines) return builds.map((b) => buildingRow(b, cols, now, p, width));
  const shown = builds.slice(0, maxLines - 1).map((b) => buildingRow(b, cols, now, p, width));
  const more = builds.length - shown.length;
  return [...shown, p.fg('created', fit(`  + ${more} more ${more === 1 ? 'build' : 'builds'} running`, width))];
}
