// Detach keys, in docker's format: a comma list of keys, each one character (`x`) or
// `ctrl-<c>` for the control characters (`ctrl-a`…`ctrl-z`, `ctrl-@`, `ctrl-[`,
// `ctrl-\`, `ctrl-]`, `ctrl-^`, `ctrl-_`); ctrl-p,ctrl-q by default. `hutch attach`
// scans what is typed for them itself; `run -it` hands them to its monitor (hex).
import { InvalidArgument } from '../errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** The monitor takes at most this many bytes (native/monitor/attach.h). */
const MAX_KEYS = 16;

const CTRL = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

/** The bytes of a --detach-keys value; '' or undefined is the default. */
export function parseDetachKeys(spec: string | undefined): Buffer {
  const value = spec === undefined || spec === '' ? DEFAULT_DETACH_KEYS : spec;
  const bytes: number[] = [];
  for (const key of value.split(',')) {
    if (key.length === 1 && key.charCodeAt(0) < 128) {
      bytes.push(key.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/.exec(key);
    const code = m ? CTRL.indexOf(m[1]) : -1;
    if (code < 0) throw new InvalidArgument(`Invalid detach keys (${value}) provided: unknown character: '${key}'`);
    bytes.push(code);
  }
  if (bytes.length > MAX_KEYS) throw new InvalidArgument(`Invalid detach keys (${value}) provided: more than ${MAX_KEYS} keys`);
  return Buffer.from(bytes);
}

/**
 * Finds the keys in what is typed, however it is cut into chunks: bytes that match
 * the start of the sequence are held back, and let through as typed once the next
 * byte does not continue it (so a lone Ctrl-P still reaches the container).
 */
export class DetachScanner {
  private pos = 0;
  constructor(private readonly keys: Buffer) {}

  /** What to pass on, and whether the whole sequence was typed (what follows it is dropped). */
  push(chunk: Buffer): { pass: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.pos]) {
        if (++this.pos === this.keys.length) {
          this.pos = 0;
          return { pass: Buffer.from(out), detach: true };
        }
        continue;
      }
      if (this.pos > 0) {
        for (let i = 0; i < this.pos; i++) out.push(this.keys[i]);
        this.pos = b === this.keys[0] ? 1 : 0;
        if (this.pos === 1) continue;
      }
      out.push(b);
    }
    return { pass: Buffer.from(out), detach: false };
  }
}
