// Issue 11 §18: the first full frame goes out before Ink and React load
// (src/ui/first-frame.ts). It must be byte for byte the frame Ink then draws for
// the same state, so that Ink's first frame changes nothing on the screen; the
// session must take it over without clearing it, reading the keys typed meanwhile.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { styledCharsFromTokens, styledCharsToString, tokenize } from '@alcalzone/ansi-tokenize';
import ansiStyles from 'ansi-styles';
import { defaultConfig } from '../../src/ui/config.js';
import { ALT_OFF, ALT_ON, HIDE_CURSOR, HOME, SHOW_CURSOR } from '../../src/ui/escapes.js';
import { firstFrameBytes, inkRowText, openFirstFrame, startController } from '../../src/ui/first-frame.js';
import { Session } from '../../src/ui/session.js';
import { loadTheme } from '../../src/ui/theme.js';
import { FakeStats, sample, UiFakeEngine } from './fakes.js';
import { waitFor } from './helpers.js';
import { fakeStdin, RecordingTty as Tty } from '../support/fake-tty.js';

/** An engine with containers of every kind the table draws differently. */
function busyEngine(n = 60): UiFakeEngine {
  const engine = new UiFakeEngine();
  for (let i = 0; i < n; i++) {
    engine.add({
      name: `web-${i}`,
      status: i % 3 ? 'running' : 'exited',
      exitCode: i % 3 ? null : i % 2,
      image: i % 7 ? 'busybox' : 'registry.example/team/app:v1.2',
    });
  }
  return engine;
}

