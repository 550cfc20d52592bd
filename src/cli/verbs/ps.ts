// hutch ps: docker's columns and wording, its --format placeholders and --filter keys.
import type { Verb } from '../context.js';
import type { ContainerInfo, EngineApi, ImageInfo } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { formatTable } from '../format/table.js';
import { containerStatus, timeAgo } from '../format/duration.js';
import { ellipsis, formatCommand, shortId } from '../format/text.js';
import { formatPortsColumn } from '../../engine/network/ports.js';
import { humanSize } from '../format/size.js';
import { GoStruct, GO_TYPE } from '../format/template/index.js';
import { goTimeString } from '../format/template/go-time.js';
import { parseListFormat, renderList } from '../format/template/list.js';
import { boolFilter, checkValues, labelMatcher, parseFilters, textMatcher, type Filters } from '../filters.js';

export interface PsOptions {
  quiet?: boolean;
  noTrunc?: boolean;
  /** `-s`: the SIZE column, by container id. */
  sizes?: ReadonlyMap<string, string>;
}

/** docker's IMAGE: an image given by its id shows as the short id unless --no-trunc. */
function imageColumn(c: ContainerInfo, trunc: boolean): string {
  if (!c.image) return '<no image>';
  return trunc && /^(sha256:)?[0-9a-f]{64}$/.test(c.image) ? shortId(c.image) : c.image;
}

/** Newest first, like docker. */
export function sortByCreated(list: readonly ContainerInfo[]): ContainerInfo[] {
  return [...list].sort((a, b) => (Date.parse(b.created) || 0) - (Date.parse(a.created) || 0));
}

export function renderPs(list: readonly ContainerInfo[], opts: PsOptions, now: Date): string {
  const sorted = sortByCreated(list);
  const id = (c: ContainerInfo) => (opts.noTrunc ? c.id : shortId(c.id));
  if (opts.quiet) return sorted.map((c) => `${id(c)}\n`).join('');
  const sizes = opts.sizes;
  return formatTable(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(sizes ? ['SIZE'] : [])],
    sorted.map((c) => [
      id(c),
      imageColumn(c, !opts.noTrunc),
      formatCommand(c.command, opts.noTrunc),
      timeAgo(c.created, now),
      containerStatus(c, now),
      // Published ports hold only while it runs (docker shows none for a stopped one).
      c.status === 'running' ? formatPortsColumn(c.ports ?? []) : '',
      c.name,
      ...(sizes ? [sizes.get(c.id) ?? '0B'] : []),
    ]),
  );
}

/** docker's SIZE: the container's own layer, and with its image's (virtual). */
async function containerSizes(engine: EngineApi): Promise<Map<string, string>> {
  const du = await engine.diskUsage();
  const imageSize = new Map(du.images.map((i) => [i.id, i.size]));
  return new Map(du.containers.map((c) => {
    const virtual = c.sizeRw + (imageSize.get(c.imageId ?? '') ?? 0);
    return [c.id, virtual > 0 && virtual !== c.sizeRw ? `${humanSize(c.sizeRw)} (virtual ${humanSize(virtual)})` : humanSize(c.sizeRw)];
  }));
}

/** Labels, pause and health (none without a check; starting until its monitor wrote one). */
function extras(c: ContainerInfo): { labels: Record<string, string>; health: string; paused: boolean } {
  const health = c.healthcheck ? (c.health?.Status ?? 'starting') : 'none';
  return { labels: c.spec.labels ?? {}, health, paused: !!c.paused };
}

/** docker's State: created, running, paused, exited (and hutch's unknown). */
function stateOf(c: ContainerInfo): string {
  return c.status === 'running' && extras(c).paused ? 'paused' : c.status;
}

/** Network names (a container on host or none shows that mode, as docker). */
function networksOf(c: ContainerInfo): string[] {
  if (c.endpoints?.length) return c.endpoints.map((e) => e.network);
  const mode = c.spec.network;
  return mode === 'host' || mode === 'none' ? [mode] : [];
}

