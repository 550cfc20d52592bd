// hutch images: docker's table (REPOSITORY TAG IMAGE ID CREATED SIZE), one row per tag;
// --format with docker's image placeholders, --filter reference/dangling/label/before/since.
import type { Verb } from '../context.js';
import type { EngineApi, ImageInfo } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { formatTable } from '../format/table.js';
import { timeAgo } from '../format/duration.js';
import { humanSize } from '../format/size.js';
import { shortId } from '../format/text.js';
import { GoStruct, GO_TYPE } from '../format/template/index.js';
import { goTimeString } from '../format/template/go-time.js';
import { parseListFormat, renderList } from '../format/template/list.js';
import { boolFilter, globPattern, labelMatcher, parseFilters, type Filters } from '../filters.js';

export function renderImages(list: readonly ImageInfo[], now: Date, noTrunc = false, digests = false): string {
  return formatTable(
    ['REPOSITORY', 'TAG', ...(digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'],
    list.map((i) => [
      i.repository ?? i.name,
      i.tag ?? '<none>',
      ...(digests ? [i.digest ?? '<none>'] : []),
      noTrunc ? i.id : shortId(i.id),
      i.kind === 'builtin' ? '-' : timeAgo(i.created, now),
      i.kind === 'builtin' ? '-' : humanSize(i.size),
    ]),
  );
}

const isDangling = (i: ImageInfo) => i.kind !== 'builtin' && (!i.tag || i.tag === '<none>') && (!i.repository || i.repository === '<none>');

/** One row of `images --format`: docker's image placeholders (the built-in image has no age or size: '-'). */
export class ImageRow extends GoStruct {
  constructor(
    private readonly i: ImageInfo,
    private readonly now: Date,
    private readonly trunc: boolean,
    private readonly digest: boolean,
  ) {
    super();
  }
  get [GO_TYPE]() {
    return '*formatter.imageContext';
  }
  get ID() {
    return this.trunc ? shortId(this.i.id) : this.i.id;
  }
  get Repository() {
    return this.i.repository ?? this.i.name;
  }
  get Tag() {
    return this.i.tag ?? '<none>';
  }
  get Digest() {
    return (this.digest && this.i.digest) || '<none>';
  }
  get CreatedSince() {
    return this.i.kind === 'builtin' ? '-' : timeAgo(this.i.created, this.now);
  }
  get CreatedAt() {
    return goTimeString(this.i.created);
  }
  get Size() {
    return this.i.kind === 'builtin' ? '-' : humanSize(this.i.size);
  }
  get VirtualSize() {
    return this.Size;
  }
  get SharedSize() {
    return this.i.sharedSize === undefined ? 'N/A' : humanSize(this.i.sharedSize);
  }
  get UniqueSize() {
    return this.i.sharedSize === undefined ? 'N/A' : humanSize(this.i.size - this.i.sharedSize);
  }
  get Containers() {
    return 'N/A';
  }
}

const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE',
  Containers: 'CONTAINERS', VirtualSize: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
};
const DEFAULT_FORMAT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

/** An image named as docker names it: short name and tag (`busybox:latest`), or an id prefix. */
function findImage(list: readonly ImageInfo[], ref: string): ImageInfo {
  const withTag = /:[^/]*$/.test(ref) ? ref : `${ref}:latest`;
  const short = withTag.replace(/^docker\.io\/(library\/)?/, '');
  const hex = ref.replace(/^sha256:/, '');
  const hit =
    list.find((i) => i.name === ref || `${i.repository}:${i.tag}` === short) ??
    (/^[0-9a-f]+$/.test(hex) ? list.find((i) => i.id.replace(/^sha256:/, '').startsWith(hex)) : undefined);
  if (!hit) throw new InvalidArgument(`No such image: ${ref}`);
  return hit;
}

async function filterImages(engine: EngineApi, list: readonly ImageInfo[], f: Filters): Promise<ImageInfo[]> {
  const dangling = boolFilter(f, 'dangling');
  const refs = (f.get('reference') ?? []).map(globPattern);
  const time = (i: ImageInfo) => Date.parse(i.created) || 0;
  const before = f.get('before')?.map((r) => time(findImage(list, r)));
  const since = f.get('since')?.map((r) => time(findImage(list, r)));
  let out = list.filter(
    (i) =>
      (dangling === undefined || isDangling(i) === dangling) &&
      (!refs.length || (!isDangling(i) && refs.some((re) => re.test(`${i.repository ?? i.name}:${i.tag ?? ''}`) || re.test(i.repository ?? i.name)))) &&
      (!before || before.every((t) => time(i) < t)) &&
      (!since || since.every((t) => time(i) > t)),
  );
  if (f.has('label')) {
    // Labels are in the image's config: read only when asked for.
    const match = labelMatcher(f.get('label'));
    const keep = await Promise.all(out.map(async (i) => match((await engine.inspectImage(i.kind === 'builtin' ? i.name : i.id)).Config.Labels)));
    out = out.filter((_, k) => keep[k]);
  }
  return out;
}

export const images: Verb = {
  name: 'images',
  summary: 'List images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  options: [
    { long: ['all'], short: 'a', kind: 'bool', help: 'Show all images (hutch keeps no intermediate images: the same list)' },
    { long: ['digests'], kind: 'bool', help: 'Show digests' },
    { long: ['filter'], short: 'f', kind: 'list', value: 'filter', help: 'Filter output based on conditions provided (reference, dangling, label, before, since)' },
    { long: ['format'], kind: 'string', help: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Only show image IDs' },
    { long: ['no-trunc'], kind: 'bool', help: "Don't truncate output" },
  ],
  maxArgs: 1,
  examples: ['hutch images', 'hutch images -q', 'hutch images --filter dangling=true', "hutch images --format '{{.Repository}}:{{.Tag}}'"],
  async run(ctx, p) {
    const flags = [...p.list('filter'), ...(p.args[0] !== undefined ? [`reference=${p.args[0]}`] : [])];
    const f = parseFilters(flags, ['reference', 'dangling', 'label', 'before', 'since']);
    boolFilter(f, 'dangling');
    const noTrunc = p.bool('no-trunc');
    const digests = p.bool('digests');
    let format = p.string('format');
    if (format !== undefined && format.startsWith('table') && format !== 'table' && digests && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
    const fmt = format !== undefined && format !== '' && format !== 'table' && !p.bool('quiet') ? parseListFormat(format, DEFAULT_FORMAT) : undefined;

    const engine = await ctx.engine();
    const list = await filterImages(engine, await engine.images(), f);
    if (p.bool('quiet')) {
      const ids = [...new Set(list.filter((i) => i.kind !== 'builtin').map((i) => (noTrunc ? i.id : shortId(i.id))))];
      await ctx.out(ids.map((i) => `${i}\n`).join(''));
      return 0;
    }
    if (!fmt) {
      await ctx.out(renderImages(list, ctx.now(), noTrunc, digests));
      return 0;
    }
    const now = ctx.now();
    const showDigest = digests || (format ?? '').includes('{{.Digest}}');
    await ctx.out(renderList(fmt, list.map((i) => new ImageRow(i, now, !noTrunc, showDigest)), IMAGE_HEADERS));
    return 0;
  },
};
