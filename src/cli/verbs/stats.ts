// hutch stats [OPTIONS] [CONTAINER...]: docker's live table of CPU, memory, network,
// block I/O and pids, read straight from the cgroups by the same sampler the dashboard
// uses. On a terminal the table is redrawn in place each second until Ctrl-C; on a
// pipe each update is printed after the last; --no-stream prints one (CPU measured
// over half a second). --format takes docker's placeholders (.ID .Name .CPUPerc
// .MemUsage .MemPerc .NetIO .BlockIO .PIDs .Container), `table`, or `json`.
import os from 'node:os';
import type { CliContext, Verb } from '../context.js';
import type { ParsedArgs } from '../args.js';
import { InvalidArgument } from '../../engine/errors.js';
import { VERSION } from './version.js';
import type { ContainerInfo } from '../../engine/types.js';
import type { ContainerSample, HostSample } from '../../engine/stats/types.js';
import { parseListFormat, renderList } from '../format/template/list.js';
import { STATS_HEADER, STATS_TABLE, statsRow } from '../format/stats-row.js';

const NO_STREAM_GAP_MS = 500;
const INTERVAL_MS = 1000;

export const stats: Verb = {
  name: 'stats',
  summary: 'Display a live stream of container(s) resource usage statistics',
  usage: '[OPTIONS] [CONTAINER...]',
  options: [
    { long: ['all'], short: 'a', kind: 'bool', help: 'Show all containers (default shows just running)' },
    { long: ['no-stream'], kind: 'bool', help: 'Disable streaming stats and only pull the first result' },
    { long: ['no-trunc'], kind: 'bool', help: 'Do not truncate output' },
    { long: ['format'], kind: 'string', help: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
    { long: ['json'], kind: 'bool', help: "Stream newline-delimited JSON: a header, then what changed each interval, every container (the remote dashboard's feed; README)" },
    { long: ['interval'], kind: 'string', value: 'ms', help: 'With --json: milliseconds between objects (default 1000, at least 100)' },
  ],
  examples: ['hutch stats --no-stream', "hutch stats --format '{{.Name}}: {{.CPUPerc}}' web"],
  async run(ctx, p) {
    if (p.bool('json')) return streamJson(ctx, p);
    const fmt = parseListFormat(p.string('format') ?? '', STATS_TABLE);
    const engine = await ctx.engine();
    const { createSampler } = await import('../../engine/stats/sampler.js');
    const sampler = createSampler(engine) as ReturnType<typeof createSampler> & { sweep(): Promise<Map<string, ContainerSample>> };
    const wanted = p.args;
    const hostMem = os.totalmem();
    const pick = async (): Promise<ContainerInfo[]> => {
      const all = await engine.list({ all: true });
      if (!wanted.length) return all.filter((c) => p.bool('all') || c.status === 'running');
      // Named containers are shown whatever their state; an unknown one is docker's error.
      return Promise.all(wanted.map((w) => all.find((c) => c.id === w || c.name === w || (w.length >= 3 && c.id.startsWith(w))) ?? engine.inspect(w)));
    };
    const table = async (samples: Map<string, ContainerSample>) => {
      const rows = (await pick()).map((c) => {
        const r = statsRow(c, c.status === 'running' ? samples.get(c.id) : undefined, hostMem);
        return p.bool('no-trunc') ? { ...r, ID: c.id } : r;
      });
      return renderList(fmt, rows, STATS_HEADER);
    };
    await pick(); // an unknown container fails before anything is printed
    await sampler.sweep();
    if (p.bool('no-stream')) {
      await new Promise((r) => setTimeout(r, NO_STREAM_GAP_MS));
      await ctx.out(await table(await sampler.sweep()));
      sampler.stop();
      return 0;
    }
    const tty = (ctx.stdout as { isTTY?: boolean }).isTTY === true;
    for (;;) {
      await new Promise((r) => setTimeout(r, INTERVAL_MS));
      const text = await table(await sampler.sweep());
      // docker clears the screen and draws from the top on a terminal.
      await ctx.out(tty ? `\x1b[2J\x1b[H${text}` : text);
    }
  },
};


/** `stats --json` (engine/stats/stream.ts): every container, ours and other engines', what changed each interval. */
async function streamJson(ctx: CliContext, p: ParsedArgs): Promise<number> {
  if (p.has('format')) throw new InvalidArgument('--json and --format cannot be used together');
  const raw = p.string('interval');
  const interval = raw === undefined ? INTERVAL_MS : Number(raw);
  if (!Number.isInteger(interval) || interval < 100) throw new InvalidArgument(`invalid argument ${JSON.stringify(raw)} for "--interval" flag: milliseconds, at least 100`);
  const engine = await ctx.engine();
  const { createSampler } = await import('../../engine/stats/sampler.js');
  const { StatsStreamEncoder, streamContainer, streamHost } = await import('../../engine/stats/stream.js');
  const sampler = createSampler(engine, { foreign: true }) as ReturnType<typeof createSampler> & { sweep(): Promise<Map<string, ContainerSample>> };
  const wanted = p.args;
  // Named containers must exist (docker's error, before anything is printed).
  for (const w of wanted) await engine.inspect(w);
  const keep = (c: ContainerInfo) => !wanted.length || wanted.some((w) => c.id === w || c.name === w || (w.length >= 3 && c.id.startsWith(w)));
  let last: { samples: ReadonlyMap<string, ContainerSample>; host: HostSample; all: ContainerInfo[] } | undefined;
  sampler.onSample((samples, host, all) => (last = { samples, host, all }));
  const enc = new StatsStreamEncoder();
  await ctx.out(enc.header({ hutch: VERSION, host: os.hostname(), interval }));
  const frame = () => (last ? enc.frame(Date.now(), streamHost(last.host), last.all.filter(keep).map((c) => streamContainer(c, last!.samples.get(c.id)))) : '');
  await sampler.sweep();
  if (p.bool('no-stream')) {
    await new Promise((r) => setTimeout(r, NO_STREAM_GAP_MS));
    await sampler.sweep();
    await ctx.out(frame());
    sampler.stop();
    return 0;
  }
  for (;;) {
    await new Promise((r) => setTimeout(r, interval));
    await sampler.sweep();
    await ctx.out(frame());
  }
}
