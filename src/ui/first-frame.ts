// The dashboard's first full frame, drawn before Ink and React load (issue 11 §18).
//
// Why: reading and compiling the Ink/React bundle, initialising its modules and
// React's first render take ~160 ms of a ~300 ms start. The frame itself is a pure
// function of the store's state (screen.ts), so this module — no Ink, no React:
// scripts/build.mjs makes it dist/first-frame.mjs, whose code the Ink bundle shares
// — starts the controller, waits for the container list and the first stats sweep,
// and writes the switch to the alternate screen and the whole frame in one write.
// The bytes are those Ink's first frame will write (inkFrameText below: each line
// serialised by the rules of Ink's tokenizer, as its Output does, ink-sgr.ts;
// test/ui/first-frame.test.tsx compares them), so when Ink mounts (session.tsx, on the screen as it is, reading
// the same raw stdin) its first frame changes nothing visible.
import tty from 'node:tty';
import { exitAfterHangup } from '../engine/hangup.js';
import type { EngineApi } from '../engine/types.js';
import type { StatsSource } from '../engine/stats/types.js';
import type { HostsSource } from '../engine/remote/remotes.js';
import type { DashboardConfig } from './config.js';
import { Controller, type Handoff } from './controller.js';
import { ALT_ON, ALT_OFF, ERASE_BELOW, HIDE_CURSOR, HOME, RESET, SHOW_CURSOR } from './escapes.js';
import { inkSgrRow } from './ink-sgr.js';
import { lineWidth } from './paint.js';
import { MIN_COLUMNS, MIN_ROWS, Screen } from './screen.js';
import type { Size } from './state.js';
import type { Theme } from './theme.js';

type Env = Record<string, string | undefined>;

export interface StartOptions {
  config: DashboardConfig;
  theme: Theme;
  intervalMs: number;
  env: Env;
  stats?: StatsSource;
  /** With `--host`: the other machines' states (engine/remote/). */
  hosts?: HostsSource;
}

/** A started controller whose terminal hooks (hand-off, quit) the session binds later. */
export interface Started {
  controller: Controller;
  bind(hooks: { handoff: Handoff; quit: () => void }): void;
}

/** Creates the stats sampler (unless given) and the controller, and starts them. */
export async function startController(engine: EngineApi, opts: StartOptions): Promise<Started> {
  let stats = opts.stats;
  if (!stats) {
    const { createSampler } = await import('../engine/stats/sampler.js');
    stats = createSampler(engine, { intervalMs: opts.intervalMs, foreign: true });
  }
  let hooks: { handoff: Handoff; quit: () => void } | undefined;
  const controller = new Controller({
    engine,
    stats,
    config: opts.config,
    theme: opts.theme,
    intervalMs: opts.intervalMs,
    handoff: (banner, task) => (hooks ? hooks.handoff(banner, task) : Promise.reject(new Error('the dashboard is still starting'))),
    quit: () => hooks?.quit(),
    hosts: opts.hosts,
  });
  // The container list and the first stats sweep are read at once: the first
  // frame has the containers' rows.
  controller.start();
  return { controller, bind: (h) => (hooks = h) };
}

/**
 * The text Ink 6.8 writes for a frame of `lines` (one per row, `height` rows, on a
 * terminal of `rows` rows): its Output serialises every row's characters through
 * ansi-tokenize (ink-sgr.ts), trims the row's end, and the frame ends with a newline unless it fills the
 * terminal. Undefined when Ink would do more than that: more lines than rows, or a
 * line that is not SGR sequences and plain cells (paint.ts lineWidth) or is wider
 * than `width` — App gives those to a truncating Text, measured by Ink (rare: wide
 * characters in an image name, say); Ink then draws the first frame itself.
 */
export function inkFrameText(lines: readonly string[], width: number, height: number, rows: number): string | undefined {
  if (lines.length > height) return undefined;
  const out: string[] = [];
  for (let i = 0; i < height; i++) {
    const row = inkRowText(lines[i] ?? '', width);
    if (row === undefined) return undefined;
    out.push(row);
  }
  const text = out.join('\n');
  return height >= rows ? text : text + '\n';
}

/** One row as Ink's Output serialises it (see inkFrameText), or undefined. */
export function inkRowText(line: string, width: number): string | undefined {
  const w = lineWidth(line);
  return w === undefined || w > width ? undefined : inkSgrRow(line);
}

