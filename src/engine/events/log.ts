// docker's events without a daemon: whichever process acts (the CLI, the dashboard, a
// container's exit command, any reconcile that finds a container has died) appends one
// JSON line to <root>/events.log, in docker's event shape; `hutch events` reads and
// follows the file. Appends are O_APPEND writes of one short line, so writers in
// several processes never interleave within a line. The log is trimmed to its last
// MAX_BYTES by whoever finds it over twice that, so it never grows without bound.
import fs from 'node:fs';
import path from 'node:path';

export type EventType = 'container' | 'image' | 'network' | 'volume' | 'builder';

/** docker's events.Message. */
export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

export const MAX_BYTES = 4 * 1024 * 1024;

export const eventsFile = (root: string): string => path.join(root, 'events.log');

/** Appends an event; never throws (an event lost is better than a verb failed). */
export function appendEvent(root: string, type: EventType, action: string, id: string, attributes: Record<string, string | number | undefined> = {}, at = Date.now()): void {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined && v !== '') attrs[k] = String(v);
  const e: EngineEvent = { Type: type, Action: action, Actor: { ID: id, Attributes: attrs }, scope: 'local', time: Math.floor(at / 1000), timeNano: at * 1e6 };
  try {
    const file = eventsFile(root);
    fs.appendFileSync(file, `${JSON.stringify(e)}\n`, { mode: 0o600 });
    if (fs.statSync(file).size > 2 * MAX_BYTES) trim(file);
  } catch {
    /* no root (being removed), a full disk: the verb itself succeeded */
  }
}

/** Keeps the last MAX_BYTES (whole lines), by rename: a concurrent appender writes to one file or the other. */
function trim(file: string): void {
  const buf = fs.readFileSync(file);
  let start = buf.length - MAX_BYTES;
  while (start < buf.length && buf[start - 1] !== 0x0a) start++;
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, buf.subarray(start), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Events whose time (ms) is within [since, until], from offset `from`; and the offset after them. */
export function readEvents(root: string, opts: { since?: number; until?: number; from?: number } = {}): { events: EngineEvent[]; offset: number } {
  let buf: Buffer;
  try {
    const fd = fs.openSync(eventsFile(root), 'r');
    try {
      const size = fs.fstatSync(fd).size;
      // The file was trimmed (replaced) since: read it from its start.
      const from = opts.from !== undefined && opts.from <= size ? opts.from : 0;
      buf = Buffer.alloc(size - from);
      fs.readSync(fd, buf, 0, buf.length, from);
      const end = buf.lastIndexOf(0x0a) + 1;
      const events: EngineEvent[] = [];
      for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as EngineEvent;
          const ms = e.timeNano / 1e6;
          if ((opts.since === undefined || ms >= opts.since) && (opts.until === undefined || ms <= opts.until)) events.push(e);
        } catch {
          /* a torn line of a crashed writer */
        }
      }
      return { events, offset: from + end };
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { events: [], offset: 0 };
  }
}
