// Running a parsed template against a value, with Go's rules: fields of structs and
// maps, methods with arguments, pipelines passing the previous result last, variables,
// if/with/range (with else, break, continue). An error is one line as Go words it:
// `template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type …`.
import { lineOf, TemplateError } from './lexer.js';
import type { Command, ControlNode, Node, Operand, Pipe, Template } from './parser.js';
import { FUNCTIONS, type TemplateFunction } from './functions.js';
import { GO_TYPE, ZERO_MISSING, goString, goTypeName, isPlainMap, isTrue } from './values.js';

class Control {
  constructor(readonly kind: 'break' | 'continue') {}
}

/** A failure inside the run, raised with the node it happened at. */
class ExecFailure extends Error {}

interface Variable {
  name: string;
  value: unknown;
}

class State {
  private vars: Variable[];
  out = '';

  constructor(
    private readonly tmpl: Template,
    private readonly funcs: Record<string, TemplateFunction>,
    root: unknown,
  ) {
    this.vars = [{ name: '$', value: root }];
  }

  private fail(pos: number, at: string, msg: string): never {
    const src = this.tmpl.source;
    const nl = src.lastIndexOf('\n', pos - 1);
    const col = nl < 0 ? pos : pos - nl - 1;
    throw new TemplateError(`template: :${lineOf(src, pos)}:${col}: executing "" at <${at}>: ${msg}`);
  }

  walk(dot: unknown, list: Node[]): void {
    for (const n of list) {
      switch (n.type) {
        case 'text':
          this.out += n.text;
          break;
        case 'action': {
          const v = this.pipe(dot, n.pipe);
          if (n.pipe.decl.length === 0) this.out += goString(v);
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.pipe(dot, n.pipe);
          if (isTrue(v)) this.walk(n.type === 'with' ? v : dot, n.list);
          else if (n.elseList) this.walk(dot, n.elseList);
          this.vars.length = mark;
          break;
        }
        case 'range':
          this.range(dot, n);
          break;
        case 'break':
        case 'continue':
          throw new Control(n.type);
      }
    }
  }

  private range(dot: unknown, n: ControlNode): void {
    const mark = this.vars.length;
    const decl = n.pipe.decl;
    const v = this.pipe(dot, { ...n.pipe, decl: [] });
    let entries: [unknown, unknown][];
    if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
    else if (isPlainMap(v)) entries = Object.keys(v).sort().map((k) => [k, v[k]]);
    else if (typeof v === 'number' && Number.isInteger(v)) entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else if (v === undefined || v === null) entries = [];
    else this.fail(n.pos, 'range', `range can't iterate over ${goString(v)}`);
    for (const [k, x] of entries) {
      this.vars.length = mark;
      if (decl.length === 1) this.vars.push({ name: decl[0], value: x });
      if (decl.length === 2) this.vars.push({ name: decl[0], value: k }, { name: decl[1], value: x });
      try {
        this.walk(x, n.list);
      } catch (e) {
        if (!(e instanceof Control)) throw e;
        if (e.kind === 'break') break;
      }
    }
    this.vars.length = mark;
    if (entries.length === 0 && n.elseList) this.walk(dot, n.elseList);
  }

  private pipe(dot: unknown, p: Pipe): unknown {
    let value: unknown;
    let first = true;
    for (const c of p.cmds) {
      value = this.command(dot, c, first ? NO_FINAL : value);
      first = false;
    }
    if (p.decl.length) {
      if (p.assign) {
        const v = [...this.vars].reverse().find((x) => x.name === p.decl[0]);
        if (v) v.value = value;
      } else {
        this.vars.push({ name: p.decl[0], value });
      }
    }
    return value;
  }

