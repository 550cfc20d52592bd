// The parser of Go's text/template: the tree of text, actions, if/with/range with their
// else branches, pipelines and operands. Parsed once, then run for every row.
import { lex, lineOf, TemplateError, type Token } from './lexer.js';

export interface Pipe {
  /** Variables declared (`$x :=`) or assigned (`$x =`) by it; two for `range $i, $e :=`. */
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

export interface Command {
  args: Operand[];
  pos: number;
  src: string;
}

export type Operand =
  | { type: 'field'; names: string[]; pos: number; src: string }
  | { type: 'chain'; node: Operand; names: string[]; pos: number; src: string }
  | { type: 'variable'; name: string; names: string[]; pos: number; src: string }
  | { type: 'dot'; pos: number; src: string }
  | { type: 'ident'; name: string; pos: number; src: string }
  | { type: 'literal'; value: string | number | boolean | null; pos: number; src: string }
  | { type: 'pipe'; pipe: Pipe; pos: number; src: string };

export type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipe: Pipe; pos: number }
  | ControlNode
  | { type: 'break' | 'continue'; pos: number };

export interface ControlNode {
  type: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | null;
  pos: number;
}

export interface Template {
  source: string;
  root: Node[];
}

type Stop = 'eof' | 'end' | 'else';

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
    private readonly funcs: ReadonlySet<string>,
  ) {}

  private fail(pos: number, msg: string): never {
    throw new TemplateError(`template: :${lineOf(this.src, pos)}: ${msg}`);
  }
  private peek(): Token {
    return this.toks[this.i];
  }
  private next(): Token {
    return this.toks[this.i++];
  }
  private expectClose(context: string): void {
    const t = this.next();
    if (t.kind !== 'close') this.unexpected(t, context);
  }
  private unexpected(t: Token, context: string): never {
    if (t.kind === 'eof') this.fail(t.pos, 'unclosed action');
    const shown = t.kind === 'keyword' ? `<${t.value}>` : t.kind === 'string' ? JSON.stringify(JSON.stringify(t.value)) : JSON.stringify(t.value);
    this.fail(t.pos, `unexpected ${shown} in ${context}`);
  }

  /** Nodes up to EOF, {{end}} or {{else}}; says which one ended it (the {{ and keyword consumed). */
  list(): { nodes: Node[]; stop: Stop; pos: number } {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') return { nodes, stop: 'eof', pos: t.pos };
      if (t.kind === 'text') {
        nodes.push({ type: 'text', text: t.value });
        continue;
      }
      // t is '{{'
      const k = this.peek();
      if (k.kind === 'keyword') {
        this.next();
        switch (k.value) {
          case 'end':
            this.expectClose('end');
            return { nodes, stop: 'end', pos: k.pos };
          case 'else':
            return { nodes, stop: 'else', pos: k.pos };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(this.control(k.value, k.pos));
            continue;
          case 'break':
          case 'continue':
            if (this.rangeDepth === 0) this.fail(k.pos, `{{${k.value}}} outside {{range}}`);
            this.expectClose(k.value);
            nodes.push({ type: k.value, pos: k.pos });
            continue;
          default:
            this.fail(k.pos, `{{${k.value}}} is not supported here (one template, no definitions)`);
        }
      }
      const pipe = this.pipeline('command', false);
      nodes.push({ type: 'action', pipe, pos: t.pos });
    }
  }

  private control(kind: 'if' | 'with' | 'range', pos: number): Node {
    const saved = this.vars.length;
    const pipe = this.pipeline(kind, kind === 'range');
    if (kind === 'range') this.rangeDepth++;
    const body = this.list();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | null = null;
    if (body.stop === 'eof') this.fail(body.pos, 'unexpected EOF');
    if (body.stop === 'else') {
      const k = this.peek();
      // {{else if …}} and {{else with …}}: a nested control that shares our {{end}}.
      if ((kind === 'if' || kind === 'with') && k.kind === 'keyword' && k.value === kind) {
        this.next();
        elseList = [this.control(kind, k.pos)];
        this.vars.length = saved;
        return { type: kind, pipe, list: body.nodes, elseList, pos };
      }
      this.expectClose('else');
      const rest = this.list();
      if (rest.stop === 'eof') this.fail(rest.pos, 'unexpected EOF');
      if (rest.stop === 'else') this.fail(rest.pos, 'expected end; found {{else}}');
      elseList = rest.nodes;
    }
    this.vars.length = saved;
    return { type: kind, pipe, list: body.nodes, elseList, pos };
  }

  /** Declarations, then commands separated by `|`, up to `}}` (or `)` when nested). */
  private pipeline(context: string, range: boolean, nested = false): Pipe {
    const pipe: Pipe = { decl: [], assign: false, cmds: [] };
    const t0 = this.peek();
    if (t0.kind === 'variable') {
      const save = this.i;
      const names: string[] = [this.next().value];
      if (range && this.peek().kind === 'comma') {
        this.next();
        const v = this.next();
        if (v.kind !== 'variable') this.fail(v.pos, 'range can only initialize variables');
        names.push(v.value);
      }
      const op = this.peek();
      if (op.kind === 'declare' || (op.kind === 'assign' && names.length === 1)) {
        this.next();
        pipe.decl = names;
        pipe.assign = op.kind === 'assign';
        if (pipe.assign && !this.vars.includes(names[0])) this.fail(op.pos, `undefined variable "${names[0]}"`);
        if (!pipe.assign) this.vars.push(...names);
      } else {
        this.i = save;
      }
    }
    for (;;) {
      const t = this.peek();
      if ((!nested && t.kind === 'close') || (nested && t.kind === 'rparen')) {
        this.next();
        if (pipe.cmds.length === 0) this.fail(t.pos, `missing value for ${context}`);
        return pipe;
      }
      if (t.kind === 'eof') this.fail(t.pos, nested ? 'unclosed left paren' : 'unclosed action');
      pipe.cmds.push(this.command());
      const after = this.peek();
      if (after.kind === 'pipe') {
        this.next();
        const n = this.peek();
        if (n.kind === 'close' || n.kind === 'rparen' || n.kind === 'pipe') this.fail(n.pos, 'missing command');
      } else if (after.kind !== 'close' && after.kind !== 'rparen') {
        this.unexpected(after, context);
      }
    }
  }

  private command(): Command {
    const first = this.peek();
    const args: Operand[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'pipe' || t.kind === 'close' || t.kind === 'rparen' || t.kind === 'eof') break;
      if (args.length && !t.spaced && t.kind !== 'field') this.fail(t.pos, `missing space?`);
      args.push(this.operand());
    }
    if (args.length === 0) this.unexpected(this.peek(), 'command');
    const end = this.peek().pos;
    return { args, pos: first.pos, src: this.src.slice(first.pos, end).trim() };
  }

  /** A term and the fields chained to it without a space: `(.A).B`, `$x.Y`. */
  private operand(): Operand {
    const t = this.next();
    let node: Operand;
    switch (t.kind) {
      case 'field': {
        const names = [t.value.slice(1)];
        while (this.peek().kind === 'field' && !this.peek().spaced) names.push(this.next().value.slice(1));
        return { type: 'field', names, pos: t.pos, src: this.src.slice(t.pos, this.peek().pos).trim() };
      }
      case 'variable': {
        if (!this.vars.includes(t.value)) this.fail(t.pos, `undefined variable "${t.value}"`);
        const names: string[] = [];
        while (this.peek().kind === 'field' && !this.peek().spaced) names.push(this.next().value.slice(1));
        return { type: 'variable', name: t.value, names, pos: t.pos, src: this.src.slice(t.pos, this.peek().pos).trim() };
      }
      case 'dot':
        node = { type: 'dot', pos: t.pos, src: '.' };
        break;
      case 'ident':
        if (!this.funcs.has(t.value)) this.fail(t.pos, `function "${t.value}" not defined`);
        return { type: 'ident', name: t.value, pos: t.pos, src: t.value };
      case 'string':
        node = { type: 'literal', value: t.value, pos: t.pos, src: JSON.stringify(t.value) };
        break;
      case 'number': {
        const n = Number(t.value.replace(/_/g, '').replace(/^([-+]?)0[oO]/, '$10o'));
        if (Number.isNaN(n)) this.fail(t.pos, `bad number syntax: "${t.value}"`);
        node = { type: 'literal', value: n, pos: t.pos, src: t.value };
        break;
      }
      case 'bool':
        node = { type: 'literal', value: t.value === 'true', pos: t.pos, src: t.value };
        break;
      case 'nil':
        node = { type: 'literal', value: null, pos: t.pos, src: 'nil' };
        break;
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', false, true);
        node = { type: 'pipe', pipe, pos: t.pos, src: this.src.slice(t.pos, this.toks[this.i - 1].pos + 1) };
        break;
      }
      default:
        this.unexpected(t, 'operand');
    }
    const names: string[] = [];
    while (this.peek().kind === 'field' && !this.peek().spaced) names.push(this.next().value.slice(1));
    if (!names.length) return node;
    if (node.type === 'literal') this.fail(t.pos, `unexpected . after term ${JSON.stringify(node.src)}`);
    return { type: 'chain', node, names, pos: t.pos, src: this.src.slice(t.pos, this.peek().pos).trim() };
  }
}

export function parse(src: string, funcs: ReadonlySet<string>): Template {
  const p = new Parser(src, lex(src), funcs);
  const { nodes, stop, pos } = p.list();
  if (stop === 'end') throw new TemplateError(`template: :${lineOf(src, pos)}: unexpected {{end}}`);
  if (stop === 'else') throw new TemplateError(`template: :${lineOf(src, pos)}: unexpected {{else}}`);
  return { source: src, root: nodes };
}