function withEnv<T>(env: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (e: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(e)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  return f().finally(() => set(saved));
}

/** Ink's first frame write (anchored: home, frame, erase below) and our first frame, for one state. */
async function bothFrames(theme: string, columns: number, rows: number): Promise<{ ink: string; ours: string | undefined }> {
  const engine = busyEngine();
  const stats = new FakeStats(engine);
  const { controller } = await startController(engine, { config: defaultConfig(), theme: loadTheme(theme), intervalMs: 60_000, env: process.env, stats });
  await waitFor(() => controller.store.get().loaded, 'the list');
  stats.emit(engine.containers.filter((c) => c.status === 'running').map((c, i) => sample(c.id, { cpuPercent: (i * 7.3) % 100, memUsage: i * 3e7, memLimit: i % 2 ? 1e9 : null, netRx: i * 1e5 })));
  for (let i = 0; i < 5; i++) stats.emit(engine.containers.filter((c) => c.status === 'running').map((c) => sample(c.id, { cpuPercent: i * 11 })));
  controller.store.set({ marked: new Set([engine.containers[1].id, engine.containers[4].id]), size: { columns, rows } });
  const ours = firstFrameBytes(controller, { columns, rows }, true, process.env);
  const tty = new Tty(columns, rows);
  const session = new Session({ stdout: tty as unknown as NodeJS.WriteStream, stdin: fakeStdin(), colors: true, altScreen: true });
  session.mount(controller);
  try {
    await waitFor(() => tty.writes.some((w) => w.startsWith(HOME) && w.includes('\n')), 'Ink’s first frame');
    return { ink: tty.writes.find((w) => w.startsWith(HOME) && w.includes('\n'))!, ours };
  } finally {
    controller.stop();
    session.restore();
  }
}

const TERMS: Array<Record<string, string | undefined>> = [
  { TERM: 'xterm-256color', COLORTERM: undefined, NO_COLOR: undefined },
  { TERM: 'xterm', COLORTERM: 'truecolor', NO_COLOR: undefined },
  { TERM: 'xterm', COLORTERM: undefined, NO_COLOR: undefined },
  { TERM: 'xterm-256color', COLORTERM: undefined, NO_COLOR: '1' },
];

for (const theme of ['dark', 'light', 'high-contrast', 'mono']) {
  test(`first frame: the same bytes as Ink's first frame (${theme}, every colour depth, two sizes)`, async () => {
    for (const env of TERMS) {
      for (const [columns, rows] of [
        [160, 50],
        [90, 24],
      ]) {
        await withEnv(env, async () => {
          const { ink, ours } = await bothFrames(theme, columns, rows);
          assert.ok(ours, 'a first frame');
          assert.ok(ours.startsWith(ALT_ON + HIDE_CURSOR), 'the alternate screen and the hidden cursor first');
          assert.equal(ours.slice(ALT_ON.length + HIDE_CURSOR.length), ink, `${JSON.stringify(env)} ${columns}×${rows}`);
        });
      }
    }
  });
}

test('first frame: each row serialised as Ink serialises it (runs of SGR and plain cells, and the rest)', () => {
  const rows = [
    'plain text   ',
    '\x1b[36m\x1b[1mhutch\x1b[22m\x1b[39m · cpu',
    '\x1b[1m\x1b[2mbold and dim\x1b[22m after',
    '\x1b[2mdim\x1b[22m\x1b[1mbold\x1b[22m',
    '\x1b[31mred \x1b[0m reset   ',
    '\x1b[1;31mcompound\x1b[0m',
    '\x1b[38;5;120mhex\x1b[39m \x1b[48;2;1;2;3mbg\x1b[49m',
    '\x1b[7mselected row     \x1b[27m',
    '\x1b[32m\x1b[39m\x1b[33mempty runs\x1b[39m    ',
    '\x1b[31mnever closed   ',
    '\x1b[32m   \x1b[39m   ',
    '▁▂▃▄▅▆▇█ ⠁⠃ │ \x1b[90m…\x1b[39m',
    '\x1b[1m\x1b[2mx\x1b[1my\x1b[22mz',
    '\x1b[3m\x1b[4m\x1b[53m\x1b[9m\x1b[8mall\x1b[23m\x1b[24m\x1b[55m\x1b[29m\x1b[28mnone',
    '\x1b[1;2;3;38;2;10;20;30;48;5;7mmixed\x1b[0;1mbold',
    '\x1b[38;5mshort\x1b[48;2;1mshort\x1b[39;49m end',
    '\x1b[mempty\x1b[5mblink\x1b[25m\x1b[0m',
    '\x1b[31m\x1b[91m\x1b[41m\x1b[101mover\x1b[7mrev\x1b[27m',
  ];
  for (const row of rows) {
    assert.equal(inkRowText(row, 80), styledCharsToString(styledCharsFromTokens(tokenize(row))).trimEnd(), JSON.stringify(row));
  }
  // Rows Ink measures and may cut itself: none of ours.
  assert.equal(inkRowText('wide 镜像 \x1b[1mbold\x1b[22m', 80), undefined);
  assert.equal(inkRowText('x'.repeat(81), 80), undefined);
  assert.equal(inkRowText('\x1b]8;;http://x\x07link\x1b]8;;\x07', 80), undefined);
});

test("first frame: the SGR rules use ansi-styles' table of codes, as Ink's tokenizer does", () => {
  // Each code alone, then its end: the start and end codes the table gives.
  for (const [start, end] of ansiStyles.codes) {
    const row = `\x1b[${start}ma\x1b[${end}mb`;
    assert.equal(inkRowText(row, 80), styledCharsToString(styledCharsFromTokens(tokenize(row))).trimEnd(), `${start} → ${end}`);
  }
});

test('first frame: none where Ink would not draw these lines as they are (too small a terminal, a screen reader, a wide character)', async () => {
  const engine = busyEngine(3);
  const { controller } = await startController(engine, { config: defaultConfig(), theme: loadTheme('dark'), intervalMs: 60_000, env: {}, stats: new FakeStats(engine) });
  await waitFor(() => controller.store.get().loaded, 'the list');
  assert.equal(firstFrameBytes(controller, { columns: 30, rows: 20 }, true, {}), undefined);
  assert.equal(firstFrameBytes(controller, { columns: 100, rows: 30 }, true, { INK_SCREEN_READER: 'true' }), undefined);
  assert.ok(firstFrameBytes(controller, { columns: 100, rows: 30 }, true, {}));
  // A wide-character image name: a row App gives Ink to measure (and cut) itself.
  assert.ok(firstFrameBytes(controller, { columns: 160, rows: 30 }, true, {}));
  engine.add({ name: 'wide', image: '镜像/应用' });
  await controller.refresh();
  assert.equal(firstFrameBytes(controller, { columns: 160, rows: 30 }, true, {}), undefined);
  controller.stop();
});

async function opened(engine = busyEngine(5), waitMs = 20) {
  const tty = new Tty(100, 30);
  const stdin = fakeStdin();
  const stats = new FakeStats(engine);
  const first = await openFirstFrame(engine, {
    config: defaultConfig(),
    theme: loadTheme('dark'),
    intervalMs: 60_000,
    env: { TERM: 'xterm-256color' },
    stats,
    stdout: tty as unknown as NodeJS.WriteStream,
    stdin,
    waitMs,
  });
  return { tty, stdin, stats, first };
}

test('first frame: raw mode at once, then the alternate screen and the whole frame in one write', async () => {
  const { tty, stdin, first } = await opened();
  try {
    assert.equal(stdin.isRaw, true);
    assert.equal(first.drawn, true);
    assert.equal(tty.writes.length, 1, 'one write');
    assert.ok(tty.writes[0].startsWith(ALT_ON));
    // web-0 and web-3 have exited: the table hides them.
    for (const i of [1, 2, 4]) assert.ok(tty.writes[0].includes(`web-${i}`), `row web-${i}`);
  } finally {
    first.abandon();
  }
});

test('first frame: the session takes it over without clearing it, and the keys typed meanwhile count', async () => {
  const { tty, stdin, first } = await opened();
  const { controller } = first;
  let quits = 0;
  const session = new Session({ stdout: tty as unknown as NodeJS.WriteStream, colors: true, altScreen: first.drawn, firstStdin: stdin });
  first.bind({ handoff: (b, t) => session.handoff(b, t), quit: () => quits++ });
  // Typed before Ink reads fd 0: `?` (help), then `q`.
  stdin.write('?');
  session.enterAltScreen();
  session.mount(controller);
  first.handOver();
  try {
    await waitFor(() => controller.store.get().view === 'help', 'the help view from the key typed ahead');
    stdin.write('q');
    await waitFor(() => quits === 1, 'q to quit');
    const after = tty.writes.slice(1).join('');
    assert.ok(!after.includes(ALT_ON) && !after.includes('\x1b[2J'), 'no switch or clear after the first frame');
  } finally {
    controller.stop();
    session.restore();
  }
  assert.ok(tty.writes.at(-1)!.includes(ALT_OFF), 'the session leaves the alternate screen it did not enter itself');
});

test('first frame: abandoned (the dashboard did not load), the terminal is put back', async () => {
  const { tty, stdin, stats, first } = await opened();
  first.abandon();
  assert.equal(stdin.isRaw, false);
  assert.equal(stats.stopped, true);
  assert.ok(tty.writes.at(-1)!.includes(ALT_OFF + SHOW_CURSOR));
});

test('first frame: none when the container list does not come in time (Ink draws as it mounts)', async () => {
  const engine = busyEngine(2);
  engine.list = () => new Promise(() => {});
  const { tty, first } = await opened(engine, 20);
  assert.equal(first.drawn, false);
  assert.equal(tty.writes.length, 0);
  first.abandon();
  assert.equal(tty.writes.length, 0, 'nothing to put back');
});