/** One row of `ps --format`: docker's ContainerContext placeholders. */
export class ContainerRow extends GoStruct {
  constructor(
    private readonly c: ContainerInfo,
    private readonly now: Date,
    private readonly trunc: boolean,
    private readonly size = '0B',
  ) {
    super();
  }
  get [GO_TYPE]() {
    return '*formatter.ContainerContext';
  }
  get ID() {
    return this.trunc ? shortId(this.c.id) : this.c.id;
  }
  get Names() {
    return this.c.name;
  }
  get Image() {
    return imageColumn(this.c, this.trunc);
  }
  get Command() {
    return formatCommand(this.c.command, !this.trunc);
  }
  get CreatedAt() {
    return goTimeString(this.c.created);
  }
  get RunningFor() {
    return timeAgo(this.c.created, this.now);
  }
  get Ports() {
    return this.c.status === 'running' ? formatPortsColumn(this.c.ports ?? []) : '';
  }
  get State() {
    return stateOf(this.c);
  }
  get Status() {
    return containerStatus(this.c, this.now);
  }
  /** Measured when the template uses it or with -s, as docker. */
  get Size() {
    return this.size;
  }
  get Labels() {
    const l = extras(this.c).labels;
    return Object.keys(l).map((k) => `${k}=${l[k]}`).sort().join(',');
  }
  Label(name: string) {
    return extras(this.c).labels[name] ?? '';
  }
  get Mounts() {
    return (this.c.mounts ?? []).map((m) => (this.trunc ? ellipsis(m.name || m.source, 15) : m.name || m.source)).join(',');
  }
  get LocalVolumes() {
    return String((this.c.mounts ?? []).filter((m) => m.type === 'volume').length);
  }
  get Networks() {
    return networksOf(this.c).join(',');
  }
}

export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Names: 'NAMES', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
  Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Labels: 'LABELS', Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES', Networks: 'NETWORKS',
};
const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

const PS_FILTERS = ['name', 'id', 'label', 'status', 'ancestor', 'exited', 'health', 'network', 'volume', 'before', 'since', 'publish', 'expose', 'is-task', 'isolation'];

/** `publish=80`, `80/udp`, `8000-8080/tcp`: a container port in the range (tcp when not said). */
function portMatcher(f: Filters, key: string): ((c: ContainerInfo) => boolean) | undefined {
  const values = f.get(key);
  if (!values) return undefined;
  const ranges = values.map((v) => {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(v);
    if (!m) throw new InvalidArgument(`invalid filter '${key}=${v}'`);
    return { from: Number(m[1]), to: Number(m[2] ?? m[1]), proto: m[3] ?? 'tcp' };
  });
  return (c) => (c.ports ?? []).some((p) => ranges.some((r) => p.containerPort >= r.from && p.containerPort <= r.to && p.protocol === r.proto));
}
const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/** `ancestor=IMAGE`: docker's short names (`alpine` is `docker.io/library/alpine:latest`). */
function canonicalImage(ref: string): string {
  let r = ref.replace(/^docker\.io\/(library\/)?/, '');
  const slash = r.lastIndexOf('/');
  if (!r.includes('@') && !r.slice(slash + 1).includes(':')) r += ':latest';
  return r;
}

function findContainer(list: readonly ContainerInfo[], ref: string): ContainerInfo {
  const hit = list.find((c) => c.id === ref || c.name === ref) ?? (/^[0-9a-f]+$/.test(ref) ? list.filter((c) => c.id.startsWith(ref)) : []).at(0);
  if (!hit) throw new InvalidArgument(`No such container: ${ref}`);
  return hit;
}

/** The predicate of every filter given (AND across keys, OR within a key). */
function containerFilter(f: Filters, all: readonly ContainerInfo[], images: readonly ImageInfo[]): (c: ContainerInfo, i: number) => boolean {
  const name = textMatcher(f.get('name'));
  const id = textMatcher(f.get('id'));
  const label = labelMatcher(f.get('label'));
  const status = f.get('status');
  const health = f.get('health');
  const exited = f.get('exited')?.map(Number);
  const nets = f.get('network');
  const vols = f.get('volume');
  // Exposed ports beyond the published ones are the image's: hutch lists the published.
  const publish = portMatcher(f, 'publish');
  const expose = portMatcher(f, 'expose');
  // hutch runs no swarm tasks; Linux has one isolation.
  const task = boolFilter(f, 'is-task');
  const isolation = f.get('isolation');
  const ancestors = f.get('ancestor');
  const ancestorIds = new Set<string>();
  const ancestorNames = new Set((ancestors ?? []).map(canonicalImage));
  for (const a of ancestors ?? []) {
    const hex = a.replace(/^sha256:/, '');
    for (const img of images) {
      const named = img.repository && img.tag ? canonicalImage(`${img.repository}:${img.tag}`) : canonicalImage(img.name);
      if (named === canonicalImage(a) || (/^[0-9a-f]+$/.test(hex) && img.id.replace(/^sha256:/, '').startsWith(hex))) ancestorIds.add(img.id);
    }
  }
  const index = (ref: string) => all.indexOf(findContainer(all, ref));
  const before = f.get('before')?.map(index);
  const since = f.get('since')?.map(index);
  return (c, i) =>
    name(`/${c.name}`) &&
    id(c.id) &&
    label(extras(c).labels) &&
    (!status || status.includes(stateOf(c))) &&
    (!health || health.includes(extras(c).health)) &&
    (!exited || (c.status === 'exited' && exited.includes(c.exitCode ?? 0))) &&
    (!nets || nets.some((n) => networksOf(c).includes(n) || (c.endpoints ?? []).some((e) => e.networkId.startsWith(n)))) &&
    (!vols || vols.some((v) => (c.mounts ?? []).some((m) => m.name === v || m.destination === v))) &&
    (!publish || publish(c)) &&
    (!expose || expose(c)) &&
    task !== true &&
    (!isolation || isolation.includes('default')) &&
    (!ancestors || ancestorIds.has(c.imageId ?? '') || ancestorNames.has(canonicalImage(c.image)) || ancestorIds.has(images.find((img) => img.name === c.image)?.id ?? '\0')) &&
    // The list is newest first: "before X" are those after X in it, "since X" those ahead of it.
    (!before || before.every((b) => i > b)) &&
    (!since || since.every((s) => i < s));
}

