// hutch images: docker's table (REPOSITORY TAG IMAGE ID CREATED SIZE), one row per tag.
import type { Verb } from '../context.js';
import type { ImageInfo } from '../../engine/types.js';
import { formatTable } from '../format/table.js';
import { timeAgo } from '../format/duration.js';
import { humanSize } from '../format/size.js';
import { shortId } from '../format/text.js';

export function renderImages(list: readonly ImageInfo[], now: Date, noTrunc = false): string {
  return formatTable(
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
    list.map((i) => [
      i.repository ?? i.name,
      i.tag ?? '<none>',
      noTrunc ? i.id : shortId(i.id),
      i.kind === 'builtin' ? '-' : timeAgo(i.created, now),
      i.kind === 'builtin' ? '-' : humanSize(i.size),
    ]),
  );
}

export const images: Verb = {
  name: 'images',
  summary: 'List images',
  usage: '[OPTIONS]',
  options: [
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Only show image IDs' },
    { long: ['no-trunc'], kind: 'bool', help: "Don't truncate output" },
  ],
  maxArgs: 0,
  examples: ['hutch images', 'hutch images -q'],
  async run(ctx, p) {
    const list = await (await ctx.engine()).images();
    if (p.bool('quiet')) {
      const ids = [...new Set(list.filter((i) => i.kind !== 'builtin').map((i) => (p.bool('no-trunc') ? i.id : shortId(i.id))))];
      await ctx.out(ids.map((i) => `${i}\n`).join(''));
      return 0;
    }
    await ctx.out(renderImages(list, ctx.now(), p.bool('no-trunc')));
    return 0;
  },
};
