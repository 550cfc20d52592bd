// hutch history: docker's table of an image's history (IMAGE CREATED CREATED BY SIZE
// COMMENT), newest first; `<missing>` for steps that are no image here.
import type { Verb } from '../context.js';
import type { ImageHistoryEntry } from '../../engine/types.js';
import { UsageError } from '../errors.js';
import { formatTable } from '../format/table.js';
import { timeAgo } from '../format/duration.js';
import { humanSize } from '../format/size.js';
import { ellipsis, shortId } from '../format/text.js';

export interface HistoryView {
  noTrunc: boolean;
  human: boolean;
  now: Date;
}

/** The fields docker's --format names, as the table shows them. */
export function historyFields(e: ImageHistoryEntry, v: HistoryView): Record<string, string> {
  const createdBy = e.createdBy.replaceAll('\t', ' ');
  return {
    ID: e.id === '<missing>' || v.noTrunc ? e.id : shortId(e.id),
    CreatedSince: timeAgo(e.created, v.now),
    CreatedAt: createdAt(e.created),
    CreatedBy: v.noTrunc ? createdBy : ellipsis(createdBy, 45),
    Size: v.human ? humanSize(e.size) : String(e.size),
    Comment: e.comment,
  };
}

function createdAt(t: string): string {
  const ms = Date.parse(t);
  return !t || Number.isNaN(ms) || ms <= 0 ? 'N/A' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function renderHistory(list: readonly ImageHistoryEntry[], v: HistoryView): string {
  return formatTable(
    ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
    list.map((e) => {
      const f = historyFields(e, v);
      return [f.ID, v.human ? f.CreatedSince : f.CreatedAt, f.CreatedBy, f.Size, f.Comment];
    }),
  );
}

/**
 * A --format template: `{{.Field}}` replaced, `\t` a tab; `table …` prints a header
 * and aligns the columns as the table does. Only the fields (no Go template logic).
 */
export function renderFormat(format: string, list: readonly ImageHistoryEntry[], v: HistoryView): string {
  checkFormat(format);
  const table = /^table\s*/.exec(format);
  const body = (table ? format.slice(table[0].length) : format).replaceAll('\\t', '\t');
  const fill = (f: Record<string, string>) => body.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, n: string) => f[n]);
  if (!table) return list.map((e) => `${fill(historyFields(e, v))}\n`).join('');
  const header: Record<string, string> = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };
  const rows = list.map((e) => fill(historyFields(e, v)).split('\t'));
  return formatTable(fill(header).split('\t'), rows);
}

const FIELDS = ['ID', 'CreatedSince', 'CreatedAt', 'CreatedBy', 'Size', 'Comment'];

/** UsageError for a field the table has not, or template logic beyond {{.Field}}. */
export function checkFormat(format: string): void {
  for (const m of format.matchAll(/\{\{\s*\.(\w+)\s*\}\}/g))
    if (!FIELDS.includes(m[1])) throw new UsageError(`template: can't evaluate field ${m[1]} (one of ${FIELDS.join(', ')})`, 'history');
  if (/\{\{(?!\s*\.\w+\s*\}\})/.test(format)) throw new UsageError(`template: only {{.Field}} is supported: ${format}`, 'history');
}

export const history: Verb = {
  name: 'history',
  summary: 'Show the history of an image',
  usage: '[OPTIONS] IMAGE',
  options: [
    { long: ['human'], short: 'H', kind: 'bool', help: 'Print sizes and dates in human readable format (default true)' },
    { long: ['no-trunc'], kind: 'bool', help: "Don't truncate output" },
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Only show image IDs' },
    { long: ['format'], kind: 'string', help: 'Format output using fields: {{.ID}}, {{.CreatedSince}}, {{.CreatedAt}}, {{.CreatedBy}}, {{.Size}}, {{.Comment}}; "table …" for a table' },
  ],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch history busybox', 'hutch history --no-trunc --format "{{.CreatedBy}}" mysite:1'],
  async run(ctx, p) {
    const v: HistoryView = { noTrunc: p.bool('no-trunc'), human: p.has('human') ? p.bool('human') : true, now: ctx.now() };
    const format = p.string('format');
    if (format) checkFormat(format);
    const list = await (await ctx.engine()).imageHistory(p.args[0]);
    if (p.bool('quiet')) await ctx.out(list.map((e) => `${historyFields(e, v).ID}\n`).join(''));
    else if (format) await ctx.out(renderFormat(format, list, v));
    else await ctx.out(renderHistory(list, v));
    return 0;
  },
};
