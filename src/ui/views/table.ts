// The containers table: columns that collapse by priority to fit the width, a
// header row with the sort column marked, one line per visible container (only
// the rows on screen are built), and the empty states. NETWORK and PORTS are
// docker's: the network name (or none, host, container:NAME) and the published ports.
import type { ContainerInfo } from '../../engine/types.js';
import type { ContainerSample } from '../../engine/stats/types.js';
import { sparkline } from '../charts/sparkline.js';
import type { ColumnName, SortKey } from '../config.js';
import { fit, fmtBytes, fmtPercent, fmtState, shortId } from '../format.js';
import type { Painter } from '../paint.js';
import type { UiState } from '../state.js';
import { displayKey, type Bindings } from '../keys.js';
import { networkText, portsText } from '../network-text.js';
import { stripAnsi } from '../charts/ansi.js';

interface ColumnSpec {
  title: string;
  width: number;
  align: 'left' | 'right';
  /** 0 never collapses; higher numbers go first when the terminal is narrow. */
  priority: number;
  sort?: SortKey;
}

export const COLUMNS: Record<ColumnName, ColumnSpec> = {
  name: { title: 'NAME', width: 16, align: 'left', priority: 0, sort: 'name' },
  state: { title: 'STATE', width: 13, align: 'left', priority: 1, sort: 'state' },
  // Shown only while some container is another machine's (shownColumns): `--host`.
  host: { title: 'HOST', width: 10, align: 'left', priority: 2 },
  // Shown only while some container has a health check (shownColumns).
  health: { title: 'HEALTH', width: 9, align: 'left', priority: 2 },
  cpu: { title: 'CPU%', width: 6, align: 'right', priority: 1, sort: 'cpu' },
  mem: { title: 'MEM', width: 11, align: 'right', priority: 2, sort: 'mem' },
  spark: { title: 'CPU HISTORY', width: 12, align: 'left', priority: 3 },
  memPct: { title: 'MEM%', width: 5, align: 'right', priority: 4, sort: 'mem' },
  pids: { title: 'PIDS', width: 5, align: 'right', priority: 5, sort: 'pids' },
  net: { title: 'NET RX/TX', width: 11, align: 'right', priority: 6, sort: 'net' },
  image: { title: 'IMAGE', width: 12, align: 'left', priority: 7, sort: 'image' },
  id: { title: 'ID', width: 12, align: 'left', priority: 8, sort: 'id' },
  // Set at create, the same every frame; the first to go on a narrow terminal
  // (NETWORK before PORTS: the detail view has both).
  ports: { title: 'PORTS', width: 20, align: 'left', priority: 9 },
  network: { title: 'NETWORK', width: 10, align: 'left', priority: 10 },
};

/** Two columns of prefix: the cursor (›) and the mark (●). */
const PREFIX = 2;

export interface ColumnLayout {
  name: ColumnName;
  width: number;
}

/**
 * Where the slack goes on a wide terminal, in turn: each column grows up to its
 * cap before the next one gets any; what is left after the last step is shared
 * by NAME and IMAGE. Names rarely need more than 24 columns; the sparkline shows
 * a minute of history at 60; memory with a limit reads "1023.5M/1023.5M".
 */
const GROW: readonly [ColumnName, number][] = [
  ['name', 24],
  ['image', 28],
  ['spark', 60],
  ['mem', 15],
  ['net', 15],
  ['ports', 44],
];

/**
 * The configured columns, without HEALTH while no container has a health check.
 * HOST only while some container is another machine's: where the config's columns
 * put it, else after NAME.
 */
export function shownColumns(st: Pick<UiState, 'columns' | 'containers'>): ColumnName[] {
  let cols = st.columns;
  if (cols.includes('health') && !st.containers.some((c) => c.healthcheck)) cols = cols.filter((c) => c !== 'health');
  const remote = st.containers.some((c) => c.host);
  if (!remote && cols.includes('host')) cols = cols.filter((c) => c !== 'host');
  else if (remote && !cols.includes('host')) cols = cols.flatMap((c) => (c === 'name' ? ['name', 'host'] : [c]));
  return cols;
}

