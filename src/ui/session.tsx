// Owns the terminal while the dashboard runs: the alternate screen (by hand —
// Ink 6.8 has no option for it), the Ink instance, and the hand-off to a shell.
//
// Hand-off (`e`, or a form run in the foreground): unmount Ink (raw mode off,
// its stdin listener gone), destroy our stdin stream so Node stops reading fd 0
// (a paused tty stream still reads ahead and would steal the shell's keys),
// leave the alternate screen, ignore SIGINT/SIGQUIT/SIGTSTP while the child owns
// the terminal, run it, then set raw mode at once (keys typed meanwhile stay in
// the tty buffer instead of being echoed), clear the alternate screen and mount a
// fresh Ink instance that draws a full frame from the store's state: same view,
// no lost key, no blank screen.
import tty from 'node:tty';
import React from 'react';
import { render, type Instance } from 'ink';
import { App, type Size } from './components/App.js';
import type { Controller } from './controller.js';
import { installOutputCache } from './ink-output-cache.js';

// Before the first frame: Ink's Output with a cache across frames (see ink-output-cache.ts).
await installOutputCache();

const ALT_ON = '\x1b[?1049h\x1b[H\x1b[2J';
const ALT_OFF = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';
const RESET = '\x1b[0m';
const HOME = '\x1b[H';
const ERASE_BELOW = '\x1b[J';

/**
 * Ink 6.8's incremental renderer moves the cursor up one line too few when the
 * frame ends with a newline (every frame shorter than the terminal), so each
 * frame lands one row lower than the last. In the alternate screen the frame
 * always starts at the top-left corner: sending the cursor home before each
 * frame makes Ink's relative moves absolute (cursor-up stops at row 1), and
 * erasing below the frame wipes what a shrinking terminal leaves behind.
 * Frame writes are the ones with a newline; cursor and sync-mode writes pass as
 * they are. Everything else (size, events, writable state) is the real stream's.
 */
export function anchoredStdout(real: NodeJS.WriteStream): NodeJS.WriteStream {
  const out = Object.create(real) as NodeJS.WriteStream;
  out.write = ((chunk: unknown, ...rest: unknown[]) => {
    const data = typeof chunk === 'string' && chunk.includes('\n') ? HOME + chunk + ERASE_BELOW : chunk;
    return (real.write as (...a: unknown[]) => boolean)(data, ...rest);
  }) as NodeJS.WriteStream['write'];
  return out;
}

export interface SessionOptions {
  stdout: NodeJS.WriteStream;
  colors: boolean;
  /** Test hook: a stdin to use instead of a fresh tty.ReadStream on fd 0. */
  stdin?: NodeJS.ReadStream;
  size?: Size;
}

export class Session {
  private instance?: Instance;
  private stdin?: NodeJS.ReadStream;
  private alt = false;
  /** True while a child owns the terminal. */
  handingOff = false;
  private readonly opts: SessionOptions;
  private controller?: Controller;

  constructor(opts: SessionOptions) {
    this.opts = opts;
  }

  enterAltScreen(): void {
    if (this.alt) return;
    this.opts.stdout.write(ALT_ON);
    this.alt = true;
  }

  leaveAltScreen(): void {
    if (!this.alt) return;
    this.opts.stdout.write(RESET + ALT_OFF + SHOW_CURSOR);
    this.alt = false;
  }

  private openStdin(): NodeJS.ReadStream {
    if (this.opts.stdin) return this.opts.stdin;
    const s = new tty.ReadStream(0) as NodeJS.ReadStream;
    // Raw mode now: keys typed before Ink attaches stay in the tty buffer, unechoed.
    s.setRawMode(true);
    return s;
  }

  mount(controller: Controller): void {
    this.controller = controller;
    this.stdin = this.openStdin();
    this.instance = render(<App controller={controller} colors={this.opts.colors} size={this.opts.size} />, {
      stdout: anchoredStdout(this.opts.stdout),
      stdin: this.stdin,
      incrementalRendering: true,
      maxFps: 15,
      patchConsole: false,
      exitOnCtrlC: false,
    });
  }

  unmount(): void {
    const inst = this.instance;
    this.instance = undefined;
    if (inst) {
      try {
        inst.unmount();
      } catch {
        // already gone
      }
    }
    const s = this.stdin;
    this.stdin = undefined;
    if (s && s !== this.opts.stdin) {
      try {
        if (s.isTTY) s.setRawMode(false);
      } catch {
        // the terminal may be gone (SIGHUP)
      }
      s.destroy();
    }
  }

  /** Gives the terminal to `task` and takes it back; see the comment at the top. */
  async handoff(banner: string, task: () => Promise<void>): Promise<void> {
    const controller = this.controller;
    this.unmount();
    this.leaveAltScreen();
    this.opts.stdout.write(`${banner}\n`);
    const ignore = () => {};
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTSTP'];
    for (const s of signals) process.on(s, ignore);
    this.handingOff = true;
    try {
      await task();
    } finally {
      this.handingOff = false;
      for (const s of signals) process.off(s, ignore);
      this.enterAltScreen();
      if (controller) this.mount(controller);
    }
  }

  /**
   * Puts the terminal back: Ink unmounted (raw mode off), main screen, cursor
   * shown. Safe to call more than once and from an 'exit' handler; Node itself
   * restores the tty's original mode at exit as well.
   */
  restore(): void {
    this.unmount();
    this.leaveAltScreen();
  }
}
