// The functions a template may call: Go's builtins (and, or, not, len, index, slice,
// eq…, print, printf, println) and docker's (json, split, join, title, lower, upper,
// pad, truncate), plus docker's header variants that keep a table's header intact.
import { goJSON, goString, goTypeName, isPlainMap, isTrue } from './values.js';

export type TemplateFunction = (...args: unknown[]) => unknown;

function str(v: unknown): string {
  return typeof v === 'string' ? v : goString(v);
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${what}: expected integer; found ${goString(v)}`);
  return v;
}

function basicKind(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v;
  if (typeof v === 'number') return 'number';
  if (v === null || v === undefined) return 'nil';
  throw new Error('invalid type for comparison');
}

function eq(a: unknown, ...others: unknown[]): boolean {
  if (!others.length) throw new Error('missing argument for comparison');
  const ka = basicKind(a);
  return others.some((b) => {
    const kb = basicKind(b);
    if (ka !== kb && ka !== 'nil' && kb !== 'nil') throw new Error('incompatible types for comparison');
    return a === b || (ka === 'nil' && kb === 'nil');
  });
}

function order(a: unknown, b: unknown): number {
  const ka = basicKind(a);
  if (ka !== basicKind(b)) throw new Error('incompatible types for comparison');
  if (ka === 'boolean' || ka === 'nil') throw new Error('invalid type for comparison');
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Go's fmt.Sprint: a space between operands when neither side is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += str(a);
  });
  return out;
}

/** Enough of fmt.Sprintf: %v %s %d %q %t %x %X %o %b %c %f %e %g %%, flags `-+ 0#`, width, precision. */
export function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  return format.replace(/%([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])/g, (_whole, flags: string, w?: string, p?: string, verb?: string) => {
    if (verb === '%') return '%';
    const width = w === '*' ? Number(args[n++]) : w === undefined ? undefined : Number(w);
    const prec = p === '*' ? Number(args[n++]) : p === undefined ? undefined : Number(p);
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    switch (verb) {
      case 'v':
      case 's':
        s = str(a);
        if (prec !== undefined) s = Array.from(s).slice(0, prec).join('');
        break;
      case 'q':
        s = typeof a === 'number' ? `'${String.fromCodePoint(a)}'` : JSON.stringify(str(a));
        break;
      case 'd':
      case 'x':
      case 'X':
      case 'o':
      case 'b': {
        if (typeof a === 'string' && verb !== 'd') {
          s = Buffer.from(a).toString('hex');
          if (verb === 'X') s = s.toUpperCase();
          break;
        }
        if (typeof a !== 'number') return `%!${verb}(${goTypeName(a)}=${str(a)})`;
        const base = { d: 10, x: 16, X: 16, o: 8, b: 2 }[verb];
        s = Math.trunc(Math.abs(a)).toString(base);
        if (verb === 'X') s = s.toUpperCase();
        if (flags.includes('#') && verb !== 'd') s = ({ x: '0x', X: '0X', o: '0', b: '0b' } as Record<string, string>)[verb] + s;
        s = (a < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + s;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'g': {
        if (typeof a !== 'number') return `%!${verb}(${goTypeName(a)}=${str(a)})`;
        s = verb === 'e' ? a.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2') : verb === 'g' ? goString(a) : a.toFixed(prec ?? 6);
        if (a >= 0 && flags.includes('+')) s = '+' + s;
        break;
      }
      case 't':
        s = typeof a === 'boolean' ? String(a) : `%!t(${goTypeName(a)}=${str(a)})`;
        break;
      case 'c':
        s = typeof a === 'number' ? String.fromCodePoint(a) : `%!c(${goTypeName(a)}=${str(a)})`;
        break;
      default:
        return `%!${verb}(${goTypeName(a)}=${str(a)})`;
    }
    if (width !== undefined && Array.from(s).length < width) {
      const pad = width - Array.from(s).length;
      if (flags.includes('-')) s += ' '.repeat(pad);
      else if (flags.includes('0') && /^[-+ ]?[0-9a-fA-F.]/.test(s) && verb !== 's' && verb !== 'q') s = s.replace(/^([-+ ]?)/, `$1${'0'.repeat(pad)}`);
      else s = ' '.repeat(pad) + s;
    }
    return s;
  }) + (n < args.length ? `%!(EXTRA ${args.slice(n).map((a) => `${goTypeName(a)}=${str(a)}`).join(', ')})` : '');
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isPlainMap(v)) return Object.keys(v).length;
  throw new Error(`len of type ${goTypeName(v)}`);
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) || typeof cur === 'string') {
      const i = int(k, 'index');
      if (i < 0 || i >= cur.length) throw new Error(`index out of range: ${i}`);
      cur = typeof cur === 'string' ? Buffer.from(cur)[i] : cur[i];
    } else if (isPlainMap(cur)) {
      cur = Object.hasOwn(cur, str(k)) ? cur[str(k)] : undefined;
    } else if (cur === undefined || cur === null) {
      throw new Error('index of untyped nil');
    } else {
      throw new Error(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

/** strings.Title: the first letter of every word upper-cased. */
function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

export const FUNCTIONS: Record<string, TemplateFunction> = {
  and: (...a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => isTrue(x)) ?? a[a.length - 1],
  not: (a) => !isTrue(a),
  len: (a) => length(a),
  index: (v, ...k) => index(v, ...k),
  slice: (v, ...ix) => {
    if (typeof v !== 'string' && !Array.isArray(v)) throw new Error(`can't slice item of type ${goTypeName(v)}`);
    const [from, to] = ix.map((x) => int(x, 'slice'));
    return v.slice(from ?? 0, to ?? v.length);
  },
  eq: (a, ...b) => eq(a, ...b),
  ne: (a, b) => !eq(a, b),
  lt: (a, b) => order(a, b) < 0,
  le: (a, b) => order(a, b) <= 0,
  gt: (a, b) => order(a, b) > 0,
  ge: (a, b) => order(a, b) >= 0,
  print: (...a) => sprint(a),
  printf: (f, ...a) => sprintf(str(f), a),
  println: (...a) => a.map(str).join(' ') + '\n',
  html: (...a) => sprint(a).replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!),
  js: (...a) => sprint(a).replace(/[\\'"<>&=\n\r\t]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`.replace(/^\\u005C$/, '\\\\')),
  urlquery: (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+'),
  call: (fn, ...a) => {
    if (typeof fn !== 'function') throw new Error(`non-function of type ${goTypeName(fn)}`);
    return (fn as TemplateFunction)(...a);
  },
  // docker's own (cli/templates).
  json: (v) => goJSON(v),
  split: (s, sep) => str(s).split(str(sep)),
  join: (list, sep) => {
    if (!Array.isArray(list)) throw new Error(`wrong type for value; expected []string; got ${goTypeName(list)}`);
    return list.map(str).join(str(sep));
  },
  title: (s) => title(str(s)),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  pad: (s, before, after) => (str(s) === '' ? '' : ' '.repeat(int(before, 'pad')) + str(s) + ' '.repeat(int(after, 'pad'))),
  truncate: (s, n) => {
    const b = Buffer.from(str(s));
    const len = int(n, 'truncate');
    return b.length < len ? str(s) : b.subarray(0, len).toString();
  },
};

/** For a table's header row: docker keeps the column names as they are. */
function headerText(v: unknown): string {
  // docker's header functions take a string: anything else ends the header row there.
  if (typeof v !== 'string') throw new Error(`wrong type for value; expected string; got ${goTypeName(v)}`);
  return v;
}

export const HEADER_FUNCTIONS: Record<string, TemplateFunction> = {
  ...FUNCTIONS,
  json: headerText,
  split: headerText,
  join: headerText,
  title: headerText,
  lower: headerText,
  upper: headerText,
  truncate: headerText,
};

export const FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));
