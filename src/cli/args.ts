// A small argument parser following docker's (cobra/pflag) conventions:
//   -dit                combined boolean short flags
//   -e K=V, -eK=V, -e=K=V   short flag with a value (attached or next argument)
//   --name x, --name=x  long flag with a value
//   --rm, --rm=false    boolean long flag
//   --                  end of options
// With `stopAtPositional` (run, exec) the first positional argument ends option
// parsing: everything after IMAGE/CONTAINER belongs to the command.
import { UsageError } from './errors.js';

export type OptionKind = 'bool' | 'string' | 'list';

export interface OptionSpec {
  /** Long names without dashes; the first is the key in the result. */
  long: string[];
  /** One-letter short name without the dash. */
  short?: string;
  kind: OptionKind;
  /** Placeholder shown in help, e.g. 'string', 'bytes', 'list'. */
  value?: string;
  help: string;
}

export interface ParseOptions {
  stopAtPositional?: boolean;
  /** Verb name, carried by UsageErrors for the help hint. */
  verb?: string;
}

export class ParsedArgs {
  constructor(
    private readonly values: Map<string, boolean | string | string[]>,
    readonly args: string[],
  ) {}

  has(key: string): boolean {
    return this.values.has(key);
  }

  bool(key: string): boolean {
    return this.values.get(key) === true;
  }

  string(key: string): string | undefined {
    const v = this.values.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  list(key: string): string[] {
    const v = this.values.get(key);
    return Array.isArray(v) ? v : [];
  }
}

function parseBool(value: string, flag: string, verb?: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new UsageError(`invalid argument "${value}" for "${flag}" flag: invalid boolean value`, verb);
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], opts: ParseOptions = {}): ParsedArgs {
  const { verb } = opts;
  const byLong = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  for (const s of specs) {
    for (const l of s.long) byLong.set(l, s);
    if (s.short) byShort.set(s.short, s);
  }
  const values = new Map<string, boolean | string | string[]>();
  const args: string[] = [];

  const set = (spec: OptionSpec, value: string | boolean) => {
    const key = spec.long[0];
    if (spec.kind === 'list') {
      const prev = values.get(key);
      values.set(key, [...(Array.isArray(prev) ? prev : []), String(value)]);
    } else {
      values.set(key, value);
    }
  };

  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++];
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`, verb);
      if (spec.kind === 'bool') {
        set(spec, eq >= 0 ? parseBool(arg.slice(eq + 1), `--${name}`, verb) : true);
      } else if (eq >= 0) {
        set(spec, arg.slice(eq + 1));
      } else {
        if (i >= argv.length) throw new UsageError(`flag needs an argument: --${name}`, verb);
        set(spec, argv[i++]);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const letters = arg.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const c = letters[j];
        const spec = byShort.get(c);
        if (!spec) throw new UsageError(`unknown shorthand flag: '${c}' in ${arg}`, verb);
        if (spec.kind === 'bool') {
          if (letters[j + 1] === '=') {
            set(spec, parseBool(letters.slice(j + 2), `-${c}`, verb));
            break;
          }
          set(spec, true);
          continue;
        }
        let rest = letters.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (rest !== '' || letters[j + 1] === '=') {
          set(spec, rest);
        } else {
          if (i >= argv.length) throw new UsageError(`flag needs an argument: '${c}' in ${arg}`, verb);
          set(spec, argv[i++]);
        }
        break;
      }
      continue;
    }
    // Positional argument ('-' alone is one too).
    args.push(arg);
    if (opts.stopAtPositional) {
      args.push(...argv.slice(i));
      break;
    }
  }
  return new ParsedArgs(values, args);
}

/** Help lines for options, aligned like docker's (`  -d, --detach   Run …`). */
export function formatOptions(specs: readonly OptionSpec[]): string[] {
  const left = specs.map((s) => {
    const names = [s.short ? `-${s.short}` : '   ', ...s.long.slice(0, 1).map((l) => `--${l}`)];
    const head = s.short ? names.join(', ') : `    ${names[1]}`;
    return s.kind === 'bool' ? head : `${head} ${s.value ?? 'string'}`;
  });
  const width = Math.max(0, ...left.map((l) => l.length));
  return specs.map((s, k) => `  ${left[k].padEnd(width)}   ${s.help}`);
}
