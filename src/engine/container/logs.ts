// Reads the container's CRI k8s-file log: `<RFC3339Nano> <stream> <F|P> <text>`.
// `follow` keeps reading as the monitor appends, until the container has exited and
// the file is drained (like `docker logs -f`).
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from '../types.js';
import type { Ctx } from './context.js';
import { mustLoad } from './context.js';
import { reconcile } from './reconcile.js';

export function parseLogLine(line: string): LogLine | null {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return null;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  return { time: line.slice(0, a), stream, full: tag !== 'P', text: c < 0 ? '' : line.slice(c + 1) };
}

/** Where a reader of a growing log file is: the complete lines past it are parsed, a
 * partial last line (or UTF-8 sequence) waits for the rest. */
export class LogCursor {
  pos = 0;
  private rest = '';
  private readonly dec = new StringDecoder('utf8');
  private static readonly buf = Buffer.alloc(64 * 1024);

  /** The lines appended to fd since the last call. */
  read(fd: number): LogLine[] {
    const lines: LogLine[] = [];
    const buf = LogCursor.buf;
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, this.pos)) > 0; ) {
      this.pos += n;
      this.rest += this.dec.write(buf.subarray(0, n));
      const parts = this.rest.split('\n');
      this.rest = parts.pop() ?? '';
      for (const p of parts) {
        const l = parseLogLine(p);
        if (l) lines.push(l);
      }
    }
    return lines;
  }
}

/** A log line's time in ms (its RFC 3339 nanoseconds cut to what Date holds). */
export function lineTime(l: LogLine): number {
  return Date.parse(l.time.replace(/(\.\d{3})\d+/, '$1'));
}

export async function* readLogs(ctx: Ctx, id: string, opts: { follow?: boolean; tail?: number; signal?: AbortSignal; since?: number; until?: number }): AsyncGenerator<LogLine> {
  const file = mustLoad(ctx, id).logPath;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    if (!opts.follow) return;
    fd = -1;
  }
  const cursor = new LogCursor();
  let first = true;
  try {
    for (;;) {
      if (fd < 0) {
        try {
          fd = fs.openSync(file, 'r');
        } catch {
          /* not yet */
        }
      }
      // --since/--until (ms): lines outside are skipped before --tail counts (docker).
      const all = fd >= 0 ? cursor.read(fd) : [];
      const lines = opts.since === undefined && opts.until === undefined ? all : all.filter((l) => {
        const t = lineTime(l);
        return (opts.since === undefined || t >= opts.since) && (opts.until === undefined || t <= opts.until);
      });
      const out = first && opts.tail !== undefined && opts.tail >= 0 ? lines.slice(Math.max(0, lines.length - opts.tail)) : lines;
      first = false;
      for (const l of out) yield l;
      if (!opts.follow || opts.signal?.aborted || (opts.until !== undefined && Date.now() > opts.until)) return;
      const rec = await reconcile(ctx, mustLoad(ctx, id));
      if (rec.status !== 'running') {
        // Drain what the monitor wrote before it exited, then stop.
        if (fd >= 0 && fs.fstatSync(fd).size > cursor.pos) continue;
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}
