// Substitution in the instructions that take it (ADD COPY ENV EXPOSE LABEL
// STOPSIGNAL USER VOLUME WORKDIR; FROM is done by plan.ts with the global args, ARG
// by StageVariables), as BuildKit's dispatcher does it: each word on its own with
// the stage's variables as they are before the instruction. RUN, CMD, ENTRYPOINT,
// SHELL and HEALTHCHECK are left to the shell. EXPOSE's ports come back normalised
// (`80/tcp`, ranges spelled out).
import type { CopySource, EscapeChar, Instruction } from './types.js';
import { lex, LexError, type LexOptions, type Lookup } from './lex.js';
import { lineError, Problem } from './location.js';

export interface ExpandContext {
  file: string;
  escape: EscapeChar;
}

export interface Expanded<T extends Instruction> {
  instruction: T;
  /** Every variable name the substitution read (set or not), first use first. */
  read: string[];
}

const PROTOS = new Set(['tcp', 'udp', 'sctp']);

/** One EXPOSE word (`80`, `80/udp`, `8000-8002`, docker's `ip:host:ctr/proto`) → `N/proto` entries. */
export function exposePorts(spec: string): string[] {
  const slash = spec.lastIndexOf('/');
  const proto = slash < 0 ? 'tcp' : spec.slice(slash + 1).toLowerCase();
  let port = slash < 0 ? spec : spec.slice(0, slash);
  if (!PROTOS.has(proto)) throw new Problem(`invalid proto: ${proto}`);
  // docker accepts a publish-style spec here and exposes its container port.
  port = port.slice(port.lastIndexOf(':') + 1);
  const m = /^(\d+)(?:-(\d+))?$/.exec(port);
  if (!m) throw new Problem(`invalid containerPort: ${port}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535) throw new Problem(`invalid containerPort: ${port}`);
  if (end < start) throw new Problem(`invalid range specified for containerPort: ${port}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}

/** Substitutes variables in an instruction; throws InvalidArgument `file:line: …`. */
export function expandInstruction<T extends Instruction>(ins: T, lookup: Lookup, ctx: ExpandContext): Expanded<T> {
  const read = new Set<string>();
  const run = (word: string, opts: LexOptions = {}) => {
    const r = lex(word, lookup, { escape: ctx.escape, ...opts });
    for (const n of r.read) read.add(n);
    return r;
  };
  const one = (word: string) => run(word).value;
  try {
    const out = expand(ins, one, run);
    return { instruction: out as T, read: [...read] };
  } catch (e) {
    if (e instanceof LexError || e instanceof Problem) throw lineError(ctx.file, ins.line, e.message);
    throw e;
  }
}

function expand(ins: Instruction, one: (w: string) => string, run: (w: string, o?: LexOptions) => { value: string; words: string[] }): Instruction {
  switch (ins.kind) {
    case 'ENV':
    case 'LABEL':
      return { ...ins, pairs: ins.pairs.map((p) => ({ key: one(p.key), value: one(p.value) })) };
    case 'COPY':
    case 'ADD': {
      const sources: CopySource[] = ins.sources.map((s) => {
        if (s.kind === 'path') return { kind: 'path', path: one(s.path) };
        if (!s.heredoc.expand) return s;
        // Heredoc bodies: quotes are text; BuildKit's lexer there always escapes with `\`.
        return { kind: 'heredoc', heredoc: { ...s.heredoc, content: run(s.heredoc.content, { skipProcessQuotes: true, escape: '\\' }).value } };
      });
      return {
        ...ins,
        sources,
        dest: one(ins.dest),
        ...(ins.chown !== undefined ? { chown: one(ins.chown) } : {}),
        ...(ins.chmod !== undefined ? { chmod: one(ins.chmod) } : {}),
      };
    }
    case 'WORKDIR':
      return { ...ins, path: one(ins.path) };
    case 'USER':
      return { ...ins, user: one(ins.user) };
    case 'STOPSIGNAL':
      return { ...ins, signal: one(ins.signal) };
    case 'VOLUME': {
      const paths = ins.paths.map(one);
      if (paths.includes('')) throw new Problem('VOLUME specified can not be an empty string');
      return { ...ins, paths };
    }
    case 'EXPOSE':
      return { ...ins, ports: ins.ports.flatMap((p) => run(p).words).flatMap(exposePorts) };
    default:
      return ins;
  }
}
