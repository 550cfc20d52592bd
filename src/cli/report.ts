// Turning errors into the one line hutch prints, and their exit status.
import { EngineError } from '../engine/errors.js';
import { UsageError } from './errors.js';

/** One line: newlines inside a message are folded. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

export function isEngineError(err: unknown): err is EngineError {
  return (
    err instanceof EngineError ||
    // A second copy of errors.js (another bundle chunk) still counts.
    (err instanceof Error && typeof (err as { exitCode?: unknown }).exitCode === 'number' && !(err instanceof UsageError))
  );
}

export interface Report {
  lines: string;
  exitCode: number;
}

export function reportError(err: unknown, debug: boolean): Report {
  if (err instanceof UsageError) {
    // One line, as for every bad input: the hint rides on it.
    const hint = err.verb ? `see 'hutch ${err.verb} --help'` : `see 'hutch --help'`;
    return { lines: `hutch: ${oneLine(err.message)} (${hint})\n`, exitCode: 125 };
  }
  if (isEngineError(err)) {
    const stack = debug && err.stack ? `${err.stack}\n` : '';
    return { lines: `hutch: ${oneLine(err.message)}\n${stack}`, exitCode: err.exitCode };
  }
  const message = err instanceof Error ? err.message : String(err);
  const stack = debug && err instanceof Error && err.stack ? `${err.stack}\n` : '';
  return { lines: `hutch: ${oneLine(message || 'unexpected error')}\n${stack}`, exitCode: 125 };
}
