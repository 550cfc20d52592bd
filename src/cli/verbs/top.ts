// hutch top CONTAINER [ps OPTIONS]: the host's ps for the container's processes,
// printed as docker prints it (Go's tabwriter, minwidth 20, padding 3).
import type { Verb } from '../context.js';
import type { TopTable } from '../../engine/types.js';
import { displayWidth } from '../format/table.js';

export function renderTop(t: TopTable): string {
  const all = [t.titles, ...t.processes];
  const widths = t.titles.map((_, col) => Math.max(20, ...all.map((r) => displayWidth(r[col] ?? '') + 3)));
  return all.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell + ' '.repeat(widths[col] - displayWidth(cell)))).join('') + '\n').join('');
}

export const top: Verb = {
  name: 'top',
  summary: 'Display the running processes of a container',
  usage: 'CONTAINER [ps OPTIONS]',
  options: [],
  // Everything after the container is ps's (`hutch top web -o pid,cmd`).
  stopAtPositional: true,
  minArgs: 1,
  examples: ['hutch top web', 'hutch top web -o pid,user,args'],
  async run(ctx, p) {
    const [container, ...psArgs] = p.args;
    await ctx.out(renderTop(await (await ctx.engine()).topPs(container, psArgs)));
    return 0;
  },
};
