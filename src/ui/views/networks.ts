// The networks view: one row per network (name, driver, subnet, gateway, whether
// it is internal, how many containers have an address on it), columns collapsing
// by priority on narrow terminals; under the rows, the selected network's
// containers with their addresses and its bridge.
import type { NetworkInfo } from '../../engine/types.js';
import { fit } from '../format.js';
import type { Painter } from '../paint.js';
import { position, type UiState } from '../state.js';

export type NetworkColumn = 'name' | 'driver' | 'subnet' | 'gateway' | 'internal' | 'containers';

interface NetworkColumnSpec {
  title: string;
  width: number;
  align: 'left' | 'right';
  /** 0 never collapses; higher numbers go first when the terminal is narrow. */
  priority: number;
}

export const NETWORK_COLUMNS: Record<NetworkColumn, NetworkColumnSpec> = {
  name: { title: 'NAME', width: 16, align: 'left', priority: 0 },
  driver: { title: 'DRIVER', width: 6, align: 'left', priority: 3 },
  subnet: { title: 'SUBNET', width: 18, align: 'left', priority: 0 },
  gateway: { title: 'GATEWAY', width: 15, align: 'left', priority: 2 },
  internal: { title: 'INTERNAL', width: 8, align: 'left', priority: 4 },
  containers: { title: 'CONTAINERS', width: 10, align: 'right', priority: 1 },
};

const ORDER: NetworkColumn[] = ['name', 'driver', 'subnet', 'gateway', 'internal', 'containers'];

/** The cursor (›) and a space. */
const PREFIX = 2;

export interface NetworkColumnLayout {
  name: NetworkColumn;
  width: number;
}

/** Drops the least important columns until a row fits `width`; NAME takes the slack. */
export function layoutNetworkColumns(width: number): NetworkColumnLayout[] {
  let cols = [...ORDER];
  const total = (cs: NetworkColumn[]) => PREFIX + cs.reduce((n, c) => n + NETWORK_COLUMNS[c].width, 0) + cs.length - 1;
  while (total(cols) > width) {
    let worst = -1;
    for (let i = 0; i < cols.length; i++) {
      const pr = NETWORK_COLUMNS[cols[i]].priority;
      if (pr > 0 && (worst < 0 || pr > NETWORK_COLUMNS[cols[worst]].priority)) worst = i;
    }
    if (worst < 0) break;
    cols = cols.filter((_, i) => i !== worst);
  }
  const slack = Math.max(0, width - total(cols));
  return cols.map((c) => ({ name: c, width: NETWORK_COLUMNS[c].width + (c === 'name' ? slack : 0) }));
}

function cellText(col: NetworkColumn, n: NetworkInfo): string {
  switch (col) {
    case 'name':
      return n.name;
    case 'driver':
      return n.driver;
    case 'subnet':
      return n.subnet;
    case 'gateway':
      return n.gateway;
    case 'internal':
      return n.internal ? 'yes' : 'no';
    case 'containers':
      return String(n.containers.length);
  }
}

export function networkHeader(cols: readonly NetworkColumnLayout[], p: Painter): string {
  const cells = cols.map((c) => fit(NETWORK_COLUMNS[c.name].title, c.width, NETWORK_COLUMNS[c.name].align));
  return p.fg('header', p.bold(' '.repeat(PREFIX) + cells.join(' ')));
}

export function networkRow(n: NetworkInfo, cols: readonly NetworkColumnLayout[], selected: boolean, p: Painter): string {
  const cells = cols.map((c) => fit(cellText(c.name, n), c.width, NETWORK_COLUMNS[c.name].align));
  const line = `${selected ? '›' : ' '} ${cells.join(' ')}`;
  return selected ? p.selected(line) : line;
}

/** "  web 10.78.1.2, db 10.78.1.3 · bridge hutchbr01010101 · dns": the selected network. */
export function networkInfoLine(n: NetworkInfo, p: Painter, width: number): string {
  const who = n.containers.length === 0 ? 'no container on it' : n.containers.map((c) => `${c.name || c.id.slice(0, 12)} ${c.ipAddress}`).join(', ');
  const parts = [who, `bridge ${n.bridge}`];
  if (n.dns) parts.push('names resolve');
  const labels = Object.entries(n.labels ?? {});
  if (labels.length > 0) parts.push(labels.map(([k, v]) => `${k}=${v}`).join(' '));
  return p.fg('dim', fit(`  ${parts.join(' · ')}`, width));
}

/** The body of the networks view, at most `height` lines. */
export function networksLines(st: UiState, p: Painter, width: number, height: number): string[] {
  const { networks } = st;
  const cols = layoutNetworkColumns(width);
  const used = networks.filter((n) => n.containers.length > 0).length;
  const summary = networks.length === 0 ? '' : `  ${networks.length} ${networks.length === 1 ? 'network' : 'networks'} · ${used} in use`;
  const out = [p.fg('accent', p.bold('Networks')) + p.fg('dim', summary)];
  if (st.networksError) out.push(p.fg('error', fit(`cannot list networks: ${st.networksError}`, width)));
  out.push(networkHeader(cols, p));
  if (networks.length === 0 && !st.networksError) {
    out.push(p.fg('dim', fit('  no networks yet: create one (the key is in the footer); bridge is made when a container first joins it', width)));
  }
  const selected = networks[st.networkIndex];
  const info = selected ? [networkInfoLine(selected, p, width)] : [];
  const room = Math.max(1, height - out.length - info.length);
  const top = Math.max(0, Math.min(st.networkIndex - room + 1, networks.length - room));
  const at = position(st.networkIndex, networks.length, room);
  if (at) out[0] += p.fg('dim', ` · ${at}`);
  for (let i = top; i < Math.min(networks.length, top + room); i++) out.push(networkRow(networks[i], cols, i === st.networkIndex, p));
  out.push(...info);
  return out.slice(0, height);
}
