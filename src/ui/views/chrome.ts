// The lines around every view: the host header at the top, the status line and
// the key footer at the bottom (with the progress of pulls in flight); plus the
// help screen and the new-container form, which are simple enough to live together.
import type { HostInfo, HostSample } from '../../engine/stats/types.js';
import { stripAnsi } from '../charts/ansi.js';
import { fit, fmtBytes, fmtPercent, textWidth } from '../format.js';
import { ACTIONS, FOOTER, displayKey, type Action, type Bindings, type Scope, type ViewName } from '../keys.js';
import type { Painter } from '../paint.js';
import { FORM_FIELDS, MENU_SIGNALS, memoVisible, pageRows, position, shownStatus, type FormDialog, type SignalDialog, type UiState } from '../state.js';
import { pullSummary } from './pull.js';

export function headerLine(st: UiState, p: Painter, width: number): string {
  const info: HostInfo | undefined = st.hostInfo;
  const h: HostSample | undefined = st.host;
  const running = st.containers.filter((c) => c.status === 'running').length;
  const parts: string[] = [p.fg('accent', p.bold('hutch'))];
  if (info) parts.push(`${info.hostname} · ${info.cores} cpu`);
  if (h) {
    parts.push(`cpu ${fmtPercent(h.cpuPercent)}%`);
    parts.push(`mem ${fmtBytes(h.memUsed)}/${fmtBytes(h.memTotal)}`);
    parts.push(`load ${h.load.map((l) => l.toFixed(2)).join(' ')}`);
  }
  parts.push(`${running}/${st.containers.length} running`);
  let line = '';
  let w = 0;
  for (const part of parts) {
    const plainLen = Array.from(part.replace(/\x1b\[[0-9;]*m/g, '')).length; // eslint-disable-line no-control-regex
    const sep = line ? 3 : 0;
    if (w + sep + plainLen > width) break;
    line += (line ? p.fg('dim', ' · ') : '') + part;
    w += sep + plainLen;
  }
  return line;
}

/** Actions the footer always keeps, whatever the width (the rest are a `?` away). */
const FOOTER_KEEP: readonly Action[] = ['help', 'quit'];
/** The other views, kept next from 80 columns (narrower, the view's own keys come first): each view a key away on the footer. */
const FOOTER_VIEWS: readonly Action[] = ['images', 'networks', 'volumes'];
const FOOTER_VIEWS_FROM = 80;

/**
 * The key footer for a view: "? help  Enter detail  …  q quit". `?` help and
 * `q` quit always stay, the other views' keys while they fit; the other keys
 * follow in order while they fit, and a "…" says there are more when some do not.
 */
export function footerLine(view: ViewName, bindings: Bindings, p: Painter, width: number): string {
  const items: { a: Action; k: string; label: string; len: number }[] = [];
  for (const a of FOOTER[view]) {
    const key = bindings[a][0];
    if (!key) continue;
    const k = displayKey(key);
    const label = ACTIONS[a].label;
    items.push({ a, k, label, len: textWidth(k) + 1 + textWidth(label) });
  }
  const kept = new Set<Action>(items.filter((i) => FOOTER_KEEP.includes(i.a)).map((i) => i.a));
  const used = (n: number) => (n > 0 ? n - 2 : 0); // n counts two spaces before every item
  let total = 0;
  for (const i of items) if (kept.has(i.a)) total += i.len + 2;
  const optional = items.filter((i) => !kept.has(i.a));
  const all = optional.reduce((n, i) => n + i.len + 2, total);
  const shown = new Set<Action>(kept);
  if (used(all) <= width) {
    for (const i of optional) shown.add(i.a);
  } else {
    // Room for the "…" (one column and its two spaces) comes first, then the views' keys.
    total += 3;
    for (const i of optional) {
      if (width < FOOTER_VIEWS_FROM || !FOOTER_VIEWS.includes(i.a) || used(total + i.len + 2) > width) continue;
      total += i.len + 2;
      shown.add(i.a);
    }
    for (const i of optional) {
      if (shown.has(i.a)) continue;
      if (used(total + i.len + 2) > width) break;
      total += i.len + 2;
      shown.add(i.a);
    }
  }
  const more = shown.size < items.length;
  // The "…" goes where the first key left out was, before the kept keys that follow it.
  const parts: string[] = [];
  let ellipsis = false;
  for (const i of items) {
    if (!shown.has(i.a)) {
      if (!ellipsis) parts.push(p.fg('dim', '…'));
      ellipsis = true;
      continue;
    }
    parts.push(p.fg('key', p.bold(i.k)) + ' ' + p.fg('dim', i.label));
  }
  if (more && !ellipsis) parts.push(p.fg('dim', '…'));
  return parts.join('  ');
}

/** The signal menu: "signal to 123 (sleep 1000): [TERM] KILL HUP …", the chosen one in reverse video. */
export function signalMenuLine(dlg: SignalDialog, p: Painter, width: number): string {
  const cmd = dlg.cmd.length > 24 ? `${dlg.cmd.slice(0, 23)}…` : dlg.cmd;
  const head = `signal to ${dlg.pid} (${cmd}):`;
  const items = MENU_SIGNALS.map((s, i) => (i === dlg.index ? p.selected(`${i + 1} ${s}`) : `${p.fg('key', String(i + 1))} ${s}`));
  const tail = p.fg('dim', '(← → choose, Enter or 1-8 sends, Esc cancels)');
  return fitAnsiLine([head, ...items, tail].join(' '), width);
}

/** Cuts a line with colours to `width` columns. */
function fitAnsiLine(line: string, width: number): string {
  const plain = stripAnsi(line);
  return textWidth(plain) <= width ? line : fit(plain, width);
}

/** The table's rows, for the position of the selection in the status line. */
const tableRows = memoVisible();

/** The status line: a prompt or a question when one is open, else the last message, else a summary. */
export function statusLine(st: UiState, visibleCount: number, p: Painter, width: number): string {
  if (st.dialog?.kind === 'signal') return signalMenuLine(st.dialog, p, width);
  if (st.prompt?.kind === 'saveLogs') return fit(`save logs to: ${st.prompt.value}▏  (Enter saves, Esc cancels; an existing file is never overwritten)`, width);
  if (st.prompt?.kind === 'networkName') return fit(`new network: ${st.prompt.value}▏  (its name; Enter goes on to the subnet, Esc cancels)`, width);
  if (st.prompt?.kind === 'networkSubnet') {
    return fit(`subnet of ${st.prompt.network}: ${st.prompt.value}▏  (CIDR, e.g. 10.90.0.0/24; empty: a free one; Enter creates, Esc cancels)`, width);
  }
  if (st.prompt?.kind === 'volumeName') return fit(`new volume: ${st.prompt.value}▏  (its name; Enter alone: a random one; Esc cancels)`, width);
  if (st.prompt?.kind === 'pull') return fit(`pull image: ${st.prompt.value}▏  (NAME[:TAG|@DIGEST], --insecure NAME for a local plain-HTTP registry; Enter pulls, Esc cancels)`, width);
  if (st.prompt) {
    const label = st.prompt.kind === 'filter' ? 'filter' : 'search';
    return fit(`${label}: /${st.prompt.value}▏  (Enter keeps, Esc ${st.prompt.kind === 'filter' ? 'clears' : 'cancels'})`, width);
  }
  if (st.dialog?.kind === 'confirm') return p.fg('created', p.bold(fit(st.dialog.question, width)));
  // A pull in flight keeps its few words at the end of the line, whatever else it says.
  let pulling = pullSummary(st.pulls);
  if (pulling && width >= 40) {
    if (textWidth(pulling) > width / 2) pulling = fit(pulling, Math.floor(width / 2));
    const rest = statusLine({ ...st, pulls: [] }, visibleCount, p, width - textWidth(pulling) - 2);
    return rest + ' '.repeat(Math.max(2, width - textWidth(pulling) - textWidth(stripAnsi(rest)))) + p.fg('accent', pulling);
  }
  const status = shownStatus(st);
  if (status) return p.fg(status.level === 'error' ? 'error' : 'info', fit(status.text, width));
  const parts = [`${visibleCount} shown`];
  // The selection's place in a table longer than the screen: "12/104".
  if (st.view === 'containers' && visibleCount > pageRows(st)) {
    const at = position(Math.max(0, tableRows(st).findIndex((c) => c.id === st.selected)), visibleCount, pageRows(st));
    if (at) parts.unshift(at);
  }
  if (st.marked.size) parts.push(`${st.marked.size} marked`);
  if (st.filter) parts.push(`filter "${st.filter}"`);
  if (!st.showAll) parts.push('exited hidden');
  parts.push(`sort ${st.sort.key}${st.sort.desc ? ' ▼' : ' ▲'}`);
  parts.push(`theme ${st.theme.name}`);
  return p.fg('dim', fit(parts.join(' · '), width));
}

// The images view has its own file; the re-export keeps the callers' import.
export { imagesLines } from './images.js';

const SCOPE_TITLES: Record<Scope, string> = {
  global: 'Everywhere',
  nav: 'Moving',
  containers: 'Containers view',
  container: 'Container actions (containers and detail views; marked containers first)',
  detail: 'Detail view (↑ ↓ PgUp PgDn g G move in the process list, or in the inspect)',
  logs: 'Logs view',
  images: 'Images view',
  networks: 'Networks view',
  volumes: 'Volumes view',
};

/** Every binding in force, grouped by where it applies (the help screen). */
export function helpLines(bindings: Bindings, p: Painter, width: number): string[] {
  const out = [p.fg('accent', p.bold('Keys')) + p.fg('dim', '  (from the config file when it sets them; Ctrl+C always quits)')];
  for (const scope of Object.keys(SCOPE_TITLES) as Scope[]) {
    out.push('', p.bold(SCOPE_TITLES[scope]));
    for (const [a, spec] of Object.entries(ACTIONS) as [Action, (typeof ACTIONS)[Action]][]) {
      if (spec.scope !== scope) continue;
      const keys = bindings[a].map(displayKey).join(' ');
      out.push(`  ${p.fg('key', fit(keys, 14))} ${fit(spec.help, Math.max(10, width - 17))}`);
    }
    if (scope === 'containers') out.push(`  ${p.fg('key', fit('1-9', 14))} Sort by that column; again reverses`);
  }
  out.push('', p.bold('Signal menu (detail view)'), `  ${p.fg('key', fit('← → 1-8', 14))} Choose TERM KILL HUP INT USR1 USR2 STOP CONT; Enter sends (asks y/N first); Esc cancels`);
  out.push('', p.bold('New-container form'), `  ${p.fg('key', fit('Tab ↑ ↓', 14))} Move between fields; Space toggles detach; Enter creates; Esc cancels`);
  return out;
}

export function helpWindow(lines: string[], top: number, height: number): string[] {
  const maxTop = Math.max(0, lines.length - height);
  const t = Math.min(top, maxTop);
  return lines.slice(t, t + height);
}

const FIELD_LABELS: Record<(typeof FORM_FIELDS)[number], string> = {
  image: 'Image',
  name: 'Name',
  command: 'Command',
  memory: 'Memory',
  cpus: 'CPUs',
  network: 'Network',
  ports: 'Ports',
  volumes: 'Volumes',
  detach: 'Detach',
};

const FIELD_HINTS: Record<(typeof FORM_FIELDS)[number], string> = {
  image: 'host, or an imported image',
  name: 'optional',
  command: "optional, e.g. sh -c 'while :; do :; done'",
  memory: 'optional, e.g. 256m',
  cpus: 'optional, e.g. 0.5',
  network: 'optional: bridge (default), a network, none, host',
  ports: 'optional, e.g. 8080:80 127.0.0.1:53:53/udp',
  volumes: 'optional, e.g. data:/data /srv:/srv:ro /cache',
  detach: 'off: run in this terminal, come back when it exits',
};

export function formLines(form: FormDialog, p: Painter, width: number): string[] {
  const out = [p.fg('accent', p.bold('New container')), ''];
  FORM_FIELDS.forEach((f, i) => {
    const focused = i === form.focus;
    const value = f === 'detach' ? (form.values.detach ? '[x]' : '[ ]') : form.values[f] + (focused ? '▏' : '');
    const label = `${focused ? '›' : ' '} ${FIELD_LABELS[f].padEnd(8)} `;
    const line = label + fit(value, Math.max(10, width - label.length - 2 - FIELD_HINTS[f].length - 2)) + '  ' + p.fg('dim', FIELD_HINTS[f]);
    out.push(focused ? p.bold(line) : line);
  });
  out.push('');
  if (form.error) out.push(p.fg('error', fit(form.error, width)));
  out.push(p.fg('dim', 'Tab/↑/↓ move · Space toggles detach · Enter creates · Esc cancels'));
  return out;
}
