// hutch volume SUBCOMMAND: create, ls, inspect, rm, prune (docker's words and shapes).
import type { Verb } from '../context.js';
import type { VolumeInfo } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { formatTable } from '../format/table.js';
import { humanSize } from '../format/size.js';
import { eachName, keyValues } from '../each.js';
import { FORMAT_OPTION, printInspected } from '../format/inspect-output.js';
import { managementVerb } from './subcommands.js';
import { GoStruct, GO_TYPE } from '../format/template/index.js';
import { parseListFormat, renderList } from '../format/template/list.js';
import { boolFilter, labelMatcher, parseFilters, textMatcher } from '../filters.js';

/** docker's `volume inspect` record. Anonymous volumes carry docker's own label for them. */
export function dockerVolume(v: VolumeInfo): Record<string, unknown> {
  const labels = v.anonymous ? { 'com.docker.volume.anonymous': '', ...v.labels } : v.labels;
  return {
    CreatedAt: v.createdAt.replace(/\.\d+Z$/, 'Z'),
    Driver: v.driver,
    Labels: Object.keys(labels).length ? labels : null,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: Object.keys(v.options).length ? v.options : null,
    Scope: 'local',
  };
}

const volumeCreate: Verb = {
  name: 'volume create',
  summary: 'Create a volume',
  usage: '[OPTIONS] [VOLUME]',
  options: [
    { long: ['label'], kind: 'list', value: 'list', help: 'Set metadata for a volume (K=V)' },
    { long: ['opt'], short: 'o', kind: 'list', value: 'map', help: 'Set driver specific options (none yet: volumes are plain directories)' },
    { long: ['driver'], short: 'd', kind: 'string', help: "Specify volume driver name (only 'local')" },
    { long: ['name'], kind: 'string', help: 'Specify volume name' },
  ],
  maxArgs: 1,
  examples: ['hutch volume create data', 'hutch volume create --label team=web'],
  async run(ctx, p) {
    const driver = p.string('driver');
    if (driver !== undefined && driver !== 'local') throw new InvalidArgument(`plugin "${driver}" not found: only the local driver is supported`);
    const flagName = p.string('name');
    if (flagName !== undefined && p.args[0] !== undefined && flagName !== p.args[0])
      throw new InvalidArgument(`conflicting options: either specify --name or provide positional arg, not both`);
    const name = p.args[0] ?? flagName;
    const labels = keyValues(p.list('label'), 'label');
    const options = keyValues(p.list('opt'), 'option');
    const v = await (await ctx.engine()).createVolume({ ...(name !== undefined ? { name } : {}), labels, options });
    await ctx.out(`${v.name}\n`);
    return 0;
  },
};

/** One row of `volume ls --format`: docker's volume placeholders (no usage data in a listing: N/A, as docker). */
export class VolumeRow extends GoStruct {
  constructor(private readonly v: VolumeInfo) {
    super();
  }
  get [GO_TYPE]() {
    return '*formatter.volumeContext';
  }
  private get labels(): Record<string, string> {
    return (dockerVolume(this.v).Labels as Record<string, string> | null) ?? {};
  }
  get Name() {
    return this.v.name;
  }
  get Driver() {
    return this.v.driver;
  }
  get Scope() {
    return 'local';
  }
  get Mountpoint() {
    return this.v.mountpoint;
  }
  get Labels() {
    const l = this.labels;
    return Object.keys(l).sort().map((k) => `${k}=${l[k]}`).join(',');
  }
  Label(name: string) {
    return this.labels[name] ?? '';
  }
  get Links() {
    return 'N/A';
  }
  get Size() {
    return 'N/A';
  }
  get Group() {
    return 'N/A';
  }
  get Availability() {
    return 'N/A';
  }
  get Status() {
    return 'N/A';
  }
}

const VOLUME_HEADERS: Record<string, string> = {
  ID: 'ID', Name: 'VOLUME NAME', Group: 'GROUP', Driver: 'DRIVER', Scope: 'SCOPE', Availability: 'AVAILABILITY', Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE', Status: 'STATUS',
};

