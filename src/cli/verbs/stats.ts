// hutch stats [OPTIONS] [CONTAINER...]: docker's live table of CPU, memory, network,
// block I/O and pids, read straight from the cgroups by the same sampler the dashboard
// uses. On a terminal the table is redrawn in place each second until Ctrl-C; on a
// pipe each update is printed after the last; --no-stream prints one (CPU measured
// over half a second). --format takes docker's placeholders (.ID .Name .CPUPerc
// .MemUsage .MemPerc .NetIO .BlockIO .PIDs .Container), `table`, or `json`.
import os from 'node:os';
import type { Verb } from '../context.js';
import type { ContainerInfo } from '../../engine/types.js';
import type { ContainerSample } from '../../engine/stats/types.js';
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
  ],
  examples: ['hutch stats --no-stream', "hutch stats --format '{{.Name}}: {{.CPUPerc}}' web"],
  async run(ctx, p) {
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