/**
 * What goes to the terminal for the first frame of `controller`'s state at `size`
 * (App's layout: rows - 1 lines): the alternate screen, cleared, the cursor hidden
 * (as Ink hides it) and the frame as Ink's anchored write has it (session.tsx's
 * anchoredStdout: home, the frame, erase below). Undefined where Ink's first frame
 * would not be this (too small a terminal, a screen reader's plain output, rows
 * Ink measures itself: see inkFrameText).
 */
export function firstFrameBytes(controller: Controller, size: Size, colors: boolean, env: Env): string | undefined {
  if (env.INK_SCREEN_READER === 'true') return undefined;
  if (size.columns < MIN_COLUMNS || size.rows < MIN_ROWS) return undefined;
  const st = controller.store.get();
  const lines = new Screen(controller, colors).lines(st, size);
  const frame = inkFrameText(lines, size.columns, Math.max(1, size.rows - 1), size.rows);
  return frame === undefined ? undefined : ALT_ON + HIDE_CURSOR + HOME + frame + ERASE_BELOW;
}

export interface FirstFrame extends Started {
  /** fd 0, in raw mode since the start: keys typed until Ink reads them wait unechoed. */
  stdin?: NodeJS.ReadStream;
  /** True when the frame went out: the terminal is on the alternate screen. */
  drawn: boolean;
  /** The session takes over: the interim signal handlers go. */
  handOver(): void;
  /** The dashboard did not come up: the controller stopped, the terminal as it was. */
  abandon(): void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * Starts the controller and draws the first frame on `stdout` once the container
 * list and the first sweep are in (or, past `waitMs`, the list alone; nothing when
 * not even the list came: Ink then draws as it mounts).
 */
export async function openFirstFrame(
  engine: EngineApi,
  opts: StartOptions & { stdout?: NodeJS.WriteStream; waitMs?: number; /** Test hook: instead of fd 0. */ stdin?: NodeJS.ReadStream },
): Promise<FirstFrame> {
  const stdout = opts.stdout ?? process.stdout;
  let stdin: NodeJS.ReadStream | undefined;
  try {
    // Raw mode at once: keys typed from here on are not echoed over the frame.
    // The stream does not read (tty streams start paused): Ink reads it later.
    stdin = opts.stdin ?? (new tty.ReadStream(0) as NodeJS.ReadStream);
    stdin.setRawMode(true);
  } catch {
    stdin = undefined;
  }
  const started = await startController(engine, opts);
  const { controller } = started;
  const size: Size = { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  // App puts the size in the store as it mounts (paging reads it): the same state here.
  controller.store.set({ size });
  await sampled(controller, opts.waitMs ?? 300);
  const colors = opts.env.TERM !== 'dumb';
  const bytes = controller.store.get().loaded ? firstFrameBytes(controller, size, colors, opts.env) : undefined;
  let drawn = false;
  let abandoned = false;
  const abandon = () => {
    if (abandoned) return;
    abandoned = true;
    handOver();
    try {
      controller.stop();
    } catch {
      // keep restoring the terminal
    }
    try {
      if (drawn) stdout.write(RESET + ALT_OFF + SHOW_CURSOR);
      stdin?.setRawMode(false);
      stdin?.destroy();
    } catch {
      // the terminal may be gone
    }
  };
  // Until the session's own handlers are in: a signal puts the terminal back first.
  const onSignal = (sig: NodeJS.Signals) => {
    abandon();
    // The terminal is gone: Node's own reset of it at exit would abort (hangup.ts).
    if (sig === 'SIGHUP') exitAfterHangup(129);
    process.exit(128 + (SIGNAL_NUMBERS[sig] ?? 0));
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  const handOver = () => {
    for (const s of signals) process.off(s, onSignal);
  };
  for (const s of signals) process.on(s, onSignal);
  if (bytes !== undefined) {
    stdout.write(bytes);
    drawn = true;
  }
  return { ...started, stdin, drawn, handOver, abandon };
}

/** Resolves once the first stats sweep (or the list's error) is in the store, or after `ms`. */
function sampled(controller: Controller, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      const st = controller.store.get();
      return st.sampleSeq > 0 || st.listError !== undefined;
    };
    if (done()) return resolve();
    const finish = () => {
      unsubscribe();
      clearTimeout(timer);
      resolve();
    };
    const unsubscribe = controller.store.subscribe(() => {
      if (done()) finish();
    });
    const timer = setTimeout(finish, ms);
  });
}
