// `hutch --help` and `hutch VERB --help`, laid out like docker's.
import { formatOptions, type OptionSpec } from './args.js';
import type { Verb } from './context.js';
import { verbs } from './verbs/index.js';

export const helpOption: OptionSpec = { long: ['help'], short: 'h', kind: 'bool', help: 'Print usage' };

/** The verb's options plus --help (unless the verb has its own, as run's -h is --hostname). */
export function optionsWithHelp(verb: Verb): OptionSpec[] {
  return verb.options.some((o) => o.long.includes('help')) ? verb.options : [...verb.options, helpOption];
}

export function mainHelp(): string {
  const width = Math.max(...verbs.map((v) => v.name.length)) + 3;
  return [
    'Usage:  hutch [--theme NAME|PATH] [--interval DURATION]',
    '        hutch COMMAND [OPTIONS]',
    '',
    'A container engine and a terminal dashboard in one program (no daemon).',
    'Without a command, hutch opens the dashboard (press ? there for its keys);',
    "--host NAME (repeatable) adds another machine's containers, over ssh.",
    '',
    'Commands:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}${v.summary}`),
    `  ${'help'.padEnd(width)}Show this help, or a command's ('hutch help run')`,
    '',
    'Options:',
    '  -h, --help      Print usage',
    '  -v, --version   Print version information and quit',
    '',
    "Run 'hutch COMMAND --help' for more information on a command.",
    '',
  ].join('\n');
}

export function verbHelp(verb: Verb): string {
  const lines = [`Usage:  hutch ${verb.name}${verb.usage ? ` ${verb.usage}` : ''}`, '', verb.summary, ''];
  lines.push('Options:', ...formatOptions(optionsWithHelp(verb)), '');
  if (verb.examples?.length) lines.push('Examples:', ...verb.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}
