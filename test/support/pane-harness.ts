// The dashboard's controller on the fake engine (one container, "web") with its
// screen at 140×30, for the shell pane's unit tests (pane-keys, pane-scroll):
// keys typed into the controller, the screen's text, the pane opened with `E`.
import { Controller } from '../../src/ui/controller.js';
import { defaultConfig } from '../../src/ui/config.js';
import { loadTheme } from '../../src/ui/theme.js';
import { Screen } from '../../src/ui/screen.js';
import type { KeyEvent } from '../../src/ui/keys.js';
import { FakeEngine } from './fake-engine.js';
import { FakeStats } from '../ui/fakes.js';
import type { FakeShell } from './fake-shells.js';

export async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const SIZE = { columns: 140, rows: 30 };

export function paneHarness() {
  const engine = new FakeEngine();
  const c = engine.add({ name: 'web' });
  const stats = new FakeStats(engine);
  let quits = 0;
  const controller = new Controller({
    engine,
    stats,
    config: defaultConfig(),
    theme: loadTheme('dark'),
    intervalMs: 60_000,
    handoff: async (_b, task) => task(),
    quit: () => void quits++,
  });
  controller.start();
  controller.store.set({ size: SIZE });
  const screen = new Screen(controller, false);
  const lines = () => screen.lines(controller.store.get(), SIZE);
  const text = () => lines().join('\n');
  const type = (input: string, key: KeyEvent = {}) => controller.handleKey(input, key);
  /** `E` once the list is in: the pane open on "web", its shell. */
  const openPane = async (): Promise<FakeShell> => {
    await until(() => controller.store.get().loaded, 'the list');
    type('E', { shift: true });
    await until(() => controller.store.get().pane?.shell.startsWith('exec-') === true, 'the shell');
    return engine.shells.all.get(controller.store.get().pane!.shell)!;
  };
  return { engine, c, stats, controller, lines, text, type, openPane, quits: () => quits };
}
