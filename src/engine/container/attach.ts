// `attach`: a client of the attach socket every running container's monitor serves
// (`attach` in its bundle directory; frames in attach-frames.ts, native/PROTOCOL.md).
// Output is copied to our stdout/stderr until the exit frame brings the container's
// status; stdin goes in (a terminal in raw mode, scanned for the detach keys when the
// container has a tty), and SIGWINCH resizes its terminal.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import type { AttachOptions, AttachResult } from '../types.js';
import { Conflict, SystemError } from '../errors.js';
import { mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { signalInit } from './signal.js';
import { waitContainer } from './wait.js';
import { DetachScanner, parseDetachKeys } from './detach-keys.js';
import { encodeFrames, FRAME, FrameDecoder, resizeFrame } from './attach-frames.js';
import type { ContainerRecord } from './record.js';

/** onAttached: once connected (the engine's `attach` event). */
export async function attachContainer(ctx: Ctx, id: string, opts: AttachOptions, onAttached?: () => void): Promise<AttachResult> {
  const keys = parseDetachKeys(opts.detachKeys);
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  if (rec.status !== 'running' && rec.restarting) throw new Conflict('You cannot attach to a restarting container, wait until it is running');
  if (rec.status !== 'running') throw new Conflict('You cannot attach to a stopped container, start it first');
  if (rec.paused) throw new Conflict('You cannot attach to a paused container, unpause it first');
  const sock = await connect(rec);
  onAttached?.();
  return session(ctx, rec, sock, opts, keys);
}

/** Connects through /proc/self/fd/<dir fd>/attach: a bundle path can be longer than sun_path allows. */
function connect(rec: ContainerRecord): Promise<net.Socket> {
  let dirFd: number;
  try {
    dirFd = fs.openSync(rec.bundle, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (e) {
    throw new SystemError(`attach: cannot open the container's directory: ${(e as Error).message}`);
  }
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: `/proc/self/fd/${dirFd}/attach` });
    const done = () => fs.closeSync(dirFd);
    sock.once('connect', () => {
      done();
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      done();
      const why = e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? "its monitor serves no attach socket (started by an older hutch, or exiting)" : e.message;
      reject(new SystemError(`attach to ${rec.name}: ${why}`, e.code));
    });
  });
}

function session(ctx: Ctx, rec: ContainerRecord, sock: net.Socket, opts: AttachOptions, keys: Buffer): Promise<AttachResult> {
  const tty = !!rec.spec.tty;
  const stdin = rec.spec.interactive ? opts.stdin : null;
  const scanner = tty ? new DetachScanner(keys) : null;
  const raw = tty && !!stdin?.isTTY && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode?.(true);
  const decoder = new FrameDecoder();

  return new Promise<AttachResult>((resolve, reject) => {
    let finished = false;
    let exited = false;
    const unsubscribe = opts.signals?.subscribe((s) => {
      if (s === 'SIGWINCH') resize();
      else if (!tty) signalInit(ctx, rec, os.constants.signals[s]);
    });
    const finish = (r: AttachResult | Error) => {
      if (finished) return;
      finished = true;
      unsubscribe?.();
      if (stdin) {
        stdin.off('data', onInput);
        stdin.off('end', onInputEnd);
        stdin.pause();
      }
      if (raw) stdin.setRawMode?.(false);
      sock.destroy();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const send = (b: Buffer) => {
      if (!sock.write(b) && stdin) {
        // The monitor reads no more while the container's input is full: so do we.
        stdin.pause();
        sock.once('drain', () => !finished && stdin.resume());
      }
    };
    const resize = () => {
      const size = tty ? opts.size?.() : undefined;
      if (size && size.rows > 0 && size.columns > 0) send(resizeFrame(size.rows, size.columns));
    };
    const onInput = (chunk: Buffer | string) => {
      let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (scanner) {
        const r = scanner.push(data);
        data = r.pass;
        if (data.length) send(encodeFrames(FRAME.stdin, data));
        if (r.detach) return void sock.end(() => finish({ exitCode: null, detached: true }));
      } else if (data.length) send(encodeFrames(FRAME.stdin, data));
    };
    // docker closes the stdin of a container without a tty when ours ends; a
    // terminal has no end (raw mode), it hangs up.
    const onInputEnd = () => {
      if (!tty && !finished) send(encodeFrames(FRAME.stdinEof));
    };

    sock.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.type === FRAME.stdout || f.type === FRAME.stderr) {
          const out = f.type === FRAME.stdout ? opts.stdout : opts.stderr;
          if (!out.write(f.data)) {
            sock.pause();
            out.once('drain', () => sock.resume());
          }
        } else if (f.type === FRAME.exit) {
          const n = Number(f.data.toString('latin1'));
          const result = { exitCode: Number.isInteger(n) ? n : 255, detached: false };
          exited = true;
          // `--rm`: whoever sees the exit removes it (no daemon does).
          if (rec.spec.autoRemove) void waitContainer(ctx, rec.id).then(() => finish(result), () => finish(result));
          else finish(result);
          return;
        }
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      if (finished || exited) return;
      void lost(ctx, rec).then(finish, finish);
    });

    resize();
    if (stdin) {
      stdin.on('data', onInput);
      stdin.on('end', onInputEnd);
      stdin.resume();
    }
  });
}

/** The connection ended without an exit frame: the status from the record if the
 * container has exited, else the monitor dropped us (full, or we did not keep up). */
async function lost(ctx: Ctx, rec: ContainerRecord): Promise<AttachResult> {
  const now = await reconcile(ctx, mustLoad(ctx, rec.id)).catch(() => null);
  if (now && now.status !== 'running') return { exitCode: now.exitCode ?? 0, detached: false };
  throw new SystemError(`attach to ${rec.name}: its monitor closed the connection (8 clients at most, and each must keep up with the output)`);
}
