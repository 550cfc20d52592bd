// Owns the terminal while the dashboard runs: the alternate screen (by hand —
// Ink 6.8 has no option for it), the Ink instance, and the hand-off to a shell.
//
// Hand-off (`e`, or a form run in the foreground): unmount Ink (its stdin
// listener gone), destroy our stdin stream so Node stops reading fd 0 at once,
// in the same turn as the key that started it (a paused tty stream still reads
// ahead and would steal the shell's keys), leave the alternate screen, ignore
// SIGINT/SIGQUIT/SIGTSTP while the child owns the terminal, run it, then set raw
// mode at once (keys typed meanwhile stay in the tty buffer instead of being
// echoed), and mount a fresh Ink instance that draws a full frame from the
// store's state, sent in one write with the switch to the cleared alternate
// screen: same view, no lost key, never a blank screen in between.
// A shell (`e`) sets raw mode on the terminal itself (its monitor copies the
// keys to the shell's pty), so the terminal stays raw through its hand-off:
// keys typed ahead are not echoed before the shell's prompt, they wait in the
// tty buffer for the shell. A container run in the foreground gets the terminal
// in its usual (cooked) mode.
//
// Ctrl-L draws the whole frame again (a fresh Ink instance, as after a
// hand-off); Ctrl-Z puts the terminal back, stops the process group as the tty
// does, and on SIGCONT (`fg`) takes the terminal again and draws a full frame.
import tty from 'node:tty';
import React from 'react';
import { render, type Instance } from 'ink';
import { App, type Size } from './components/App.js';
import type { Controller } from './controller.js';
import { ALT_OFF, ALT_ON, ERASE_BELOW, HOME, RESET, SHOW_CURSOR } from './escapes.js';
import { installOutputCache } from './ink-output-cache.js';

