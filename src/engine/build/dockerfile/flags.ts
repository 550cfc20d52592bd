// An instruction's `--name[=value]` flags, checked as docker's BFlags checks them:
// only the flags the instruction takes, each once, strings need `=value`, booleans
// take nothing or `=true|false`.
import { Problem } from './location.js';

export type FlagSpec = Record<string, 'string' | 'bool'>;

export type FlagValues = Record<string, string | boolean | undefined>;

/** Parses `raw` (each `--name[=value]`) against `spec`; throws Problem. */
export function parseFlags(raw: string[], spec: FlagSpec): FlagValues {
  const out: FlagValues = {};
  for (const word of raw) {
    if (!word.startsWith('--')) throw new Problem(`Arg should start with -- : ${word}`);
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? undefined : body.slice(eq + 1);
    const type = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!type) throw new Problem(`Unknown flag: ${name}`);
    if (name in out) throw new Problem(`Duplicate flag specified: ${name}`);
    if (type === 'bool') {
      if (value === '') throw new Problem(`Missing a value on flag: ${name}`);
      const v = value?.toLowerCase();
      if (v !== undefined && v !== 'true' && v !== 'false') throw new Problem(`Expecting boolean value for flag ${name}, not: ${value}`);
      out[name] = v !== 'false';
    } else {
      if (value === undefined) throw new Problem(`Missing a value on flag: ${name}`);
      out[name] = value;
    }
  }
  return out;
}
