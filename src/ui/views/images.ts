// The images view: one row per image name (repository, tag, id, size with the
// part shared with other images and the part only this one has, age, and how
// many containers use it), columns collapsing by priority on narrow terminals; a
// line about the selected image (who uses it); the pulls in flight below; the
// builds running above the images (building.ts).
import type { ContainerInfo, ImageInfo } from '../../engine/types.js';
import { fit, fmtAge, fmtBytes, shortId } from '../format.js';
import type { Painter } from '../paint.js';
import { position, type UiState } from '../state.js';
import { pullLines } from './pull.js';
import { buildingLines } from './building.js';

export type ImageColumn = 'repository' | 'tag' | 'id' | 'size' | 'shared' | 'unique' | 'created' | 'containers' | 'layers';

interface ImageColumnSpec {
  title: string;
  width: number;
  align: 'left' | 'right';
  /** 0 never collapses; higher numbers go first when the terminal is narrow. */
  priority: number;
}

export const IMAGE_COLUMNS: Record<ImageColumn, ImageColumnSpec> = {
  repository: { title: 'REPOSITORY', width: 16, align: 'left', priority: 0 },
  tag: { title: 'TAG', width: 10, align: 'left', priority: 0 },
  id: { title: 'IMAGE ID', width: 12, align: 'left', priority: 4 },
  size: { title: 'SIZE', width: 6, align: 'right', priority: 0 },
  shared: { title: 'SHARED', width: 6, align: 'right', priority: 2 },
  unique: { title: 'UNIQUE', width: 6, align: 'right', priority: 5 },
  created: { title: 'CREATED', width: 9, align: 'left', priority: 3 },
  containers: { title: 'CONTAINERS', width: 10, align: 'right', priority: 1 },
  layers: { title: 'LAYERS', width: 6, align: 'right', priority: 6 },
};

const ORDER: ImageColumn[] = ['repository', 'tag', 'id', 'size', 'shared', 'unique', 'created', 'containers', 'layers'];

/** The cursor (›) and a space. */
const PREFIX = 2;
/** TAG takes a third of the slack, up to this much more. */
const TAG_SLACK = 14;

export interface ImageColumnLayout {
  name: ImageColumn;
  width: number;
}

/** Drops the least important columns until a row fits `width`; REPOSITORY and TAG share the slack. */
export function layoutImageColumns(width: number): ImageColumnLayout[] {
  let cols = [...ORDER];
  const total = (cs: ImageColumn[]) => PREFIX + cs.reduce((n, c) => n + IMAGE_COLUMNS[c].width, 0) + cs.length - 1;
  while (total(cols) > width) {
    let worst = -1;
    for (let i = 0; i < cols.length; i++) {
      const pr = IMAGE_COLUMNS[cols[i]].priority;
      if (pr > 0 && (worst < 0 || pr > IMAGE_COLUMNS[cols[worst]].priority)) worst = i;
    }
    if (worst < 0) break;
    cols = cols.filter((_, i) => i !== worst);
  }
  const slack = Math.max(0, width - total(cols));
  const tagExtra = Math.min(TAG_SLACK, Math.floor(slack / 3));
  return cols.map((c) => ({
    name: c,
    width: IMAGE_COLUMNS[c].width + (c === 'tag' ? tagExtra : c === 'repository' ? slack - tagExtra : 0),
  }));
}

/** The containers (in any state) made from `img`: by image id, or by name for containers without one (the host image). */
export function imageUsers(img: ImageInfo, containers: readonly ContainerInfo[]): ContainerInfo[] {
  return containers.filter((c) =>
    c.imageId ? c.imageId === img.id : c.image === img.name || c.image === img.repository || `${c.image}:latest` === img.name,
  );
}

/** imageUsers for every image at once: one pass over the containers (the view redraws with each stats sweep). */
export function usersByImage(images: readonly ImageInfo[], containers: readonly ContainerInfo[]): Map<ImageInfo, ContainerInfo[]> {
  const byId = new Map<string, number[]>();
  const byName = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, k: string, i: number) => {
    const l = m.get(k);
    if (l) l.push(i);
    else m.set(k, [i]);
  };
  containers.forEach((c, i) => {
    if (c.imageId) add(byId, c.imageId, i);
    else {
      add(byName, c.image, i);
      add(byName, `${c.image}:latest`, i);
    }
  });
  const out = new Map<ImageInfo, ContainerInfo[]>();
  for (const img of images) {
    const found = new Set<number>(byId.get(img.id));
    for (const k of [img.name, img.repository]) if (k !== undefined) for (const i of byName.get(k) ?? []) found.add(i);
    out.set(img, [...found].sort((a, b) => a - b).map((i) => containers[i]));
  }
  return out;
}

function age(created: string, now: number): string {
  const t = Date.parse(created);
  return Number.isNaN(t) ? '-' : `${fmtAge(now - t)} ago`;
}

