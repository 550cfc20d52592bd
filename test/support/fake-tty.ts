// A fake terminal for the dashboard (Ink and src/ui/session.ts): a TTY-like stdout and
// a TTY-like stdin that never sends a key by itself. Shared by the UI tests and
// bench/dashboard-child.ts, so the bench draws on the same fake the tests check.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';

/** A TTY-like stdout of columns×rows; what it keeps of each write is record()'s business. */
export class FakeTtyOut extends EventEmitter {
  readonly isTTY = true;
  writable = true;
  constructor(
    public columns = 160,
    public rows = 50,
  ) {
    super();
  }
  protected record(_chunk: string | Uint8Array): void {}
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    this.record(chunk);
    // Ink passes a callback (last argument) and waits for it.
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }
  getColorDepth(): number {
    return 8;
  }
  hasColors(): boolean {
    return true;
  }
}

/** A tty-like stdout that keeps every write, as text. */
export class RecordingTty extends FakeTtyOut {
  writes: string[] = [];
  protected override record(chunk: string | Uint8Array): void {
    this.writes.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
  }
}

export type FakeStdin = NodeJS.ReadStream & { isRaw: boolean };

/** A TTY-like stdin: raw mode is recorded, keys come only from the test's own writes. */
export function fakeStdin(): FakeStdin {
  const s = new PassThrough() as unknown as FakeStdin;
  (s as { isTTY: boolean }).isTTY = true;
  s.isRaw = false;
  s.setRawMode = function (mode: boolean) {
    this.isRaw = mode;
    return this;
  };
  s.ref = () => s;
  s.unref = () => s;
  return s;
}
