// docker's list output (its formatter.Context): `--format` is `table …` (a header row,
// columns aligned by the tabwriter), `json` (one JSON object per line), or a template
// run once per row; `\t` and `\n` written in the format are a tab and a newline. Every
// row is rendered before anything is printed, so a failing row prints nothing.
import { parseTemplate, TemplateError, type Template } from './index.js';
import { ZERO_MISSING } from './values.js';
import { tabwrite } from './tabwriter.js';

/** docker's SubHeaderContext: column names by field; `.Label "a.b-c"` heads as `c`… */
export class HeaderMap {
  readonly [ZERO_MISSING] = true;
  constructor(fields: Record<string, string>) {
    Object.assign(this, fields);
  }
  Label(name: string): string {
    return String(name).split('.').at(-1)!.replace(/[-_]/g, ' ');
  }
}

export interface ListFormat {
  template: Template;
  table: boolean;
}

/** The verbs' own default (a table) stands for '' and 'table'; 'json' for `{{json .}}`. */
export function parseListFormat(format: string, defaultTable: string): ListFormat {
  let f = format === '' || format === 'table' ? defaultTable : format;
  const table = f.startsWith('table');
  if (table) f = f.slice('table'.length);
  else if (f === 'json') f = '{{json .}}';
  f = f.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  try {
    return { template: parseTemplate(f), table };
  } catch (e) {
    if (e instanceof TemplateError) throw new TemplateError(`template parsing error: ${e.message}`);
    throw e;
  }
}

export function renderList(fmt: ListFormat, rows: Iterable<unknown>, header: Record<string, string>): string {
  let body = '';
  for (const row of rows) {
    try {
      body += fmt.template.render(row) + '\n';
    } catch (e) {
      if (e instanceof TemplateError) throw new TemplateError(`template parsing error: ${e.message}`);
      throw e;
    }
  }
  if (!fmt.table) return body;
  const head = fmt.template.renderHeader(new HeaderMap(header));
  return tabwrite(`${head}\n${body}`);
}
