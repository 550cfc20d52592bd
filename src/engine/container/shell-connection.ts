// A ShellConnection over any byte link that carries a shell socket's frames
// (attach-frames.ts): the local pane's unix socket (shell.ts) and a remote host's
// `ssh HOST hutch shell-serve connect …` relay (engine/remote/remote-shell.ts) are
// both this, so the frames are read and written in one place.
import { encodeFrames, FRAME, FrameDecoder, resizeFrame } from './attach-frames.js';
import type { ShellConnection } from './shell-types.js';

/** What a connection needs of its transport. */
export interface FrameLink {
  /** Bytes from the shell's side, cut anywhere. */
  onBytes(f: (chunk: Buffer) => void): void;
  /** The link is gone (closed, broken, its process ended). */
  onClose(f: () => void): void;
  /** False once the link cannot take more bytes. */
  writable(): boolean;
  write(bytes: Buffer): void;
  /** Drops the link (the shell runs on). */
  destroy(): void;
}

export function frameConnection(link: FrameLink): ShellConnection {
  const decoder = new FrameDecoder();
  // What comes before the caller listens (the backlog) waits for it.
  const early: Buffer[] = [];
  let onData: (d: Buffer) => void = (d) => void early.push(d);
  let onEnd: ((code: number | null) => void) | undefined;
  let ended = false;
  let endCode: number | null | undefined;
  const end = (code: number | null) => {
    if (ended) return;
    ended = true;
    endCode = code;
    onEnd?.(code);
  };
  link.onBytes((chunk) => {
    for (const f of decoder.push(chunk)) {
      // An empty output frame carries nothing (the remote relay's first frame says "connected").
      if ((f.type === FRAME.stdout || f.type === FRAME.stderr) && f.data.length > 0) onData(f.data);
      else if (f.type === FRAME.exit) {
        const n = Number(f.data.toString('latin1'));
        end(Number.isInteger(n) ? n : 255);
      }
    }
  });
  link.onClose(() => end(null));
  return {
    write: (data) => {
      if (link.writable()) link.write(encodeFrames(FRAME.stdin, typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
    },
    resize: (rows, cols) => {
      if (link.writable() && rows > 0 && cols > 0) link.write(resizeFrame(rows, cols));
    },
    onData: (f) => {
      onData = f;
      for (const d of early.splice(0)) f(d);
    },
    onEnd: (f) => {
      onEnd = f;
      if (endCode !== undefined) f(endCode);
    },
    close: () => {
      ended = true;
      link.destroy();
    },
  };
}
