// Renders the dashboard with ink-testing-library against the fakes, and polls
// for frames (React commits after a couple of event-loop turns: never sleep).
import './no-ci.js';
import React from 'react';
import { render } from 'ink-testing-library';
import { App, type Size } from '../../src/ui/components/App.js';
import { Controller } from '../../src/ui/controller.js';
import { defaultConfig, type DashboardConfig } from '../../src/ui/config.js';
import { loadTheme } from '../../src/ui/theme.js';
import { stripAnsi } from '../../src/ui/charts/ansi.js';
import type { ProcessInfo } from '../../src/engine/types.js';
import { FakeStats, UiFakeEngine } from './fakes.js';
import { installOutputCache } from '../../src/ui/ink-output-cache.js';

// As the shipped dashboard does (session.tsx): the tests see the frames the users see.
await installOutputCache();

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  backspace: '\u007F',
  ctrlC: '\u0003',
};

export async function waitFor(cond: () => boolean, what: string | (() => string), ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setImmediate(() => setTimeout(r, 2)));
  }
}

export interface Harness {
  engine: UiFakeEngine;
  stats: FakeStats;
  controller: Controller;
  handoffs: string[];
  quits: () => number;
  frame: () => string;
  lines: () => string[];
  /** Writes keys, one event each. */
  press: (...keys: string[]) => Promise<void>;
  /** Waits until the frame contains `text` (or matches). */
  see: (text: string | RegExp, ms?: number) => Promise<void>;
  notSee: (text: string | RegExp) => Promise<void>;
  done: () => void;
}

export async function setup(
  opts: { engine?: UiFakeEngine; config?: DashboardConfig; size?: Size; procs?: ProcessInfo[]; colors?: boolean } = {},
): Promise<Harness> {
  const engine = opts.engine ?? new UiFakeEngine();
  if (opts.procs) engine.procs = opts.procs;
  const stats = new FakeStats(engine);
  const handoffs: string[] = [];
  let quits = 0;
  const controller = new Controller({
    engine,
    stats,
    config: opts.config ?? defaultConfig(),
    theme: loadTheme('dark'),
    // Long: tests drive refreshes through actions, not the timer.
    intervalMs: 60_000,
    handoff: async (banner, task) => {
      handoffs.push(banner);
      await task();
    },
    quit: () => {
      quits++;
    },
  });
  controller.start();
  const r = render(<App controller={controller} colors={opts.colors ?? false} size={opts.size ?? { columns: 100, rows: 30 }} />);
  const frame = () => stripAnsi(r.lastFrame() ?? '');
  const matches = (t: string | RegExp) => (typeof t === 'string' ? frame().includes(t) : t.test(frame()));
  await waitFor(() => controller.store.get().loaded && frame().length > 0, 'the first frame');
  // useInput subscribes in an effect: give it a turn before typing.
  await new Promise((res) => setTimeout(res, 10));
  return {
    engine,
    stats,
    controller,
    handoffs,
    quits: () => quits,
    frame,
    lines: () => frame().split('\n'),
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(k);
        // A lone Esc is held briefly by Ink's parser to see whether a sequence follows.
        await new Promise((res) => setTimeout(res, k === KEY.escape ? 30 : 5));
      }
    },
    see: (t, ms) => waitFor(() => matches(t), () => `${String(t)} in:\n${frame()}`, ms),
    async notSee(t) {
      await waitFor(() => !matches(t), () => `${String(t)} to go away from:\n${frame()}`);
    },
    done() {
      controller.stop();
      r.unmount();
      r.cleanup();
    },
  };
}
