// The one error extraction throws. Its message is a single line naming the entry
// and the reason, e.g. `layer entry "../x": ".." in path`, so the CLI can print it
// as is. Names in a layer are bytes: they travel as latin1 "byte strings" and are
// shown as UTF-8 (invalid sequences as U+FFFD).
import { EngineError } from '../../errors.js';

export class ExtractError extends EngineError {
  /** errno name when a syscall failed (ENOSPC…), else undefined. */
  readonly code?: string;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

/** A byte string (latin1) as readable text. */
export function showText(text: string): string {
  // Control characters are what is escaped here.
  // eslint-disable-next-line no-control-regex
  return Buffer.from(text, 'latin1').toString('utf8').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A name (a byte string) as readable text, shortened in the middle past 160 characters: a message stays one short line. */
export function showName(name: string): string {
  const s = showText(name);
  return s.length <= 160 ? s : `${s.slice(0, 100)}…${s.slice(-50)}`;
}

/** `layer entry "NAME": REASON` */
export function entryError(name: string, reason: string, code?: string): ExtractError {
  return new ExtractError(`layer entry "${showName(name)}": ${reason}`, code);
}
