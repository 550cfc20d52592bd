// How template values behave as Go's do: printing (fmt's %v), truth, JSON, and the
// difference between a struct (an unknown field is an error) and a map (a missing
// key is "<no value>"). JavaScript values stand for Go's: `undefined` is Go's
// invalid value (a missing map key), `null` is nil.

/** On a context class: its Go type, for errors; marks it as a struct. */
export const GO_TYPE = Symbol('goType');
/** On a map whose missing keys read as '' (docker's map[string]string header). */
export const ZERO_MISSING = Symbol('zeroMissing');

/**
 * A row context like docker's (ContainerContext…): getters are its fields, methods take
 * arguments (`.Label "k"`); `{{json .}}` gives every getter, sorted, HTML-escaped as
 * docker's MarshalJSON does.
 */
export abstract class GoStruct {
  abstract get [GO_TYPE](): string;

  marshalJSON(): string {
    const m: Record<string, unknown> = {};
    const descs = Object.getOwnPropertyDescriptors(Object.getPrototypeOf(this));
    for (const k of Object.keys(descs).sort()) if (descs[k].get && /^[A-Z]/.test(k)) m[k] = (this as unknown as Record<string, unknown>)[k];
    return JSON.stringify(m).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  }
}

export function isPlainMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  const t = (v as { [GO_TYPE]?: string })[GO_TYPE];
  if (t) return t;
  return 'map[string]interface {}';
}

export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainMap(v)) return Object.keys(v).length > 0;
  return true;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
  // Go's %v of a float64: shortest form, exponent from 1e21 or below 1e-4.
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** fmt.Sprint of one value (%v). */
export function goString(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(inner).join(' ')}]`;
  if (typeof v === 'object') {
    const s = (v as { String?: () => unknown }).String;
    if (typeof s === 'function') return String(s.call(v));
    if (isPlainMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${inner(v[k])}`).join(' ')}]`;
    if (v instanceof GoStruct) return v.marshalJSON();
  }
  return String(v);
}

function inner(v: unknown): string {
  return v === null || v === undefined ? '<nil>' : goString(v);
}

/** docker's `json` function: Go's encoder without HTML escaping, no trailing newline. */
export function goJSON(v: unknown): string {
  if (v instanceof GoStruct) return v.marshalJSON();
  if (v === undefined) return 'null';
  const s = JSON.stringify(v, (_k, x: unknown) => (x instanceof GoStruct ? JSON.parse(x.marshalJSON()) : x));
  return (s ?? 'null').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
