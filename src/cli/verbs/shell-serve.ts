// hutch shell-serve ls|open|connect|end CONTAINER [SHELL]: not for people (unlisted).
// The shell pane of a dashboard on another machine runs it here over ssh (engine/
// remote/remote-shell.ts): `ls` and `open` print the shells as JSON, `end` ends one,
// and `connect` relays one shell's socket frames (native/PROTOCOL.md, "Attach
// socket") over stdin and stdout, so the pane's keys, its resize frames and the
// shell's backlog pass as they would on a local socket. The first frame out is an
// empty output frame: the shell was found and the relay is up. Stdin's end detaches
// (the shell runs on); the shell's exit is relayed as its exit frame, then we leave.
import type { Verb } from '../context.js';
import type { EngineApi, ShellConnection } from '../../engine/types.js';
import { encodeFrames, FRAME, FrameDecoder } from '../../engine/container/attach-frames.js';
import { InvalidArgument } from '../../engine/errors.js';
import { UsageError } from '../errors.js';

const ACTIONS = ['ls', 'open', 'connect', 'end'] as const;

export interface BinaryOut {
  write(chunk: Buffer, cb?: () => void): boolean;
}

function size(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 0xffff) throw new InvalidArgument(`shell-serve: ${flag} ${JSON.stringify(v)} is not a size (1 to 65535)`);
  return n;
}

/** Relays `conn` over our stdio until the shell ends (its status) or stdin ends (0, detached). */
export function relay(conn: ShellConnection, input: NodeJS.ReadableStream, out: BinaryOut): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      input.removeAllListeners('data');
      input.pause();
      resolve(code);
    };
    out.write(encodeFrames(FRAME.stdout));
    conn.onData((d) => out.write(encodeFrames(FRAME.stdout, d)));
    conn.onEnd((code) => {
      // null: the monitor's socket went away without a status; the far side sees the relay end without one too.
      if (code === null) return finish(1);
      out.write(encodeFrames(FRAME.exit, Buffer.from(String(code), 'latin1')), () => finish(0));
    });
    const decoder = new FrameDecoder();
    input.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.type === FRAME.stdin) conn.write(f.data);
        else if (f.type === FRAME.resize && f.data.length === 4) conn.resize(f.data.readUInt16BE(0), f.data.readUInt16BE(2));
      }
    });
    input.on('end', () => {
      conn.close();
      finish(0);
    });
    input.on('error', () => {
      conn.close();
      finish(0);
    });
  });
}

async function run(engine: EngineApi, action: string, id: string, rest: string[], opts: { rows?: number; cols?: number; term?: string }, out: (s: string) => Promise<void>, binary: BinaryOut): Promise<number> {
  switch (action) {
    case 'ls':
      await out(`${JSON.stringify(await engine.listShells(id))}\n`);
      return 0;
    case 'open':
      await out(`${JSON.stringify(await engine.openShell(id, { ...opts, ...(rest.length ? { argv: rest } : {}) }))}\n`);
      return 0;
    case 'end':
      await engine.endShell(id, rest[0]);
      return 0;
    default:
      return relay(await engine.connectShell(id, rest[0]), process.stdin, binary);
  }
}

export const shellServe: Verb = {
  name: 'shell-serve',
  summary: '(internal) the dashboard pane\'s shells of this machine, for a dashboard on another one',
  usage: 'ls|open|connect|end CONTAINER [SHELL | -- COMMAND...]',
  options: [
    { long: ['rows'], kind: 'string', value: 'n', help: 'open: the pane\'s rows' },
    { long: ['cols'], kind: 'string', value: 'n', help: 'open: the pane\'s columns' },
    { long: ['term'], kind: 'string', help: 'open: TERM for the shell' },
  ],
  minArgs: 2,
  async run(ctx, p) {
    const [action, id, ...rest] = p.args;
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`shell-serve: unknown action ${JSON.stringify(action)} (${ACTIONS.join(', ')})`, 'shell-serve');
    if ((action === 'connect' || action === 'end') && rest.length !== 1) throw new UsageError(`shell-serve ${action}: needs the container and one shell name`, 'shell-serve');
    if (action === 'ls' && rest.length) throw new UsageError('shell-serve ls: needs the container alone', 'shell-serve');
    const opts = { rows: size(p.string('rows'), '--rows'), cols: size(p.string('cols'), '--cols'), term: p.string('term') };
    return run(await ctx.engine(), action, id, rest, opts, ctx.out, ctx.stdout as unknown as BinaryOut);
  },
};
