// hutch inspect: docker's records of containers, images, networks and volumes as a JSON
// array, or one `--format` line each. A name is looked up as docker does: container,
// image, network, volume, the first kind that has it (`--type` picks one).
import type { Verb } from '../context.js';
import type { ContainerDetail, DiskUsage, EngineApi } from '../../engine/types.js';
import { InvalidArgument, NotFound } from '../../engine/errors.js';
import { UsageError } from '../errors.js';
import { dockerNetwork } from '../format/network.js';
import { dockerVolume } from './volume.js';
import { FORMAT_OPTION, PlainFailure, printInspected } from '../format/inspect-output.js';

const TYPES = ['container', 'image', 'network', 'volume'] as const;
type Kind = (typeof TYPES)[number];

const LOOKUPS: Record<Kind, (e: EngineApi, name: string) => Promise<unknown>> = {
  container: (e, n) => e.inspectContainer(n),
  image: (e, n) => e.inspectImage(n),
  network: async (e, n) => dockerNetwork(await e.inspectNetwork(n)),
  volume: async (e, n) => dockerVolume(await e.inspectVolume(n)),
};

/** Not there (as opposed to there but unreadable): the next kind is tried. A name that is no
 * valid image reference (`UPPER`) is no image either. */
function missing(err: unknown, kind: Kind): boolean {
  return err instanceof NotFound || (kind === 'image' && err instanceof InvalidArgument);
}

/** `-s`: a container's SizeRw (its own layer) and SizeRootFs (with its image's), after
 * GraphDriver as docker places them; one disk usage scan for every name. */
function withSize(engine: EngineApi): (c: ContainerDetail) => Promise<unknown> {
  let usage: Promise<DiskUsage> | undefined;
  return async (c) => {
    const du = await (usage ??= engine.diskUsage());
    const rw = du.containers.find((x) => x.id === c.Id)?.sizeRw ?? 0;
    const image = du.images.find((i) => i.id === c.Image)?.size ?? 0;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) {
      out[k] = v;
      if (k === 'GraphDriver') Object.assign(out, { SizeRw: rw, SizeRootFs: rw + image });
    }
    return out;
  };
}

async function lookup(engine: EngineApi, name: string, type: Kind | undefined, sized?: (c: ContainerDetail) => Promise<unknown>): Promise<unknown> {
  for (const kind of type ? [type] : TYPES) {
    try {
      if (kind === 'container' && sized) return await sized(await engine.inspectContainer(name));
      return await LOOKUPS[kind](engine, name);
    } catch (err) {
      if (!missing(err, kind)) throw err;
    }
  }
  // docker's client line, which scripts match.
  throw new PlainFailure(`Error: No such ${type ?? 'object'}: ${name}`);
}

export const inspect: Verb = {
  name: 'inspect',
  summary: 'Return low-level information on containers, images, networks or volumes',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  options: [
    { ...FORMAT_OPTION, help: "Format output using a Go template ('{{.State.Status}}', '{{json .Config}}')" },
    { long: ['type'], kind: 'string', help: 'Only this type of object: container, image, network or volume' },
    { long: ['size'], short: 's', kind: 'bool', help: "Display total file sizes if the type is container (SizeRw, SizeRootFs)" },
  ],
  minArgs: 1,
  examples: ['hutch inspect web', "hutch inspect -f '{{.State.Status}}' web", "hutch inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' web", 'hutch inspect --type image busybox'],
  async run(ctx, p) {
    const type = p.string('type');
    if (type !== undefined && !(TYPES as readonly string[]).includes(type)) throw new UsageError(`"${type}" is not a valid value for --type`, 'inspect');
    const engine = await ctx.engine();
    const sized = p.bool('size') ? withSize(engine) : undefined;
    return printInspected(ctx, p.args, p.string('format'), (name) => lookup(engine, name, type as Kind | undefined, sized));
  },
};

/** `container inspect`: containers only, so a missing one is `Error: No such container: x` (docker's). */
export const containerInspect: Verb = {
  name: 'container inspect',
  summary: 'Display detailed information on one or more containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [
    { ...FORMAT_OPTION, help: "Format output using a Go template ('{{.State.Status}}', '{{json .Config}}')" },
    { long: ['size'], short: 's', kind: 'bool', help: 'Display total file sizes (SizeRw, SizeRootFs)' },
  ],
  minArgs: 1,
  examples: ["hutch container inspect -f '{{.State.Pid}}' web"],
  async run(ctx, p) {
    const engine = await ctx.engine();
    const sized = p.bool('size') ? withSize(engine) : undefined;
    return printInspected(ctx, p.args, p.string('format'), (name) => lookup(engine, name, 'container', sized));
  },
};
