// hutch system df|prune|info: docker's management command for the whole root.
import type { CliContext, Verb } from '../context.js';
import type { DiskUsage, EngineApi } from '../../engine/types.js';
import { formatTable } from '../format/table.js';
import { humanSize } from '../format/size.js';
import { containerStatus, timeAgo } from '../format/duration.js';
import { formatCommand, shortId } from '../format/text.js';
import { managementVerb } from './subcommands.js';
import { info } from './info.js';
import { formatWith } from './version.js';
import { parseTemplate } from '../format/template/index.js';

/** "11.6MB (70%)", as docker's RECLAIMABLE column (no percentage of nothing). */
function reclaimable(bytes: number, total: number): string {
  return total > 0 ? `${humanSize(bytes)} (${Math.trunc((100 * bytes) / total)}%)` : humanSize(bytes);
}

/** docker's four rows, with its --format field names. */
export function dfRows(d: DiskUsage): Array<{ Type: string; TotalCount: string; Active: string; Size: string; Reclaimable: string }> {
  const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
  const imgSize = sum(d.images.map((i) => i.size));
  const imgFree = sum(d.images.filter((i) => i.containers === 0).map((i) => i.size - (i.sharedSize ?? 0)));
  const ctrSize = sum(d.containers.map((c) => c.sizeRw));
  const ctrFree = sum(d.containers.filter((c) => c.status !== 'running').map((c) => c.sizeRw));
  const volSize = sum(d.volumes.map((v) => v.size));
  const volFree = sum(d.volumes.filter((v) => v.links === 0).map((v) => v.size));
  const cacheSize = sum(d.buildCache.map((b) => b.size));
  const row = (Type: string, total: number, active: number, size: number, free: string) => ({ Type, TotalCount: String(total), Active: String(active), Size: humanSize(size), Reclaimable: free });
  return [
    row('Images', d.images.length, d.images.filter((i) => i.containers > 0).length, imgSize, reclaimable(imgFree, imgSize)),
    row('Containers', d.containers.length, d.containers.filter((c) => c.status === 'running').length, ctrSize, reclaimable(ctrFree, ctrSize)),
    row('Local Volumes', d.volumes.length, d.volumes.filter((v) => v.links > 0).length, volSize, reclaimable(volFree, volSize)),
    row('Build Cache', d.buildCache.length, 0, cacheSize, humanSize(cacheSize)),
  ];
}

export function renderDf(d: DiskUsage, format?: string): string {
  const rows = dfRows(d);
  if (format && !format.startsWith('table')) return rows.map((r) => formatWith(format, r)).join('');
  return formatTable(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]));
}

/** `system df -v`: docker's four sections. */
export function renderDfVerbose(d: DiskUsage, now: Date): string {
  const images = formatTable(
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
    d.images.map((i) => [i.repository ?? '<none>', i.tag ?? '<none>', i.id.replace(/^sha256:/, '').slice(0, 12), timeAgo(i.created, now), humanSize(i.size), humanSize(i.sharedSize ?? 0), humanSize(i.size - (i.sharedSize ?? 0)), String(i.containers)]),
  );
  const containers = formatTable(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'],
    d.containers.map((c) => [shortId(c.id), c.image, formatCommand(c.command, false), String((c.mounts ?? []).filter((m) => m.type === 'volume').length), humanSize(c.sizeRw), timeAgo(c.created, now), containerStatus(c, now), c.name]),
  );
  const volumes = formatTable(['VOLUME NAME', 'LINKS', 'SIZE'], d.volumes.map((v) => [v.name, String(v.links), humanSize(v.size)]));
  const cacheSize = d.buildCache.reduce((a, b) => a + b.size, 0);
  const cache = formatTable(
    ['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED'],
    d.buildCache.map((b) => [b.id, 'regular', humanSize(b.size), timeAgo(b.created, now), timeAgo(b.created, now), '0', 'false']),
  );
  return `Images space usage:\n\n${images}\nContainers space usage:\n\n${containers}\nLocal Volumes space usage:\n\n${volumes}\nBuild cache usage: ${humanSize(cacheSize)}\n\n${cache}`;
}

const systemDf: Verb = {
  name: 'system df',
  summary: 'Show hutch disk usage',
  usage: '[OPTIONS]',
  options: [
    { long: ['verbose'], short: 'v', kind: 'bool', help: 'Show detailed information on space usage' },
    { long: ['format'], kind: 'string', value: 'string', help: "Format output using a Go template ('json': one JSON object a row)" },
  ],
  maxArgs: 0,
  examples: ['hutch system df', 'hutch system df -v'],
  async run(ctx, p) {
    const format = p.string('format');
    if (format) parseTemplate(format); // a bad template fails before anything is read
    const d = await (await ctx.engine()).diskUsage();
    await ctx.out(p.bool('verbose') && !format ? renderDfVerbose(d, ctx.now()) : renderDf(d, format));
    return 0;
  },
};

/** docker's warning, item by item, for what these flags remove. */
export function pruneWarning(all: boolean, volumes: boolean): string {
  return [
    'WARNING! This will remove:',
    '  - all stopped containers',
    '  - all networks not used by at least one container',
    ...(volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
    all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    all ? '  - all build cache' : '  - unused build cache',
    '',
    'Are you sure you want to continue? [y/N] ',
  ].join('\n');
}

/** Containers first: what they used becomes unused for the rest. Sections as docker prints them. */
export async function systemPruneText(engine: EngineApi, all: boolean, volumes: boolean): Promise<string> {
  const section = (title: string, lines: string[]) => (lines.length ? `${title}:\n${lines.map((l) => `${l}\n`).join('')}\n` : '');
  const containers = await engine.pruneContainers();
  const networks = await engine.pruneNetworks();
  const vols = volumes ? await engine.pruneVolumes() : { deleted: [], reclaimed: 0 };
  const images = await engine.pruneImages({ all });
  const cache = await engine.pruneBuildCache();
  return (
    section('Deleted Containers', containers.deleted) +
    section('Deleted Networks', networks) +
    section('Deleted Volumes', vols.deleted) +
    section('Deleted Images', images.deleted) +
    (cache.records ? `Deleted build cache objects: ${cache.records}\n\n` : '') +
    `Total reclaimed space: ${humanSize(containers.reclaimed + vols.reclaimed + images.reclaimed + cache.reclaimed)}\n`
  );
}


/** Shared by `system prune` and `container prune`'s prompt. */
export async function confirmed(ctx: CliContext, force: boolean, warning: string): Promise<boolean> {
  if (force) return true;
  await ctx.err(warning);
  return confirm();
}

const systemPrune: Verb = {
  name: 'system prune',
  summary: 'Remove unused data',
  usage: '[OPTIONS]',
  options: [
    { long: ['all'], short: 'a', kind: 'bool', help: 'Remove all unused images not just dangling ones' },
    { long: ['volumes'], kind: 'bool', help: 'Prune anonymous volumes' },
    { long: ['force'], short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
  ],
  maxArgs: 0,
  examples: ['hutch system prune -f', 'hutch system prune -af --volumes'],
  async run(ctx, p) {
    if (!(await confirmed(ctx, p.bool('force'), pruneWarning(p.bool('all'), p.bool('volumes'))))) return 0;
    await ctx.out(await systemPruneText(await ctx.engine(), p.bool('all'), p.bool('volumes')));
    return 0;
  },
};

export const system: Verb = managementVerb('system', 'Manage hutch (df, prune, info)', { df: systemDf, prune: systemPrune, info: { ...info, name: 'system info' } }, [
  'hutch system df -v',
  'hutch system prune -f',
]);
