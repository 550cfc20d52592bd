// hutch images: the built-in host image and imported root filesystems.
import type { Verb } from '../context.js';
import type { ImageInfo } from '../../engine/types.js';
import { formatTable } from '../format/table.js';
import { timeAgo } from '../format/duration.js';
import { humanSize } from '../format/size.js';
import { shortId } from '../format/text.js';

export function renderImages(list: readonly ImageInfo[], now: Date): string {
  return formatTable(
    ['REPOSITORY', 'IMAGE ID', 'CREATED', 'SIZE'],
    list.map((i) => [i.name, shortId(i.id), timeAgo(i.created, now), humanSize(i.size)]),
  );
}

export const images: Verb = {
  name: 'images',
  summary: 'List images',
  usage: '',
  options: [],
  maxArgs: 0,
  async run(ctx) {
    await ctx.out(renderImages(await (await ctx.engine()).images(), ctx.now()));
    return 0;
  },
};
