// Every Dockerfile error is one line naming the file and the line, as
// `Dockerfile:7: unknown instruction: FOOO`, and is a user error (exit 125).
import { InvalidArgument } from '../../errors.js';

export function lineError(file: string, line: number, message: string): InvalidArgument {
  return new InvalidArgument(`${file}:${line}: ${oneLine(message)}`);
}

/** Messages can quote user text; keep them on one line. */
export function oneLine(s: string): string {
  return s.replace(/\r?\n/g, '\\n');
}

/** A message-only failure inside a parser; whoever knows the line turns it into lineError. */
export class Problem extends Error {}
