// hutch ps: docker's columns and wording.
import type { Verb } from '../context.js';
import type { ContainerInfo } from '../../engine/types.js';
import { formatTable } from '../format/table.js';
import { containerStatus, timeAgo } from '../format/duration.js';
import { formatCommand, shortId } from '../format/text.js';
import { formatPortsColumn } from '../../engine/network/ports.js';

export interface PsOptions {
  quiet?: boolean;
  noTrunc?: boolean;
}

/** Newest first, like docker. */
export function sortByCreated(list: readonly ContainerInfo[]): ContainerInfo[] {
  return [...list].sort((a, b) => (Date.parse(b.created) || 0) - (Date.parse(a.created) || 0));
}

export function renderPs(list: readonly ContainerInfo[], opts: PsOptions, now: Date): string {
  const sorted = sortByCreated(list);
  const id = (c: ContainerInfo) => (opts.noTrunc ? c.id : shortId(c.id));
  if (opts.quiet) return sorted.map((c) => `${id(c)}\n`).join('');
  return formatTable(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
    sorted.map((c) => [
      id(c),
      c.image,
      formatCommand(c.command, opts.noTrunc),
      timeAgo(c.created, now),
      containerStatus(c, now),
      // Published ports hold only while it runs (docker shows none for a stopped one).
      c.status === 'running' ? formatPortsColumn(c.ports ?? []) : '',
      c.name,
    ]),
  );
}

export const ps: Verb = {
  name: 'ps',
  summary: 'List containers',
  usage: '[OPTIONS]',
  options: [
    { long: ['all'], short: 'a', kind: 'bool', help: 'Show all containers (default shows just running)' },
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Only display container IDs' },
    { long: ['no-trunc'], kind: 'bool', help: "Don't truncate output" },
  ],
  maxArgs: 0,
  examples: ['hutch ps -a', 'hutch rm $(hutch ps -aq)'],
  async run(ctx, p) {
    const list = await (await ctx.engine()).list({ all: p.bool('all') });
    // A record that cannot be read is listed as Unknown, and said once here.
    for (const c of list)
      if (c.status === 'unknown') await ctx.err(`hutch: warning: container ${shortId(c.id)}: ${c.problem ?? 'unreadable'}; 'hutch rm -f ${shortId(c.id)}' removes it\n`);
    await ctx.out(renderPs(list, { quiet: p.bool('quiet'), noTrunc: p.bool('no-trunc') }, ctx.now()));
    return 0;
  },
};
