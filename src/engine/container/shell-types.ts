// The shells a dashboard pane shows: each runs under an exec monitor of its own that
// holds its pty and serves it on `exec-<monitor pid>.sock` in the container's
// directory (native/PROTOCOL.md, `exec --serve`), with the attach socket's frames.

export interface ShellOptions {
  /** The command (default: bash when the container has it, else sh). */
  argv?: string[];
  /** The pane's size: the pty starts with it. */
  rows?: number;
  cols?: number;
  /** TERM for the shell (default xterm-256color: what the pane's emulator is). */
  term?: string;
}

export interface ShellInfo {
  /** `exec-<monitor pid>`: the socket's name without `.sock`. */
  name: string;
  monitorPid: number;
}

/** One client of a shell's socket. */
export interface ShellConnection {
  write(data: string | Buffer): void;
  resize(rows: number, cols: number): void;
  /** Output, the backlog (the last 64 KiB) first. */
  onData(f: (data: Buffer) => void): void;
  /** The shell exited (its status), or the connection was lost (null). Once. */
  onEnd(f: (exitCode: number | null) => void): void;
  /** Detaches: the shell runs on. */
  close(): void;
}

/** bash when the container has it, else sh (the `e` hand-off's choice too). */
export const DEFAULT_SHELL = ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];