/** Drops the least important columns until the row fits; the slack goes to the columns that carry data (GROW). */
export function layoutColumns(columns: readonly ColumnName[], width: number): ColumnLayout[] {
  let cols = [...columns];
  const total = (cs: ColumnName[]) => PREFIX + cs.reduce((n, c) => n + COLUMNS[c].width, 0) + Math.max(0, cs.length - 1);
  while (total(cols) > width) {
    let worst = -1;
    for (let i = 0; i < cols.length; i++) {
      if (COLUMNS[cols[i]].priority > 0 && (worst < 0 || COLUMNS[cols[i]].priority > COLUMNS[cols[worst]].priority)) worst = i;
    }
    if (worst < 0) break;
    cols = cols.filter((_, i) => i !== worst);
  }
  let slack = Math.max(0, width - total(cols));
  const widths = new Map(cols.map((c) => [c, COLUMNS[c].width]));
  for (const [c, cap] of GROW) {
    const w = widths.get(c);
    if (w === undefined || w >= cap) continue;
    const add = Math.min(slack, cap - w);
    widths.set(c, w + add);
    slack -= add;
  }
  if (slack > 0) {
    const sharers = (['name', 'image'] as ColumnName[]).filter((c) => widths.has(c));
    sharers.forEach((c, i) => {
      const add = Math.floor(slack / sharers.length) + (i < slack % sharers.length ? 1 : 0);
      widths.set(c, widths.get(c)! + add);
    });
  }
  return cols.map((c) => ({ name: c, width: widths.get(c)! }));
}

export interface RowData {
  c: ContainerInfo;
  sample?: ContainerSample;
  cpuHistory: readonly number[];
  busy?: string;
}

function cell(col: ColumnName, r: RowData, now: number, p: Painter, width: number): string {
  const { c, sample: s } = r;
  const running = c.status === 'running';
  switch (col) {
    case 'name': {
      if (!c.engine) return fit(c.name, width);
      // Another engine's container: its engine as a dim badge before the name.
      const badge = `${c.engine} `;
      if (badge.length >= width) return p.fg('dim', fit(badge, width));
      return p.fg('dim', badge) + fit(c.name, width - badge.length);
    }
    case 'host':
      return c.host ? fit(c.host, width) : p.fg('dim', fit('local', width));
    case 'id':
      return fit(shortId(c.id), width);
    case 'image':
      return fit(c.image, width);
    case 'state': {
      const text = fit(r.busy ?? fmtState(c, now), width);
      // Paused and restarting are in-between states: the colour of created.
      const inBetween = r.busy || c.paused || (c.status === 'exited' && c.restarting);
      return p.fg(inBetween ? 'created' : c.status === 'running' ? 'running' : c.status === 'exited' ? 'exited' : 'created', text);
    }
    case 'health': {
      // docker's State.Health of a running container: healthy green, unhealthy red, starting as created.
      const h = running && c.healthcheck ? (c.health?.Status ?? 'starting') : '';
      const text = fit(h || '-', width);
      return h ? p.fg(h === 'healthy' ? 'running' : h === 'unhealthy' ? 'exited' : 'created', text) : text;
    }
    case 'cpu':
      return fit(running && s ? fmtPercent(s.cpuPercent) : '-', width, 'right');
    case 'spark': {
      if (!running) return ' '.repeat(width);
      // The scale: 100 % or the busiest sample on screen (Math.max(100, …) without the copies).
      let max = 100;
      for (let i = Math.max(0, r.cpuHistory.length - width); i < r.cpuHistory.length; i++) {
        const v = r.cpuHistory[i];
        if (Number.isNaN(v)) {
          max = NaN;
          break;
        }
        if (v > max) max = v;
      }
      return sparkline(r.cpuHistory, width, 1, { max, color: p.code('spark') })[0];
    }
    case 'mem': {
      if (!running || !s) return fit('-', width, 'right');
      const text = s.memLimit ? `${fmtBytes(s.memUsage)}/${fmtBytes(s.memLimit)}` : fmtBytes(s.memUsage);
      return fit(text, width, 'right');
    }
    case 'memPct': {
      if (!running || !s || !s.memLimit) return fit('-', width, 'right');
      return fit(fmtPercent((s.memUsage / s.memLimit) * 100), width, 'right');
    }
    case 'pids':
      return fit(running && s ? String(s.pids) : '-', width, 'right');
    case 'net':
      return fit(running && s ? `${fmtBytes(s.netRx)}/${fmtBytes(s.netTx)}` : '-', width, 'right');
    case 'network':
      return fit(networkText(c), width);
    case 'ports':
      return fit(portsText(c), width);
  }
}