const volumeLs: Verb = {
  name: 'volume ls',
  summary: 'List volumes',
  usage: '[OPTIONS]',
  options: [
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Only display volume names' },
    { long: ['filter'], short: 'f', kind: 'list', value: 'filter', help: "Provide filter values (dangling=true|false, label=K[=V], name=N, driver=local)" },
    { long: ['format'], kind: 'string', help: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
  ],
  maxArgs: 0,
  async run(ctx, p) {
    const f = parseFilters(p.list('filter'), ['dangling', 'label', 'name', 'driver']);
    const dangling = boolFilter(f, 'dangling');
    const format = p.string('format');
    const fmt = format !== undefined && format !== '' && format !== 'table' && !p.bool('quiet') ? parseListFormat(format, DEFAULT_VOLUME_FORMAT) : undefined;
    const name = textMatcher(f.get('name'));
    const label = labelMatcher(f.get('label'));
    const drivers = f.get('driver');
    const all = await (await ctx.engine()).volumes(dangling === undefined ? {} : { dangling });
    const vols = all.filter((v) => name(v.name) && label(v.labels) && (!drivers || drivers.includes(v.driver)));
    if (p.bool('quiet')) {
      await ctx.out(vols.map((v) => `${v.name}\n`).join(''));
      return 0;
    }
    if (fmt) {
      await ctx.out(renderList(fmt, vols.map((v) => new VolumeRow(v)), VOLUME_HEADERS));
      return 0;
    }
    await ctx.out(formatTable(['DRIVER', 'VOLUME NAME'], vols.map((v) => [v.driver, v.name])));
    return 0;
  },
};
const DEFAULT_VOLUME_FORMAT = 'table {{.Driver}}\t{{.Name}}';

const volumeInspect: Verb = {
  name: 'volume inspect',
  summary: 'Display detailed information on one or more volumes (JSON)',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  options: [FORMAT_OPTION],
  minArgs: 1,
  async run(ctx, p) {
    const engine = await ctx.engine();
    return printInspected(ctx, p.args, p.string('format'), async (name) => dockerVolume(await engine.inspectVolume(name)));
  },
};

const volumeRm: Verb = {
  name: 'volume rm',
  summary: 'Remove one or more volumes (refused while a container uses it)',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  options: [{ long: ['force'], short: 'f', kind: 'bool', help: 'Do not fail on a volume that does not exist' }],
  minArgs: 1,
  async run(ctx, p) {
    const engine = await ctx.engine();
    const force = p.bool('force');
    // One volume: its refusal is the command's error (one line, 125), as `network rm`.
    return eachName(ctx, p.args, async (name) => {
      await engine.removeVolume(name, { force });
      await ctx.out(`${name}\n`);
    });
  },
};

const volumePrune: Verb = {
  name: 'volume prune',
  summary: 'Remove unused anonymous volumes (every unused volume with -a)',
  usage: '[OPTIONS]',
  options: [
    { long: ['all'], short: 'a', kind: 'bool', help: 'Remove all unused volumes, not just anonymous ones' },
    { long: ['force'], short: 'f', kind: 'bool', help: 'Do not prompt for confirmation (accepted; hutch never prompts here)' },
  ],
  maxArgs: 0,
  async run(ctx, p) {
    const r = await (await ctx.engine()).pruneVolumes({ all: p.bool('all') });
    const list = r.deleted.length ? `Deleted Volumes:\n${r.deleted.map((n) => `${n}\n`).join('')}\n` : '';
    await ctx.out(`${list}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

export const volume: Verb = managementVerb(
  'volume',
  'Manage volumes (create, ls, inspect, rm, prune)',
  { create: volumeCreate, ls: volumeLs, list: volumeLs, inspect: volumeInspect, rm: volumeRm, remove: volumeRm, prune: volumePrune },
  ['hutch volume create data', 'hutch run -d -v data:/var/lib/db --name db host sleep 1d', 'hutch volume rm data'],
);
