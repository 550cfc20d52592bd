// The detail view: a title line, CPU and memory braille charts (with limits),
// then the container's config (addresses, published ports, mounts and env included) and its process tree
// (detail-procs.ts); or, while open, the raw inspect (inspect.ts) in its place.
import type { ContainerInfo, MountPoint } from '../../engine/types.js';
import type { ContainerSample, History } from '../../engine/stats/types.js';
import { brailleChart } from '../charts/braille.js';
import { niceBytesCeil, niceCeil } from '../charts/scale.js';
import { fit, fmtBytes, fmtPercent, fmtState, shortId } from '../format.js';
import type { Painter } from '../paint.js';
import type { DetailState } from '../state.js';
import { networkText, portText, portsOf } from '../network-text.js';
import { procLines } from './detail-procs.js';
import { inspectLines } from './inspect.js';

export interface DetailInput {
  c: ContainerInfo;
  detail: DetailState;
  sample?: ContainerSample;
  history: History;
  now: number;
}

function pad(line: string, visible: number, width: number): string {
  return visible < width ? line + ' '.repeat(width - visible) : line;
}

/** A chart with its title line, `width` wide and `height + 1` tall. */
function chartBlock(title: string, lines: string[], width: number, p: Painter): string[] {
  return [p.bold(fit(title, width)), ...lines];
}

export function detailLines(input: DetailInput, p: Painter, width: number, height: number): string[] {
  const { c, sample: s, history, detail, now } = input;
  if (detail.inspect) return inspectLines(detail.inspect, p, width, height);
  const running = c.status === 'running';
  const out: string[] = [];
  out.push(
    p.bold(c.name) +
      `  ${p.fg('dim', shortId(c.id))}  ` +
      p.fg(c.status === 'running' ? 'running' : c.status === 'exited' ? 'exited' : 'created', fmtState(c, now)) +
      `  ${p.fg('dim', 'image')} ${c.image}`,
  );

  // Charts: side by side when there is room, else one above the other.
  const side = width >= 60;
  const chartW = side ? Math.floor((width - 2) / 2) : width;
  const avail = height - 1;
  // Leave about ten lines for the config and the processes.
  const chartH = side ? Math.max(3, Math.min(16, avail - 11)) : Math.max(2, Math.min(8, Math.floor((avail - 2) / 4)));

  const cpuLimit = c.spec.cpus ? c.spec.cpus * 100 : null;
  const cpuData = history.cpu;
  // The limit (or one core) is the top unless the data goes clearly above it.
  const cpuTop = cpuLimit ?? 100;
  const cpuPeak = Math.max(0, ...cpuData);
  const cpuMax = cpuPeak <= cpuTop * 1.05 ? cpuTop : niceCeil(cpuPeak);
  const cpuTitle = `CPU ${running && s ? fmtPercent(s.cpuPercent) + '%' : '-'}` + (cpuLimit ? `  limit ${c.spec.cpus} cpu` : '');
  const cpu = chartBlock(
    cpuTitle,
    brailleChart(cpuData, chartW, chartH, {
      max: cpuMax,
      limit: cpuLimit,
      format: (v) => `${Math.round(v)}%`,
      color: p.code('cpu'),
      limitColor: p.code('limit'),
      axisColor: p.code('axis'),
    }),
    chartW,
    p,
  );

  const memLimit = s?.memLimit ?? c.spec.memory ?? null;
  const memData = history.mem;
  const memMax = memLimit ?? niceBytesCeil(Math.max(0, ...memData));
  const memTitle =
    `MEM ${running && s ? fmtBytes(s.memUsage) : '-'}` +
    (memLimit ? ` / ${fmtBytes(memLimit)}${running && s ? ` (${fmtPercent((s.memUsage / memLimit) * 100)}%)` : ''}` : '');
  const mem = chartBlock(
    memTitle,
    brailleChart(memData, chartW, chartH, {
      max: Math.max(memMax, ...memData),
      limit: memLimit,
      area: true,
      format: fmtBytes,
      color: p.code('mem'),
      limitColor: p.code('limit'),
      axisColor: p.code('axis'),
    }),
    chartW,
    p,
  );

  if (side) {
    for (let i = 0; i < cpu.length; i++) out.push(`${pad(cpu[i], visibleWidth(cpu[i]), chartW)}  ${mem[i] ?? ''}`);
  } else {
    out.push(...cpu, ...mem);
  }

  // Config (left) and processes (right), or one after the other when narrow.
  const rest = Math.max(0, height - out.length);
  const cfg = configLines(input, p);
  if (width >= 76) {
    const leftW = Math.min(46, Math.floor(width * 0.45));
    const procs = procLines(detail, p, width - leftW - 2, rest);
    for (let i = 0; i < rest; i++) {
      const l = cfg[i] ?? '';
      out.push(`${pad(fitAnsi(l, leftW), visibleWidth(fitAnsi(l, leftW)), leftW)}  ${fitAnsi(procs[i] ?? '', width - leftW - 2)}`);
    }
  } else {
    // The processes keep at least a few rows under a long config (many env vars).
    const procRows = Math.max(Math.min(rest, 5), rest - cfg.length);
    const procs = procLines(detail, p, width, procRows);
    for (const l of [...cfg.slice(0, rest - procRows), ...procs].slice(0, rest)) out.push(fitAnsi(l, width));
  }
  return out.slice(0, height);
}

