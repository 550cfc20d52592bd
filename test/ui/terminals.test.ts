// Terminals of every kind (issue 11 item 11): TERM=dumb gets one line and no
// escape sequences; 8- and 16-colour terminals get only colours they can show;
// NO_COLOR stays colourless whichever theme `t` picks.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/cli.js';
import { makePainter } from '../../src/ui/paint.js';
import { COLOR_KEYS, THEME_NAMES, colorDepth, loadTheme, sgr, type ColorDepth } from '../../src/ui/theme.js';
import { Screen } from '../../src/ui/screen.js';
import { setup } from './helpers.js';
import { UiFakeEngine, sample } from './fakes.js';

// Every SGR sequence in a string, as its parameter list.
const sgrs = (s: string) => [...s.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => m[1]); // eslint-disable-line no-control-regex

/** Colour parameters in an SGR list: 30-49 (and 38;…/48;…) and 90-107. */
function colourParams(params: string): number[] {
  return params.split(';').map(Number).filter((n) => (n >= 30 && n <= 49) || (n >= 90 && n <= 107));
}

test('TERM=dumb: one line naming hutch ps, no escape sequences, neither Ink nor the engine loaded', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-ui-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let out = '';
  let err = '';
  let opened = false;
  const code = await main([], {
    stdout: { isTTY: true, write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    env: { XDG_CONFIG_HOME: dir, TERM: 'dumb' },
    stdinIsTTY: true,
    openEngine: async () => {
      opened = true;
      throw new Error('should not open');
    },
  });
  assert.equal(code, 1);
  assert.equal(out, '');
  assert.match(err, /^hutch: the dashboard needs a terminal that can move the cursor \(TERM=dumb\); 'hutch ps -a' lists the containers\n$/);
  assert.doesNotMatch(err, /\x1b/); // eslint-disable-line no-control-regex
  assert.equal(opened, false);
});

test('the colour depth from NO_COLOR, TERM and COLORTERM', () => {
  assert.equal(colorDepth({ TERM: 'xterm' }), 3);
  assert.equal(colorDepth({ TERM: 'screen' }), 3);
  assert.equal(colorDepth({ TERM: 'linux' }), 3);
  assert.equal(colorDepth({ TERM: 'xterm-16color' }), 4);
  assert.equal(colorDepth({ TERM: 'xterm-256color' }), 8);
  assert.equal(colorDepth({ TERM: 'tmux-256color', COLORTERM: 'truecolor' }), 24);
  assert.equal(colorDepth({ TERM: 'xterm', COLORTERM: '24bit' }), 24);
  assert.equal(colorDepth({ TERM: 'xterm-256color', COLORTERM: 'truecolor', NO_COLOR: '1' }), 0);
  assert.equal(colorDepth({ TERM: 'dumb' }), 0);
});

test('colours by depth: 24-bit only where shown, 256 as 38;5, no bright colours on 8-colour terminals', () => {
  assert.equal(sgr('#008700', 24), '\x1b[38;2;0;135;0m');
  assert.equal(sgr('#008700', 8), '\x1b[38;5;28m');
  assert.equal(sgr('#008700', 4), '\x1b[32m');
  assert.equal(sgr('#008700', 3), '\x1b[32m');
  assert.equal(sgr('redBright', 4), '\x1b[91m');
  assert.equal(sgr('redBright', 3), '\x1b[31m');
  assert.equal(sgr('gray', 3), '\x1b[2m'); // grey without bright black: faint
  assert.equal(sgr('red', 0), undefined);
  for (const depth of [3, 4] as ColorDepth[]) {
    for (const name of THEME_NAMES) {
      const p = makePainter(loadTheme(name), true, depth);
      const text = COLOR_KEYS.map((k) => p.fg(k, 'x') + (p.code(k) ?? '')).join('') + p.selected('row');
      for (const params of sgrs(text)) {
        assert.doesNotMatch(params, /^[34]8;/, `${name} at depth ${depth}: ${params}`);
        if (depth === 3) assert.deepEqual(colourParams(params).filter((n) => n >= 90), [], `${name} at depth 3: ${params}`);
      }
    }
  }
});

function twoContainers(): UiFakeEngine {
  const e = new UiFakeEngine();
  e.add({ name: 'web' });
  e.add({ name: 'db' });
  return e;
}

test('TERM=xterm: every theme t cycles through draws without 24-bit or bright colours', async (t) => {
  const h = await setup({ engine: twoContainers(), colors: true });
  t.after(h.done);
  for (const c of h.engine.containers) h.stats.emit([sample(c.id, { cpuPercent: 40, memUsage: 1 << 20, memLimit: 1 << 28 })]);
  const screen = new Screen(h.controller, true, colorDepth({ TERM: 'xterm' }));
  for (let i = 0; i < THEME_NAMES.length; i++) {
    const st = h.controller.store.get();
    const lines = screen.lines(st, { columns: 120, rows: 24 }).join('\n');
    assert.ok(sgrs(lines).length > 0, `${st.theme.name}: some colour`);
    for (const params of sgrs(lines)) {
      assert.doesNotMatch(params, /^[34]8;/, `${st.theme.name}: ${params}`);
      assert.deepEqual(colourParams(params).filter((n) => n >= 90), [], `${st.theme.name}: ${params}`);
    }
    await h.press('t');
    await new Promise((r) => setTimeout(r, 5));
  }
});

test('NO_COLOR: no colour whichever theme t picks (bold and reverse video stay)', async (t) => {
  const h = await setup({ engine: twoContainers(), colors: true });
  t.after(h.done);
  const screen = new Screen(h.controller, true, colorDepth({ TERM: 'xterm-256color', COLORTERM: 'truecolor', NO_COLOR: '1' }));
  const seen = new Set<string>();
  for (let i = 0; i < THEME_NAMES.length; i++) {
    const st = h.controller.store.get();
    seen.add(st.theme.name);
    const lines = screen.lines(st, { columns: 120, rows: 24 }).join('\n');
    for (const params of sgrs(lines)) assert.deepEqual(colourParams(params), [], `${st.theme.name}: ${params}`);
    assert.match(lines, /\x1b\[7m/, 'the selected row in reverse video'); // eslint-disable-line no-control-regex
    await h.press('t');
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.deepEqual([...seen].sort(), [...THEME_NAMES].sort());
});
