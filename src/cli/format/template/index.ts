// One small Go text/template engine as docker uses it, for every --format: parse once
// (parseTemplate), run for each value (renderTemplate / Template.render).
import { execute } from './exec.js';
import { FUNCTIONS, FUNCTION_NAMES, HEADER_FUNCTIONS, type TemplateFunction } from './functions.js';
import { parse, type Template as Parsed } from './parser.js';

export { TemplateError } from './lexer.js';
export { GoStruct, GO_TYPE, ZERO_MISSING, goJSON, goString } from './values.js';
export { tabwrite } from './tabwriter.js';

export class Template {
  constructor(private readonly parsed: Parsed) {}

  /** Runs it on `data`; a failure is a TemplateError (one line, Go's words). */
  render(data: unknown, funcs: Record<string, TemplateFunction> = FUNCTIONS): string {
    return execute(this.parsed, data, funcs);
  }

  /** As docker renders a table's header row: its functions leave column names as they are,
   * and a failure ends the row where it happened. */
  renderHeader(data: unknown): string {
    return execute(this.parsed, data, HEADER_FUNCTIONS, true);
  }
}

/** Parses a template; throws a one-line TemplateError like `template: :1: unclosed action`. */
export function parseTemplate(text: string): Template {
  return new Template(parse(text, FUNCTION_NAMES));
}

export function renderTemplate(text: string, data: unknown): string {
  return parseTemplate(text).render(data);
}
