// hutch inspect: docker's records of containers, images, networks and volumes as a JSON
// array, or one `--format` line each. A name is looked up as docker does: container,
// image, network, volume, the first kind that has it (`--type` picks one).
import type { Verb } from '../context.js';
import type { EngineApi } from '../../engine/types.js';
import { InvalidArgument, NotFound } from '../../engine/errors.js';
import { UsageError } from '../errors.js';
import { printFailure } from '../each.js';
import { dockerNetwork } from '../format/network.js';
import { dockerVolume } from './volume.js';

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

/** docker's client line for a missing object, which scripts match. */
class Missing extends Error {}

async function lookup(engine: EngineApi, name: string, type: Kind | undefined): Promise<unknown> {
  for (const kind of type ? [type] : TYPES) {
    try {
      return await LOOKUPS[kind](engine, name);
    } catch (err) {
      if (!missing(err, kind)) throw err;
    }
  }
  throw new Missing(`Error: No such ${type ?? 'object'}: ${name}`);
}

export const inspect: Verb = {
  name: 'inspect',
  summary: 'Return low-level information on containers, images, networks or volumes',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  options: [
    { long: ['format'], short: 'f', kind: 'string', help: "Format output using a Go template ('{{.State.Status}}', '{{json .Config}}')" },
    { long: ['type'], kind: 'string', help: 'Only this type of object: container, image, network or volume' },
  ],
  minArgs: 1,
  examples: ['hutch inspect web', "hutch inspect -f '{{.State.Status}}' web", "hutch inspect -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' web", 'hutch inspect --type image busybox'],
  async run(ctx, p) {
    const type = p.string('type');
    if (type !== undefined && !(TYPES as readonly string[]).includes(type)) throw new UsageError(`"${type}" is not a valid value for --type`, 'inspect');
    const format = p.string('format');
    // A template that does not parse fails before anything is looked up.
    const render = format === undefined ? undefined : compileTemplate(format);
    const engine = await ctx.engine();
    const found: unknown[] = [];
    let failed = false;
    for (const name of p.args) {
      try {
        const obj = await lookup(engine, name, type as Kind | undefined);
        if (render) await ctx.out(`${render(obj)}\n`);
        else found.push(obj);
      } catch (err) {
        failed = true;
        if (err instanceof Missing) await ctx.err(`${err.message}\n`);
        else await printFailure(ctx, err);
      }
    }
    if (!render) await ctx.out(`${JSON.stringify(found, null, 2)}\n`);
    return failed ? 1 : 0;
  },
};

// TODO: switch to src/cli/format/template's renderTemplate once it is in; until then
// `{{.A.B}}`, `{{.}}` and `{{json .A}}` between text, the forms scripts use with inspect.
export function compileTemplate(text: string): (data: unknown) => string {
  const parts: Array<string | { json: boolean; path: string[] }> = [];
  const re = /\{\{-?\s*(json\s+)?\.([A-Za-z0-9_.]*)\s*-?\}\}/g;
  let last = 0;
  for (let m; (m = re.exec(text)); last = re.lastIndex) {
    parts.push(text.slice(last, m.index), { json: !!m[1], path: m[2] ? m[2].split('.') : [] });
  }
  const rest = text.slice(last);
  if (rest.includes('{{') || rest.includes('}}') || parts.some((x) => typeof x === 'string' && (x.includes('{{') || x.includes('}}'))))
    throw new UsageError(`template parsing error: template: :1: unsupported or unclosed action in "${text}"`, 'inspect');
  parts.push(rest);
  return (data) =>
    parts
      .map((x) => {
        if (typeof x === 'string') return x;
        let v: unknown = data;
        for (const k of x.path) v = v !== null && typeof v === 'object' && k in v ? (v as Record<string, unknown>)[k] : undefined;
        if (x.json) return JSON.stringify(v ?? null);
        return goString(v);
      })
      .join('');
}

/** How Go's template prints a value: maps as map[k:v], slices as [a b], nothing as <no value>. */
function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v as object).sort().map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  return String(v);
}