export function headerLine(layout: ColumnLayout[], sort: UiState['sort'], p: Painter): string {
  const parts = layout.map(({ name, width }) => {
    const spec = COLUMNS[name];
    const arrow = spec.sort === sort.key && (name !== 'memPct' || !layout.some((l) => l.name === 'mem')) ? (sort.desc ? '▼' : '▲') : '';
    return fit(spec.title + arrow, width, spec.align);
  });
  return p.fg('header', p.bold(' '.repeat(PREFIX) + parts.join(' ')));
}

export function rowLine(layout: ColumnLayout[], r: RowData, opts: { selected: boolean; marked: boolean; now: number; stale?: boolean }, p: Painter): string {
  const prefix = (opts.selected ? '›' : ' ') + (opts.marked ? p.fg('marked', '●') : ' ');
  const line = prefix + layout.map(({ name, width }) => cell(name, r, opts.now, p, width)).join(' ');
  if (opts.selected) return p.selected(line);
  // A row of a host that is down: its last figures, greyed.
  return opts.stale ? p.fg('dim', stripAnsi(line)) : line;
}

/** First visible row so that `selected` stays on screen, scrolling as little as possible. */
export function scrollTop(prevTop: number, selected: number, rows: number, total: number): number {
  let top = Math.min(prevTop, Math.max(0, total - rows));
  if (selected < top) top = selected;
  if (selected >= top + rows) top = selected - rows + 1;
  return Math.max(0, top);
}

export interface TableInput {
  st: UiState;
  rows: ContainerInfo[];
  selected: number;
  top: number;
  /** The last `n` CPU samples of a container (for the sparkline column). */
  history: (id: string, n: number) => readonly number[];
  bindings: Bindings;
}

const k = (b: Bindings, a: keyof Bindings) => displayKey(b[a][0] ?? '?');

export function emptyLines(input: TableInput, p: Painter, width: number): string[] {
  const { st, bindings: b } = input;
  if (!st.loaded) return [p.fg('dim', 'loading containers…')];
  if (st.listError) return [p.fg('error', fit(`cannot list containers: ${st.listError}`, width))];
  if (st.containers.length === 0) {
    return [
      p.bold('No containers yet.'),
      '',
      `  ${p.fg('key', fit(k(b, 'demo'), 5))} start the demo: a busy CPU loop, a growing memory and an idle shell`,
      `        on the built-in host image, to see live charts in seconds`,
      `  ${p.fg('key', fit(k(b, 'create'), 5))} create a container of your own`,
      `  ${p.fg('key', fit(k(b, 'help'), 5))} every key`,
      '',
      p.fg('dim', 'Containers started with `hutch run -d …` in another terminal show up here too.'),
    ].map((l) => l.slice(0, width * 4));
  }
  const exited = st.containers.filter((c) => c.status === 'exited').length;
  const lines = [st.filter ? `No container matches "${st.filter}".` : 'No running containers.'];
  if (st.filter) lines.push(`  ${p.fg('key', k(b, 'back'))} clears the filter`);
  if (!st.showAll && exited > 0) lines.push(`  ${p.fg('key', k(b, 'showAll'))} shows ${exited} exited container${exited === 1 ? '' : 's'}`);
  lines.push(`  ${p.fg('key', k(b, 'demo'))} starts the demo containers`);
  return lines;
}

/** The whole table: header + visible rows, exactly `height` lines or fewer. */
export function tableLines(input: TableInput, p: Painter, width: number, height: number): string[] {
  const { st, rows } = input;
  const layout = layoutColumns(shownColumns(st), width);
  const out = [headerLine(layout, st.sort, p)];
  if (rows.length === 0) return out.concat(emptyLines(input, p, width)).slice(0, height);
  const end = Math.min(rows.length, input.top + height - 1);
  const sparkWidth = layout.find((l) => l.name === 'spark')?.width ?? 0;
  for (let i = input.top; i < end; i++) {
    const c = rows[i];
    out.push(
      rowLine(
        layout,
        { c, sample: st.samples.get(c.id), cpuHistory: c.status === 'running' && sparkWidth > 0 ? input.history(c.id, sparkWidth) : [], busy: st.busy.get(c.id) },
        { selected: i === input.selected, marked: st.marked.has(c.id), now: st.now, stale: c.host !== undefined && st.hostsDown.has(c.host) },
        p,
      ),
    );
  }
  return out;
}