function configLines({ c, sample: s, detail }: DetailInput, p: Painter): string[] {
  const label = (t: string) => p.fg('dim', t.padEnd(9));
  const spec = c.spec;
  const limits = [
    `cpu ${spec.cpus ?? 'unlimited'}`,
    `mem ${spec.memory ? fmtBytes(spec.memory) : 'unlimited'}`,
    `pids ${spec.pidsLimit && spec.pidsLimit > 0 ? spec.pidsLimit : 'unlimited'}`,
  ].join('  ');
  const lines = [
    p.bold('Config'),
    `${label('command')}${c.command.join(' ')}`,
    `${label('limits')}${limits}`,
    `${label('pids')}${s ? `${s.pids}${s.pidsLimit ? ` / ${s.pidsLimit}` : ''}` : '-'}`,
    `${label('network')}${networkText(c)}${s ? `  rx ${fmtBytes(s.netRx)} tx ${fmtBytes(s.netTx)}` : ''}`,
    ...networkLines(c, label),
    `${label('block io')}${s ? `read ${fmtBytes(s.blkRead)} write ${fmtBytes(s.blkWrite)}` : '-'}`,
    `${label('hostname')}${detail.bundle?.hostname ?? spec.hostname ?? shortId(c.id)}`,
  ];
  if (c.status === 'exited') lines.push(`${label('exit')}${c.exitCode ?? '-'}${c.oomKilled ? ' (out of memory)' : ''}`);
  // The container's own mounts (volumes, binds, tmpfs), one a line; then the rest of its bundle's on one.
  const own = c.mounts ?? [];
  own.forEach((m, i) => lines.push(`${i === 0 ? label('mounts') : ' '.repeat(9)}${mountText(m)}`));
  const mounts = detail.bundle?.mounts ?? [];
  const shown = mounts.filter((m) => !['proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2'].includes(m.type ?? '') && !own.some((o) => o.destination === m.destination));
  if (shown.length > 0) {
    lines.push(`${own.length > 0 ? ' '.repeat(9) : label('mounts')}${shown.map((m) => `${m.destination}${m.readonly ? ' (ro)' : ''}`).join(', ')}`);
  }
  // Every variable, one a line (cut at the column's width, never hidden).
  (spec.env ?? []).forEach((v, i) => lines.push(`${i === 0 ? label('env') : ' '.repeat(9)}${v}`));
  return lines;
}

/** "/data ← vol:data (rw)", "/b ← /host/path (ro)", "/tmp tmpfs": one of the container's mounts. */
export function mountText(m: MountPoint): string {
  const mode = m.rw ? 'rw' : 'ro';
  if (m.type === 'tmpfs') return `${m.destination} tmpfs${m.rw ? '' : ' (ro)'}`;
  if (m.type === 'volume') return `${m.destination} ← vol:${m.anonymous && m.name ? shortId(m.name) : (m.name ?? m.source)} (${mode})`;
  const prop = m.propagation && m.propagation !== 'rprivate' ? `, ${m.propagation}` : '';
  return `${m.destination} ← ${m.source} (${mode}${prop})`;
}

/** Each endpoint's address (ip/prefix on its network), gateway and mac; then each published port, one a line. */
function networkLines(c: ContainerInfo, label: (t: string) => string): string[] {
  const lines: string[] = [];
  for (const e of c.endpoints ?? []) {
    lines.push(`${label('address')}${e.ipAddress}/${e.prefixLen} on ${e.network}`, `${label('gateway')}${e.gateway}`, `${label('mac')}${e.macAddress}`);
  }
  portsOf(c).forEach((p, i) => lines.push(`${i === 0 ? label('ports') : ' '.repeat(9)}${portText(p)}`));
  return lines;
}

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

function visibleWidth(s: string): number {
  return Array.from(s.replace(SGR, '')).length;
}

/** Cuts a string that may contain SGR sequences to `width` visible columns. */
export function fitAnsi(s: string, width: number): string {
  if (visibleWidth(s) <= width) return s;
  let out = '';
  let n = 0;
  const re = /\x1b\[[0-9;]*m|[\s\S]/gu; // eslint-disable-line no-control-regex
  for (const m of s.matchAll(re)) {
    const tok = m[0];
    if (tok.length > 1 && tok.startsWith('\x1b')) {
      out += tok;
      continue;
    }
    if (n >= width - 1) {
      out += '…';
      break;
    }
    out += tok;
    n++;
  }
  return out + (out.includes('\x1b') ? '\x1b[39m\x1b[22m' : '');
}