  private command(dot: unknown, c: Command, final: unknown): unknown {
    const [head, ...rest] = c.args;
    try {
      switch (head.type) {
        case 'field':
          return this.chain(dot, dot, head.names, rest, final, head);
        case 'variable':
          return this.chain(dot, this.variable(head.name), head.names, rest, final, head);
        case 'chain':
          return this.chain(dot, this.operand(dot, head.node), head.names, rest, final, head);
        case 'ident': {
          // and/or stop at the first operand that decides (Go 1.18): `and .A .A.B` is safe on a nil .A.
          if ((head.name === 'and' || head.name === 'or') && this.funcs[head.name] === FUNCTIONS[head.name]) {
            const thunks: (() => unknown)[] = rest.map((a) => () => this.operand(dot, a));
            if (final !== NO_FINAL) thunks.push(() => final);
            if (!thunks.length) throw new ExecFailure(`wrong number of args for ${head.name}: want at least 1 got 0`);
            let v: unknown;
            for (const t of thunks) {
              v = t();
              if (isTrue(v) === (head.name === 'or')) return v;
            }
            return v;
          }
          const args = rest.map((a) => this.operand(dot, a));
          if (final !== NO_FINAL) args.push(final);
          try {
            return this.funcs[head.name](...args);
          } catch (e) {
            if (e instanceof TemplateError || e instanceof ExecFailure) throw e;
            throw new ExecFailure(`error calling ${head.name}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        default:
          if (rest.length || final !== NO_FINAL) throw new ExecFailure(`can't give argument to non-function ${head.src}`);
          return this.operand(dot, head);
      }
    } catch (e) {
      if (e instanceof ExecFailure) this.fail(head.pos, head.src, e.message);
      throw e;
    }
  }

  private variable(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    throw new ExecFailure(`undefined variable: ${name}`);
  }

  private operand(dot: unknown, o: Operand): unknown {
    switch (o.type) {
      case 'dot':
        return dot;
      case 'literal':
        return o.value;
      case 'pipe':
        return this.pipe(dot, o.pipe);
      case 'ident':
        return this.command(dot, { args: [o], pos: o.pos, src: o.src }, NO_FINAL);
      default:
        return this.command(dot, { args: [o], pos: o.pos, src: o.src }, NO_FINAL);
    }
  }

  /** Fields one after the other; the last one gets the arguments (a method call). */
  private chain(dot: unknown, receiver: unknown, names: string[], args: Operand[], final: unknown, at: Operand): unknown {
    let cur = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      const values = last ? args.map((a) => this.operand(dot, a)) : [];
      if (last && final !== NO_FINAL) values.push(final);
      cur = field(cur, name, values, last && (args.length > 0 || final !== NO_FINAL));
    });
    if (!names.length && (args.length || final !== NO_FINAL)) throw new ExecFailure(`can't give argument to non-function ${at.src}`);
    return cur;
  }
}

const NO_FINAL = Symbol('noFinal');

function field(receiver: unknown, name: string, args: unknown[], hasArgs: boolean): unknown {
  if (receiver === undefined) return undefined;
  if (receiver === null) throw new ExecFailure(`nil pointer evaluating interface {}.${name}`);
  if (typeof receiver !== 'object') throw new ExecFailure(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  const obj = receiver as Record<string | symbol, unknown>;
  const own = Object.hasOwn(obj, name);
  const inherited = !own && !isPlainMap(obj) && !Array.isArray(obj) && name in obj && !(name in Object.prototype);
  if (own || inherited) {
    const v = obj[name];
    if (typeof v === 'function') return (v as TemplateFunction).apply(obj, args);
    if (hasArgs) throw new ExecFailure(own && !obj[GO_TYPE] ? `${name} is not a method but has arguments` : `${name} has arguments but cannot be invoked as function`);
    return v;
  }
  if (Array.isArray(obj) || obj[GO_TYPE]) throw new ExecFailure(`can't evaluate field ${name} in type ${goTypeName(obj)}`);
  if (hasArgs) throw new ExecFailure(`${name} is not a method but has arguments`);
  return obj[ZERO_MISSING] ? '' : undefined;
}

/** `partial`: a failure ends the output there instead of throwing (docker's table header). */
export function execute(tmpl: Template, data: unknown, funcs: Record<string, TemplateFunction>, partial = false): string {
  const s = new State(tmpl, funcs, data);
  try {
    s.walk(data, tmpl.root);
  } catch (e) {
    if (!partial || !(e instanceof TemplateError)) throw e;
  }
  return s.out;
}
