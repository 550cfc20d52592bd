// hutch events: docker's event lines from the state root's log (no daemon: every hutch
// process that acts appends to it; engine/events/log.ts). Without --since it shows what
// happens from now on; with --until it stops there (at once when that is past);
// otherwise it follows until interrupted, listing the containers each second so that an
// exit nobody else has seen is reported (`die`) within that time.
import type { Verb } from '../context.js';
import type { EngineEvent } from '../../engine/types.js';
import { UsageError } from '../errors.js';
import { parseLogTime } from './logs.js';
import { parseTemplate } from '../format/template/index.js';

const KEYS = new Set(['container', 'event', 'image', 'type', 'network', 'volume', 'label', 'scope']);

/** docker's filters: the same key repeated is OR, different keys AND. */
const FUZZY_EVENTS = new Set(['health_status', 'exec_create', 'exec_start']);

export function eventFilter(specs: readonly string[]): (e: EngineEvent) => boolean {
  const by = new Map<string, string[]>();
  for (const f of specs) {
    const eq = f.indexOf('=');
    const k = eq < 0 ? f : f.slice(0, eq);
    if (eq < 0 || !KEYS.has(k)) throw new UsageError(`invalid filter '${f}'`, 'events');
    by.set(k, [...(by.get(k) ?? []), f.slice(eq + 1)]);
  }
  const a = (e: EngineEvent) => e.Actor.Attributes;
  const test: Record<string, (e: EngineEvent, v: string) => boolean> = {
    container: (e, v) => e.Type === 'container' && (e.Actor.ID === v || e.Actor.ID.startsWith(v) || a(e).name === v),
    // docker (moby #25798): health_status, exec_create and exec_start also match their "…: detail" actions.
    event: (e, v) => e.Action === v || (FUZZY_EVENTS.has(v) && e.Action.startsWith(`${v}:`)),
    image: (e, v) => a(e).image === v || (e.Type === 'image' && (e.Actor.ID === v || a(e).name === v)),
    type: (e, v) => e.Type === v,
    network: (e, v) => e.Type === 'network' && (e.Actor.ID.startsWith(v) || a(e).name === v),
    volume: (e, v) => e.Type === 'volume' && e.Actor.ID === v,
    label: (e, v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? v in a(e) : a(e)[v.slice(0, eq)] === v.slice(eq + 1);
    },
    scope: (e, v) => e.scope === v,
  };
  return (e) => [...by].every(([k, vs]) => vs.some((v) => test[k](e, v)));
}

/** docker's default line: `TIME TYPE ACTION ID (k=v, …)`, the time in RFC 3339 with nanoseconds. */
export function eventLine(e: EngineEvent): string {
  // Times are kept to the millisecond (a double cannot hold nanoseconds since 1970).
  const time = new Date(Math.floor(e.timeNano / 1e6)).toISOString().replace(/Z$/, '000000Z');
  const attrs = Object.keys(e.Actor.Attributes)
    .sort()
    .map((k) => `${k}=${e.Actor.Attributes[k]}`);
  return `${time} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs.length ? ` (${attrs.join(', ')})` : ''}`;
}

export const events: Verb = {
  name: 'events',
  summary: 'Get real time events from the engine',
  usage: '[OPTIONS]',
  options: [
    { long: ['since'], kind: 'string', help: 'Show all events created since timestamp (RFC 3339, Unix seconds, or a duration like 10m)' },
    { long: ['until'], kind: 'string', help: 'Stream events until this timestamp' },
    { long: ['filter'], short: 'f', kind: 'list', value: 'filter', help: "Filter output based on conditions provided (container, event, image, type, network, volume, label)" },
    { long: ['format'], kind: 'string', help: "Format the output using the given Go template, or 'json'" },
  ],
  maxArgs: 0,
  examples: ['hutch events --since 10m --until 0s', 'hutch events --filter container=web --filter event=die'],
  async run(ctx, p) {
    const now = ctx.now();
    const since = parseLogTime(p.string('since'), 'since', now) ?? now.getTime();
    const until = parseLogTime(p.string('until'), 'until', now);
    const keep = eventFilter(p.list('filter'));
    const format = p.string('format');
    const tpl = format && format !== 'json' ? parseTemplate(format.replace(/\\t/g, '\t').replace(/\\n/g, '\n')) : null;
    const show = (e: EngineEvent) =>
      format === 'json' ? JSON.stringify(e) : tpl ? tpl.render({ ...e, Status: e.Action, ID: e.Actor.ID, From: e.Actor.Attributes.image ?? '', Time: e.time, TimeNano: e.timeNano }) : eventLine(e);
    const engine = await ctx.engine();
    let from: number | undefined;
    let lastList = 0;
    for (;;) {
      const r = await engine.events({ since, ...(until !== undefined ? { until } : {}), ...(from !== undefined ? { from } : {}) });
      from = r.offset;
      const out = r.events.filter(keep).map((e) => `${show(e)}\n`).join('');
      if (out) await ctx.out(out);
      if (until !== undefined && Date.now() > until) return 0;
      // An exit nobody has reconciled yet is found (and logged as `die`) by listing.
      if (Date.now() - lastList > 1000) {
        lastList = Date.now();
        await engine.list({ all: true }).catch(() => []);
        continue;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
  },
};
