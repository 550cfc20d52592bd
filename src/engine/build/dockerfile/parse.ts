// parseDockerfile: text → typed Dockerfile (directives, meta ARGs, stages), or one
// InvalidArgument naming file and line. Docker's rules: ARG is the only instruction
// allowed before the first FROM; each FROM starts a stage; stage names are unique.
import type { ArgInstruction, Dockerfile, EscapeChar, Instruction, Stage } from './types.js';
import type { HeredocHeader } from './heredoc.js';
import { heredocsInLine } from './heredoc.js';
import { HEREDOC_KEYWORDS, toInstruction } from './instructions.js';
import { readLines } from './lines.js';
import { lineError } from './location.js';
import { InvalidArgument } from '../../errors.js';
import { extractFlags, parseJsonArgs, splitKeyword } from './words.js';

/** Which heredocs a logical line introduces: RUN/COPY/ADD (or ONBUILD of one) in shell form. */
function heredocsFor(line: string): HeredocHeader[] {
  let { keyword, rest } = splitKeyword(line);
  if (keyword.toLowerCase() === 'onbuild') ({ keyword, rest } = splitKeyword(extractFlags(rest).rest));
  if (!HEREDOC_KEYWORDS.has(keyword.toLowerCase())) return [];
  if (parseJsonArgs(extractFlags(rest).rest).ok) return [];
  return heredocsInLine(line);
}

/**
 * Parses a Dockerfile. `file` is the name messages use (`Dockerfile:7: …`).
 */
export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  if (text === '') throw new InvalidArgument(`${file}: the Dockerfile cannot be empty`);
  const read = readLines(file, text, heredocsFor);
  if (read.lines.length === 0) throw lineError(file, Math.max(1, text.split('\n').length - (text.endsWith('\n') ? 1 : 0)), 'file with no instructions');
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Map<string, number>();
  for (const l of read.lines) {
    const ins = toInstruction(file, l, read.escape);
    if (ins.kind === 'FROM') {
      if (ins.stageName !== undefined) {
        if (names.has(ins.stageName)) throw lineError(file, ins.line, `duplicate stage name ${JSON.stringify(ins.stageName)}`);
        names.set(ins.stageName, stages.length);
      }
      stages.push({ index: stages.length, ...(ins.stageName !== undefined ? { name: ins.stageName } : {}), from: ins, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.kind !== 'ARG') throw lineError(file, ins.line, 'no build stage in current context');
      metaArgs.push(ins);
    } else stages[stages.length - 1].instructions.push(ins);
  }
  if (stages.length === 0) throw lineError(file, read.lines[read.lines.length - 1].line, 'dockerfile contains no stages to build');
  return { file, escape: read.escape, ...(read.syntax !== undefined ? { syntax: read.syntax } : {}), metaArgs, stages, warnings: read.warnings };
}

/**
 * An ONBUILD trigger from a base image's config (`COPY . /app`, heredoc bodies
 * included), parsed when a stage builds FROM that image. Errors name `line`, the
 * stage's FROM line, as BuildKit reports them.
 */
export function parseTrigger(expression: string, file: string, line: number, escape: EscapeChar = '\\'): Instruction {
  const read = readLines(file, expression, heredocsFor);
  if (read.lines.length !== 1) throw lineError(file, line, 'onbuild trigger should be a single expression');
  const l = { ...read.lines[0], line, endLine: line };
  const kw = splitKeyword(l.text).keyword.toUpperCase();
  if (kw === 'ONBUILD' || kw === 'FROM' || kw === 'MAINTAINER') throw lineError(file, line, `${kw} isn't allowed as an ONBUILD trigger`);
  return toInstruction(file, l, escape);
}
