// The output of every `inspect` (containers, images, networks, volumes): a JSON array of
// what was found, or with `-f` one rendered template line per object, as docker prints
// them; each failure is one line on stderr, the others still print, and the status is 1.
import type { OptionSpec } from '../args.js';
import type { CliContext } from '../context.js';
import { printFailure } from '../each.js';
import { parseTemplate } from './template/index.js';

export const FORMAT_OPTION: OptionSpec = { long: ['format'], short: 'f', kind: 'string', help: "Format output using a Go template ('{{.Name}}', '{{json .}}')" };

/** A failure printed as its message alone: docker's client lines (`Error: No such object: x`). */
export class PlainFailure extends Error {}

export async function printInspected(ctx: CliContext, names: readonly string[], format: string | undefined, look: (name: string) => Promise<unknown>): Promise<number> {
  // A template that does not parse fails before anything is looked up (one line, 125).
  const tmpl = format === undefined ? undefined : parseTemplate(format);
  const found: unknown[] = [];
  let failed = false;
  for (const name of names) {
    try {
      const obj = await look(name);
      if (tmpl) await ctx.out(`${tmpl.render(obj)}\n`);
      else found.push(obj);
    } catch (err) {
      failed = true;
      if (err instanceof PlainFailure) await ctx.err(`${err.message}\n`);
      else await printFailure(ctx, err);
    }
  }
  if (!tmpl) await ctx.out(`${JSON.stringify(found, null, 2)}\n`);
  return failed ? 1 : 0;
}
