// Issue 11 §9: coming back from a shell (and after Ctrl-L) the terminal must not
// show a blank screen between the switch to the cleared alternate screen and the
// next frame: both go out in one write.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller } from '../../src/ui/controller.js';
import { defaultConfig } from '../../src/ui/config.js';
import { loadTheme } from '../../src/ui/theme.js';
import { Session } from '../../src/ui/session.js';
import { FakeStats, UiFakeEngine } from './fakes.js';
import { waitFor } from './helpers.js';
import { fakeStdin, RecordingTty } from '../support/fake-tty.js';

const ALT_ON = '\x1b[?1049h';
const CLEAR = '\x1b[2J';

async function mounted() {
  const engine = new UiFakeEngine();
  const tty = new RecordingTty(100, 30);
  const session = new Session({ stdout: tty as unknown as NodeJS.WriteStream, stdin: fakeStdin(), colors: false });
  const controller = new Controller({
    engine,
    stats: new FakeStats(engine),
    config: defaultConfig(),
    theme: loadTheme('dark'),
    intervalMs: 60_000,
    handoff: (banner, task) => session.handoff(banner, task),
    quit: () => {},
  });
  session.enterAltScreen();
  controller.start();
  session.mount(controller);
  const framed = () => tty.writes.some((w) => w.includes('NAME'));
  await waitFor(framed, 'the first frame');
  return {
    tty,
    session,
    controller,
    done: () => {
      controller.stop();
      session.restore();
    },
  };
}

/** Every write from `from` on that clears the screen must carry a frame (the table's header) too. */
function clearsAlone(writes: string[]): string[] {
  return writes.filter((w) => w.includes(CLEAR) && !w.includes('NAME'));
}

test('returning from a hand-off sends the alternate screen and the full frame in one write', async () => {
  const h = await mounted();
  try {
    const from = h.tty.writes.length;
    await h.session.handoff('--- a shell ---', async () => {
      assert.ok(h.tty.writes.slice(from).some((w) => w.includes('\x1b[?1049l')), 'left the alternate screen for the shell');
    });
    await waitFor(() => h.tty.writes.slice(from).some((w) => w.includes(ALT_ON) && w.includes('NAME')), () => `one write with the alternate screen and the frame in ${JSON.stringify(h.tty.writes.slice(from))}`);
    assert.deepEqual(clearsAlone(h.tty.writes.slice(from)), [], 'no write clears the screen without drawing the frame');
    const alt = h.tty.writes.slice(from).filter((w) => w.includes(ALT_ON));
    assert.equal(alt.length, 1, 'the alternate screen is entered once');
  } finally {
    h.done();
  }
});

test('Ctrl-L clears and draws the full frame in one write', async () => {
  const h = await mounted();
  try {
    const from = h.tty.writes.length;
    h.controller.terminal?.redraw();
    await waitFor(() => h.tty.writes.slice(from).some((w) => w.includes(CLEAR) && w.includes('NAME')), 'the redrawn frame');
    assert.deepEqual(clearsAlone(h.tty.writes.slice(from)), []);
  } finally {
    h.done();
  }
});

test('leaving before the returning frame is drawn does not leave the main screen twice', async () => {
  const h = await mounted();
  const from = h.tty.writes.length;
  await h.session.handoff('--- a shell ---', async () => {});
  // Restore at once, in the same turn as the return: whatever was pending is dropped.
  h.done();
  const offs = h.tty.writes.slice(from).filter((w) => w.includes('\x1b[?1049l')).length;
  assert.ok(offs <= 2, `left the alternate screen ${offs} times`);
  assert.ok((h.tty.writes.at(-1) ?? '').includes('\x1b[?25h'), 'the cursor is shown at the end');
});