// Before the first frame: Ink's Output with a cache across frames (see ink-output-cache.ts).
await installOutputCache();

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
export function anchoredStdout(real: NodeJS.WriteStream, takePrefix: () => string = () => ''): NodeJS.WriteStream {
  const out = Object.create(real) as NodeJS.WriteStream;
  out.write = ((chunk: unknown, ...rest: unknown[]) => {
    const data = typeof chunk === 'string' && chunk.includes('\n') ? takePrefix() + HOME + chunk + ERASE_BELOW : chunk;
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
  /**
   * The first frame (first-frame.ts) is on the screen: the alternate screen is on,
   * and `firstStdin` (fd 0, raw since before that frame) is what the first Ink
   * instance reads, so keys typed meanwhile reach it. Ink's first frame then writes
   * the same bytes over it: no clear in between, nothing changes on screen.
   */
  altScreen?: boolean;
  firstStdin?: NodeJS.ReadStream;
}

export class Session {
  private instance?: Instance;
  private stdin?: NodeJS.ReadStream;
  private alt = false;
  /** True while a child owns the terminal. */
  handingOff = false;
  private suspended = false;
  private readonly opts: SessionOptions;
  private controller?: Controller;
  /**
   * What a fresh frame must be preceded by (the alternate screen, cleared): sent
   * in the same write as that frame, so the terminal never shows the cleared
   * screen alone (a blank frame, seen on returns from the shell).
   */
  private prefix = '';
  private prefixTimer?: NodeJS.Timeout;

  /** The first frame's raw stdin, for the first mount (see SessionOptions). */
  private firstStdin?: NodeJS.ReadStream;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.alt = opts.altScreen ?? false;
    this.firstStdin = opts.firstStdin;
  }

  enterAltScreen(): void {
    if (this.alt) return;
    this.opts.stdout.write(ALT_ON);
    this.alt = true;
  }

  leaveAltScreen(): void {
    // A pending ALT_ON never reached the terminal: it is still on the main screen.
    const pendingAlt = this.takePrefix().includes(ALT_ON);
    if (!this.alt) return;
    this.opts.stdout.write(pendingAlt ? RESET + SHOW_CURSOR : RESET + ALT_OFF + SHOW_CURSOR);
    this.alt = false;
  }

  /** Mounts Ink with `prefix` going out in the same write as its first frame. */
  private remount(controller: Controller, prefix: string): void {
    this.prefix += prefix;
    this.mount(controller);
    // Ink draws its first frame as it mounts; should it not (an error), the prefix
    // still goes out rather than leaving the terminal on the wrong screen.
    if (this.prefix) this.prefixTimer = setTimeout(() => this.flushPrefix(), 100);
  }

  private takePrefix(): string {
    const p = this.prefix;
    this.prefix = '';
    clearTimeout(this.prefixTimer);
    return p;
  }

  private flushPrefix(): void {
    const p = this.takePrefix();
    if (p) this.opts.stdout.write(p);
  }

  private openStdin(): NodeJS.ReadStream {
    if (this.opts.stdin) return this.opts.stdin;
    const first = this.firstStdin;
    this.firstStdin = undefined;
    if (first) return first;
    const s = new tty.ReadStream(0) as NodeJS.ReadStream;
    // Raw mode now: keys typed before Ink attaches stay in the tty buffer, unechoed.
    s.setRawMode(true);
    return s;
  }

  mount(controller: Controller): void {
    this.controller = controller;
    controller.terminal = { redraw: () => this.redraw(), suspend: () => this.suspend() };
    this.stdin = this.openStdin();
    this.instance = render(<App controller={controller} colors={this.opts.colors} size={this.opts.size} />, {
      stdout: anchoredStdout(this.opts.stdout, () => this.takePrefix()),
      stdin: this.stdin,
      incrementalRendering: true,
      maxFps: 15,
      patchConsole: false,
      exitOnCtrlC: false,
    });
  }

  /** Ink gone and our stdin closed; `keepRaw`: the terminal stays in raw mode (no echo). */
  unmount(keepRaw = false): void {
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
        // Ink turned raw mode off as it unmounted (destroying the stream keeps the mode).
        if (s.isTTY) s.setRawMode(keepRaw);
      } catch {
        // the terminal may be gone (SIGHUP)
      }
      s.destroy();
    }
  }

  /** Gives the terminal to `task` and takes it back; see the comment at the top. */
  async handoff(banner: string, task: () => Promise<void>): Promise<void> {
    const controller = this.controller;
    this.unmount(controller?.handoffRequest.raw ?? false);
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
      if (controller && !this.alt) {
        this.alt = true;
        this.remount(controller, ALT_ON);
      } else {
        this.enterAltScreen();
        if (controller) this.mount(controller);
      }
    }
  }

  /** Ctrl-L: the whole frame again, on a cleared screen (after the key's turn). */
  redraw(): void {
    const controller = this.controller;
    if (!controller || this.handingOff) return;
    setImmediate(() => {
      if (!this.instance || this.handingOff) return;
      this.unmount(true);
      this.remount(controller, HOME + '\x1b[2J');
    });
  }

  /**
   * Ctrl-Z: the terminal as it was (Ink gone, cooked mode, main screen, cursor
   * shown), then SIGTSTP to our process group, as the tty sends it when it is not
   * in raw mode. `fg` sends SIGCONT: the alternate screen and a full frame come
   * back. Where nothing can stop us (an orphaned process group: no job control)
   * the signal is discarded and the dashboard comes back at once.
   */
  suspend(): void {
    const controller = this.controller;
    if (!controller || this.handingOff || !this.instance) return;
    this.suspended = true;
    this.unmount();
    this.leaveAltScreen();
    const resume = () => {
      process.off('SIGCONT', resume);
      clearTimeout(timer);
      if (!this.suspended) return;
      this.suspended = false;
      if (this.alt) return this.mount(controller);
      this.alt = true;
      this.remount(controller, ALT_ON);
    };
    // A stopped process runs no timers: this one fires only if nothing stopped us
    // (after `fg` it is overdue and races SIGCONT's listener; the first one resumes).
    const timer = setTimeout(resume, 200);
    process.on('SIGCONT', resume);
    try {
      process.kill(0, 'SIGTSTP');
    } catch {
      process.kill(process.pid, 'SIGTSTP');
    }
  }

  /**
   * Puts the terminal back: Ink unmounted (raw mode off), main screen, cursor
   * shown. Safe to call more than once and from an 'exit' handler; Node itself
   * restores the tty's original mode at exit as well.
   */
  restore(): void {
    this.suspended = false;
    this.unmount();
    this.leaveAltScreen();
  }
}
