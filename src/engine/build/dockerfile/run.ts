// What a RUN (or CMD, ENTRYPOINT) becomes as a process, as BuildKit decides it:
// shell form goes through the stage's SHELL (default `/bin/sh -c`); `RUN <<EOF`
// alone runs the body as the shell script, or, when the body starts with `#!`, as
// an executable file; any other heredoc use hands the shell the line followed by
// the bodies and delimiters, which is what a shell heredoc is.
import path from 'node:path';
import type { CommandLine, RunInstruction } from './types.js';
import { heredocWord } from './heredoc.js';
import { Problem } from './location.js';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Where a `#!` heredoc script is mounted (read-only) for its RUN, as BuildKit does. */
export const SCRIPT_DIR = '/dev/pipes';

export function withShell(shell: readonly string[] | undefined, text: string): string[] {
  return [...(shell && shell.length ? shell : DEFAULT_SHELL), text];
}

/** CMD / ENTRYPOINT / RUN without heredocs: the argv. */
export function commandArgs(c: CommandLine, shell?: readonly string[]): string[] {
  return c.form === 'exec' ? [...c.args] : withShell(shell, c.text);
}

export interface RunProcess {
  args: string[];
  /** A `#!` heredoc: write `content` to `SCRIPT_DIR/name` (mode 0755) for this RUN only. */
  script?: { name: string; content: string };
}

export function runProcess(run: RunInstruction, shell?: readonly string[]): RunProcess {
  const c = run.command;
  if (c.form === 'exec' || run.heredocs.length === 0) return { args: commandArgs(c, shell) };
  if (heredocWord(c.text)) {
    const doc = run.heredocs[0];
    if (doc.content.startsWith('#!')) return { args: [path.posix.join(SCRIPT_DIR, doc.name)], script: { name: doc.name, content: doc.content } };
    return { args: withShell(shell, doc.content) };
  }
  let script = c.text;
  for (const h of run.heredocs) script += '\n' + h.content + h.name;
  return { args: withShell(shell, script) };
}

/** WORKDIR: relative paths apply to the current one; the result is clean and absolute. */
export function normalizeWorkdir(current: string, requested: string): string {
  if (requested === '') throw new Problem('cannot normalize nothing');
  return path.posix.resolve('/', current || '/', requested);
}