/** Runs the listing: the engine's containers, filtered, limited; the options checked before the engine opens. */
async function listContainers(engine: EngineApi, f: Filters, opts: { all: boolean; last: number }): Promise<ContainerInfo[]> {
  // A status filter or -n looks at every container, as docker; before/since need them all to find theirs.
  const all = opts.all || f.has('status') || opts.last > 0;
  const needAll = all || f.has('before') || f.has('since');
  const list = sortByCreated(await engine.list({ all: needAll }));
  const images = f.has('ancestor') ? await engine.images() : [];
  const keep = containerFilter(f, list, images);
  const live = (c: ContainerInfo) => c.status === 'running' || (c.status === 'unknown' && c.monitorPid > 0);
  const out = list.filter((c, i) => (all || live(c)) && keep(c, i));
  return opts.last > 0 ? out.slice(0, opts.last) : out;
}

export const ps: Verb = {
  name: 'ps',
  summary: 'List containers',
  usage: '[OPTIONS]',
  options: [
    { long: ['all'], short: 'a', kind: 'bool', help: 'Show all containers (default shows just running)' },
    { long: ['filter'], short: 'f', kind: 'list', value: 'filter', help: 'Filter output based on conditions provided (name, id, label, status, ancestor, exited, health, network, volume, before, since)' },
    { long: ['format'], kind: 'string', help: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
    { long: ['last'], short: 'n', kind: 'string', value: 'int', help: 'Show n last created containers (includes all states)' },
    { long: ['latest'], short: 'l', kind: 'bool', help: 'Show the latest created container (includes all states)' },
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Only display container IDs' },
    { long: ['size'], short: 's', kind: 'bool', help: 'Display total file sizes' },
    { long: ['no-trunc'], kind: 'bool', help: "Don't truncate output" },
  ],
  maxArgs: 0,
  examples: ['hutch ps -a', 'hutch rm $(hutch ps -aq)', "hutch ps --filter status=exited --format '{{.Names}}\\t{{.Status}}'"],
  async run(ctx, p) {
    const f = parseFilters(p.list('filter'), PS_FILTERS);
    checkValues(f, 'status', STATES);
    checkValues(f, 'health', ['starting', 'healthy', 'unhealthy', 'none']);
    portMatcher(f, 'publish');
    portMatcher(f, 'expose');
    boolFilter(f, 'is-task');
    for (const v of f.get('exited') ?? []) if (!/^-?\d+$/.test(v)) throw new InvalidArgument(`invalid filter 'exited=${v}'`);
    const n = p.string('last');
    if (n !== undefined && !/^-?\d+$/.test(n)) throw new InvalidArgument(`invalid argument "${n}" for "-n, --last" flag: strconv.ParseInt: parsing "${n}": invalid syntax`);
    const last = p.bool('latest') ? 1 : Number(n ?? -1);
    const quiet = p.bool('quiet');
    const format = p.string('format');
    const noTrunc = p.bool('no-trunc');
    // Parsed before anything is listed: a bad template changes and prints nothing.
    const fmt = format !== undefined && !quiet && format !== '' && format !== 'table' ? parseListFormat(format, DEFAULT_FORMAT) : undefined;

    const engine = await ctx.engine();
    const list = await listContainers(engine, f, { all: p.bool('all'), last });
    const sizes = !quiet && (fmt ? format!.includes('.Size') : p.bool('size')) ? await containerSizes(engine) : undefined;
    // A record that cannot be read is listed as Unknown, and said once here.
    for (const c of list)
      if (c.status === 'unknown') await ctx.err(`hutch: warning: container ${shortId(c.id)}: ${c.problem ?? 'unreadable'}; 'hutch rm -f ${shortId(c.id)}' removes it\n`);
    if (!fmt) {
      await ctx.out(renderPs(list, { quiet, noTrunc, sizes }, ctx.now()));
      return 0;
    }
    const now = ctx.now();
    await ctx.out(renderList(fmt, list.map((c) => new ContainerRow(c, now, !noTrunc, sizes?.get(c.id))), PS_HEADERS));
    return 0;
  },
};
