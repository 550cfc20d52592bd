// docker's management commands (`image ls`, `network create`…): a verb whose first
// argument picks a subcommand, parsed with that subcommand's own options.
import type { CliContext, Verb } from '../context.js';
import { parseArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { optionsWithHelp, verbHelp } from '../help.js';

export function managementVerb(name: string, summary: string, subcommands: Record<string, Verb>, examples: string[]): Verb {
  const verb: Verb = {
    name,
    summary,
    usage: 'COMMAND',
    options: [],
    stopAtPositional: true,
    examples,
    async run(ctx: CliContext, p) {
      const [subName, ...rest] = p.args;
      if (subName === undefined) {
        await ctx.out(verbHelp(verb));
        return 0;
      }
      const sub = subcommands[subName];
      if (!sub) throw new UsageError(`unknown command: "${name} ${subName}"`, name);
      const label = sub.name.startsWith(`${name} `) ? sub.name : `${name} ${subName}`;
      const parsed = parseArgs(rest, optionsWithHelp(sub), { stopAtPositional: sub.stopAtPositional, verb: label });
      if (parsed.bool('help')) {
        await ctx.out(verbHelp({ ...sub, name: label }));
        return 0;
      }
      const n = parsed.args.length;
      if (sub.minArgs !== undefined && n < sub.minArgs)
        throw new UsageError(`"hutch ${label}" requires at least ${sub.minArgs} argument${sub.minArgs > 1 ? 's' : ''}`, label);
      if (sub.maxArgs !== undefined && n > sub.maxArgs) {
        const what = sub.maxArgs === 0 ? 'no arguments' : `at most ${sub.maxArgs} argument${sub.maxArgs > 1 ? 's' : ''}`;
        throw new UsageError(`"hutch ${label}" accepts ${what}`, label);
      }
      return sub.run(ctx, parsed);
    },
  };
  return verb;
}
