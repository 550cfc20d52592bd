// hutch top CONTAINER [ps OPTIONS]: the host's ps for the container's processes,
// printed as docker prints it (Go's tabwriter, minwidth 20, padding 3). `--format
// json`: the engine's own list instead (pid, ppid, state, rss in bytes, cpuSeconds,
// cmd; what the dashboard's detail view reads, also from another machine over ssh).
import type { Verb } from '../context.js';
import type { TopTable } from '../../engine/types.js';
import { displayWidth } from '../format/table.js';
import { UsageError } from '../errors.js';

export function renderTop(t: TopTable): string {
  const all = [t.titles, ...t.processes];
  const widths = t.titles.map((_, col) => Math.max(20, ...all.map((r) => displayWidth(r[col] ?? '') + 3)));
  return all.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell + ' '.repeat(widths[col] - displayWidth(cell)))).join('') + '\n').join('');
}

export const top: Verb = {
  name: 'top',
  summary: 'Display the running processes of a container',
  usage: 'CONTAINER [ps OPTIONS]',
  options: [{ long: ['format'], kind: 'string', help: "'json': the container's processes as JSON (pid, ppid, state, rss, cpuSeconds, cmd), no ps options" }],
  // Everything after the container is ps's (`hutch top web -o pid,cmd`).
  stopAtPositional: true,
  minArgs: 1,
  examples: ['hutch top web', 'hutch top web -o pid,user,args'],
  async run(ctx, p) {
    const [container, ...psArgs] = p.args;
    const format = p.string('format');
    if (format !== undefined) {
      if (format !== 'json') throw new UsageError(`top: --format ${JSON.stringify(format)}: only json is known`, 'top');
      if (psArgs.length) throw new UsageError('top: --format json takes no ps options', 'top');
      await ctx.out(`${JSON.stringify(await (await ctx.engine()).top(container))}\n`);
      return 0;
    }
    await ctx.out(renderTop(await (await ctx.engine()).topPs(container, psArgs)));
    return 0;
  },
};
