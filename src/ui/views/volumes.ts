// The volumes view: one row per volume (name, driver, how many containers mount
// it, its host directory), columns collapsing by priority on narrow terminals;
// under the rows, the selected volume's containers by name, whether it is
// anonymous, its labels and age. (VolumeInfo has no size: there is no SIZE column.)
import type { ContainerInfo, VolumeInfo } from '../../engine/types.js';
import { fit, fmtAge, shortId } from '../format.js';
import type { Painter } from '../paint.js';
import { position, type UiState } from '../state.js';

export type VolumeColumn = 'name' | 'driver' | 'containers' | 'mountpoint';

interface VolumeColumnSpec {
  title: string;
  width: number;
  align: 'left' | 'right';
  /** 0 never collapses; higher numbers go first when the terminal is narrow. */
  priority: number;
}

export const VOLUME_COLUMNS: Record<VolumeColumn, VolumeColumnSpec> = {
  name: { title: 'NAME', width: 16, align: 'left', priority: 0 },
  driver: { title: 'DRIVER', width: 6, align: 'left', priority: 3 },
  containers: { title: 'CONTAINERS', width: 10, align: 'right', priority: 1 },
  mountpoint: { title: 'MOUNTPOINT', width: 24, align: 'left', priority: 2 },
};

const ORDER: VolumeColumn[] = ['name', 'driver', 'containers', 'mountpoint'];

/** The cursor (›) and a space. */
const PREFIX = 2;
/** An anonymous volume's name is 64 hex digits: NAME grows up to that much, MOUNTPOINT takes the rest. */
const NAME_MAX = 64;

export interface VolumeColumnLayout {
  name: VolumeColumn;
  width: number;
}

/** Drops the least important columns until a row fits `width`; NAME (up to its longest name), then MOUNTPOINT take the slack. */
export function layoutVolumeColumns(width: number, longestName = 0): VolumeColumnLayout[] {
  let cols = [...ORDER];
  const total = (cs: VolumeColumn[]) => PREFIX + cs.reduce((n, c) => n + VOLUME_COLUMNS[c].width, 0) + cs.length - 1;
  while (total(cols) > width) {
    let worst = -1;
    for (let i = 0; i < cols.length; i++) {
      const pr = VOLUME_COLUMNS[cols[i]].priority;
      if (pr > 0 && (worst < 0 || pr > VOLUME_COLUMNS[cols[worst]].priority)) worst = i;
    }
    if (worst < 0) break;
    cols = cols.filter((_, i) => i !== worst);
  }
  const slack = Math.max(0, width - total(cols));
  const hasMount = cols.includes('mountpoint');
  const nameExtra = hasMount ? Math.min(slack, Math.max(0, Math.min(NAME_MAX, longestName) - VOLUME_COLUMNS.name.width)) : slack;
  return cols.map((c) => ({
    name: c,
    width: VOLUME_COLUMNS[c].width + (c === 'name' ? nameExtra : c === 'mountpoint' ? slack - nameExtra : 0),
  }));
}

function cellText(col: VolumeColumn, v: VolumeInfo): string {
  switch (col) {
    case 'name':
      return v.name;
    case 'driver':
      return v.driver;
    case 'containers':
      return String(v.containers.length);
    case 'mountpoint':
      return v.mountpoint;
  }
}

export function volumeHeader(cols: readonly VolumeColumnLayout[], p: Painter): string {
  const cells = cols.map((c) => fit(VOLUME_COLUMNS[c.name].title, c.width, VOLUME_COLUMNS[c.name].align));
  return p.fg('header', p.bold(' '.repeat(PREFIX) + cells.join(' ')));
}

export function volumeRow(v: VolumeInfo, cols: readonly VolumeColumnLayout[], selected: boolean, p: Painter): string {
  const cells = cols.map((c) => fit(cellText(c.name, v), c.width, VOLUME_COLUMNS[c.name].align));
  const line = `${selected ? '›' : ' '} ${cells.join(' ')}`;
  return selected ? p.selected(line) : line;
}

/** The names of the containers that mount `v` (a short id for one the list does not have). */
export function volumeUsers(v: VolumeInfo, containers: readonly ContainerInfo[]): string[] {
  return v.containers.map((id) => containers.find((c) => c.id === id)?.name || shortId(id));
}

/** "  used by web, db · anonymous · env=dev · created 5m ago": the selected volume. */
export function volumeInfoLine(v: VolumeInfo, containers: readonly ContainerInfo[], now: number, p: Painter, width: number): string {
  const users = volumeUsers(v, containers);
  const parts = [users.length === 0 ? 'no container uses it' : `used by ${users.join(', ')}`];
  if (v.anonymous) parts.push('anonymous');
  const labels = Object.entries(v.labels ?? {});
  if (labels.length > 0) parts.push(labels.map(([k, val]) => `${k}=${val}`).join(' '));
  const created = Date.parse(v.createdAt);
  if (Number.isFinite(created)) parts.push(`created ${fmtAge(now - created)} ago`);
  return p.fg('dim', fit(`  ${parts.join(' · ')}`, width));
}

/** The body of the volumes view, at most `height` lines. */
export function volumesLines(st: UiState, p: Painter, width: number, height: number): string[] {
  const { volumes } = st;
  const cols = layoutVolumeColumns(width, Math.max(0, ...volumes.map((v) => v.name.length)));
  const used = volumes.filter((v) => v.containers.length > 0).length;
  const summary = volumes.length === 0 ? '' : `  ${volumes.length} ${volumes.length === 1 ? 'volume' : 'volumes'} · ${used} in use`;
  const out = [p.fg('accent', p.bold('Volumes')) + p.fg('dim', summary)];
  if (st.volumesError) out.push(p.fg('error', fit(`cannot list volumes: ${st.volumesError}`, width)));
  out.push(volumeHeader(cols, p));
  if (volumes.length === 0 && !st.volumesError) {
    out.push(p.fg('dim', fit('  no volumes yet: create one (the key is in the footer), or run a container with -v NAME:/path', width)));
  }
  const selected = volumes[st.volumeIndex];
  const info = selected ? [volumeInfoLine(selected, st.containers, st.now, p, width)] : [];
  const room = Math.max(1, height - out.length - info.length);
  const top = Math.max(0, Math.min(st.volumeIndex - room + 1, volumes.length - room));
  const at = position(st.volumeIndex, volumes.length, room);
  if (at) out[0] += p.fg('dim', ` · ${at}`);
  for (let i = top; i < Math.min(volumes.length, top + room); i++) out.push(volumeRow(volumes[i], cols, i === st.volumeIndex, p));
  out.push(...info);
  return out.slice(0, height);
}