function cellText(col: ImageColumn, img: ImageInfo, users: number, now: number): string {
  const builtin = img.kind === 'builtin';
  const shared = Math.min(img.size, img.sharedSize ?? 0);
  switch (col) {
    case 'repository':
      return img.repository ?? img.name;
    case 'tag':
      return img.tag ?? '';
    case 'id':
      return shortId(img.id);
    case 'size':
      return builtin ? '-' : fmtBytes(img.size);
    case 'shared':
      return builtin ? '-' : fmtBytes(shared);
    case 'unique':
      return builtin ? '-' : fmtBytes(img.size - shared);
    case 'created':
      return builtin ? '-' : age(img.created, now);
    case 'containers':
      return String(users);
    case 'layers':
      return builtin || img.layers === undefined ? '-' : String(img.layers);
  }
}

export function imageHeader(cols: readonly ImageColumnLayout[], p: Painter): string {
  const cells = cols.map((c) => fit(IMAGE_COLUMNS[c.name].title, c.width, IMAGE_COLUMNS[c.name].align));
  return p.fg('header', p.bold(' '.repeat(PREFIX) + cells.join(' ')));
}

/** One image's row; `users`: how many containers use it. */
export function imageRow(img: ImageInfo, users: number, cols: readonly ImageColumnLayout[], now: number, selected: boolean, p: Painter): string {
  const cells = cols.map((c) => fit(cellText(c.name, img, users, now), c.width, IMAGE_COLUMNS[c.name].align));
  const line = `${selected ? '›' : ' '} ${cells.join(' ')}`;
  return selected ? p.selected(line) : line;
}

/** "  used by web (running), db (exited) · 3 layers · 4.2M: 1.1M shared, 3.1M unique": the selected image. */
export function imageInfoLine(img: ImageInfo, users: readonly ContainerInfo[], p: Painter, width: number): string {
  const parts = [users.length === 0 ? 'no container uses it' : `used by ${users.map((c) => `${c.name} (${c.status})`).join(', ')}`];
  if (img.kind !== 'builtin') {
    if (img.layers !== undefined) parts.push(`${img.layers} ${img.layers === 1 ? 'layer' : 'layers'}`);
    const shared = Math.min(img.size, img.sharedSize ?? 0);
    parts.push(`${fmtBytes(img.size)}: ${fmtBytes(shared)} shared, ${fmtBytes(img.size - shared)} unique`);
  }
  return p.fg('dim', fit(`  ${parts.join(' · ')}`, width));
}

/** The body of the images view, at most `height` lines. */
export function imagesLines(st: UiState, p: Painter, width: number, height: number): string[] {
  const { images } = st;
  // A state put together by hand (the view's unit tests) may have no builds field.
  const builds = st.builds ?? [];
  const cols = layoutImageColumns(width);
  const inUse = usersByImage(images, st.containers);
  const used = images.filter((img) => inUse.get(img)!.length > 0).length;
  const counts = images.length === 0 ? [] : [`${images.length} ${images.length === 1 ? 'image' : 'images'}`, `${used} in use`];
  if (builds.length > 0) counts.push(`${builds.length} building`);
  const summary = counts.length === 0 ? '' : `  ${counts.join(' · ')}`;
  const out = [p.fg('accent', p.bold('Images')) + p.fg('dim', summary)];
  if (st.imagesError) out.push(p.fg('error', fit(`cannot list images: ${st.imagesError}`, width)));
  if (st.buildsError) out.push(p.fg('error', fit(`cannot list builds: ${st.buildsError}`, width)));
  out.push(imageHeader(cols, p));
  const pulls = st.pulls.length > 0 ? ['', ...pullLines(st.pulls, p, width, Math.max(1, Math.floor(height / 2) - 1))] : [];
  const selected = images[st.imageIndex];
  const info = selected ? [imageInfoLine(selected, inUse.get(selected)!, p, width)] : [];
  // Builds take at most half the rows the list has, so the images stay in view.
  const free = height - out.length - info.length - pulls.length;
  out.push(...buildingLines(builds, cols, st.now, p, width, Math.max(1, Math.floor(free / 2))));
  if (images.length === 0 && !st.imagesError) out.push(p.fg('dim', fit('  no images: pull one (the key is in the footer)', width)));
  const room = Math.max(1, height - out.length - info.length - pulls.length);
  const top = Math.max(0, Math.min(st.imageIndex - room + 1, images.length - room));
  // The selection's place in a list longer than its rows: "3/40" after the summary.
  const at = position(st.imageIndex, images.length, room);
  if (at) out[0] += p.fg('dim', ` · ${at}`);
  for (let i = top; i < Math.min(images.length, top + room); i++) {
    out.push(imageRow(images[i], inUse.get(images[i])!.length, cols, st.now, i === st.imageIndex, p));
  }
  out.push(...info, ...pulls);
  return out.slice(0, height);
}
