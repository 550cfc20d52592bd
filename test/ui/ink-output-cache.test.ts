// The patched Ink Output (src/ui/ink-output-cache.ts) must write exactly what
// stock ink 6.8.0 writes: compared on the dashboard's own frames in every view,
// and on random frames built to hit the patch's cut rules (styled and unstyled
// spaces, touching and overlapping writes, wide and combining characters,
// clips, transformers, rows outside the frame).
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installOutputCache, outputCacheStatus, type InkOutput, type Patch } from '../../src/ui/ink-output-cache.js';
import { pieces } from '../../src/ui/ink-output-text.js';
import { SgrRuns } from '../../src/ui/ink-output-runs.js';
import { isPlainCell } from '../../src/ui/plain-cells.js';
import { lineWidth } from '../../src/ui/paint.js';
import { KEY, setup } from './helpers.js';
import { UiFakeEngine, sample } from './fakes.js';

async function patch(): Promise<Patch> {
  const p = await installOutputCache();
  assert.ok(p, `the patch is active with ink 6.8.0 (${outputCacheStatus()})`);
  return p;
}

/** Runs `body` with every Output.get() checked against stock; returns how many frames were compared. */
async function checked(p: Patch, body: () => Promise<void>): Promise<number> {
  const proto = p.Output.prototype as InkOutput;
  const patched = proto.get;
  let frames = 0;
  proto.get = function get(this: InkOutput) {
    const ours = patched.call(this);
    assert.deepEqual(ours, p.stockGet.call(this));
    frames++;
    return ours;
  };
  try {
    await body();
  } finally {
    proto.get = patched;
  }
  return frames;
}

test('the patch is applied to ink 6.8.0', async () => {
  await patch();
  assert.equal(outputCacheStatus(), 'active');
});

test("the dashboard's frames are the same with and without the patch, in every view and size", async () => {
  const p = await patch();
  for (const size of [
    { columns: 160, rows: 50 },
    { columns: 80, rows: 24 },
  ]) {
    const engine = new UiFakeEngine();
    for (let i = 0; i < 30; i++) engine.add({ name: `svc-${i}`, ...(i % 5 === 4 ? { status: 'exited' as const, exitCode: 1, finishedAt: '2024-01-01T00:00:00Z' } : {}) });
    engine.add({ name: '名前-wide' }); // measured by Ink itself (not a known-width line)
    const frames = await checked(p, async () => {
      const h = await setup({ engine, size, colors: true });
      try {
        const running = engine.containers.filter((c) => c.status === 'running');
        for (let tick = 0; tick < 6; tick++) {
          h.stats.emit(running.map((c, i) => sample(c.id, { cpuPercent: ((i * 37 + tick * 11) % 100) + 0.5, memUsage: (i + tick) * 1024 * 1024 * 3, memLimit: i % 2 ? 256 * 1024 * 1024 : null })));
          await h.see(/svc-1 /);
          await new Promise((r) => setTimeout(r, 5));
        }
        await h.press(' ', 'j', ' ', 'j', 'a'); // marks, selection, exited rows
        await h.see('showing exited');
        await h.press('>', '/', 's', 'v', 'c', '-', '2', KEY.enter);
        await h.notSee(/svc-1 /);
        await h.press(KEY.escape, KEY.enter); // detail: braille charts
        await h.see(/CPU/);
        await h.press(KEY.escape, '?'); // help
        await h.see('Keys');
        await h.press('?', 'i'); // images
        await h.see('Images');
        await h.press(KEY.escape, 'n'); // form
        await h.see('New container');
        await h.press(KEY.escape, 't', 't');
      } finally {
        h.done();
      }
    });
    assert.ok(frames > 20, `compared ${frames} frames at ${size.columns}×${size.rows}`);
  }
});

/** A small deterministic random source (the test must fail the same way twice). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const CODES = [
  '\x1b[31m', '\x1b[39m', '\x1b[32m', '\x1b[1m', '\x1b[22m', '\x1b[2m', '\x1b[7m', '\x1b[27m', '\x1b[44m', '\x1b[49m',
  '\x1b[0m', '\x1b[m', '\x1b[38;5;208m', '\x1b[48;2;10;20;30m', '\x1b[1;31m', '\x1b[4m', '\x1b[24m', '\x1b[53m', '\x1b[55m',
  '\x1b[3m', '\x1b[23m', '\x1b[9m', '\x1b[29m', '\x1b[21m',
  // compound ones, as the shell pane writes them (views/pane.ts)
  '\x1b[1;36m', '\x1b[0;7m', '\x1b[2;38;5;100;48;2;1;2;3m', '\x1b[1;2;7m',
];
const CHARS = [
  'a', 'b', 'Z', '0', '9', '.', '/', '-', '%', ' ', ' ', ' ', ' ', '▁', '▇', '█', '⣿', '⡀', '─', '│', '●', '›', '…', '·',
  '名', '界', '😀', 'é', 'e\u0301', '\u0301', '👩\u200d💻', '🇩🇪', '\t', '\u00ad', '\u200b', 'ｱ', 'ﾞ',
];

const PLAIN = CHARS.filter((c) => c.length === 1 && isPlainCell(c.charCodeAt(0)));

function randomText(r: () => number, maxLen: number, codes = 0.18, plainOnly = false): string {
  const chars = plainOnly ? PLAIN : CHARS;
  let s = '';
  const n = Math.floor(r() * maxLen);
  for (let i = 0; i < n; i++) {
    if (r() < codes) s += CODES[Math.floor(r() * CODES.length)];
    else if (r() < 0.4) s += ' '.repeat(1 + Math.floor(r() * 4));
    else s += chars[Math.floor(r() * chars.length)];
  }
  return s;
}

function randomOutput(p: Patch, r: () => number, codes: number, plainOnly: boolean): InkOutput {
  const width = 1 + Math.floor(r() * 40);
  const height = 1 + Math.floor(r() * 4);
  const out = new p.Output({ width, height });
  const ops = Math.floor(r() * 6);
  let clipped = 0;
  for (let k = 0; k < ops; k++) {
    const roll = r();
    if (roll < 0.1) {
      out.clip({ x1: Math.floor(r() * 5), x2: Math.floor(5 + r() * 30), y1: Math.floor(r() * 2), y2: Math.floor(1 + r() * 4) });
      clipped++;
    } else if (roll < 0.15 && clipped > 0) {
      out.unclip();
      clipped--;
    } else {
      const x = r() < 0.1 ? -1 : Math.floor(r() * width);
      const y = r() < 0.05 ? height + 1 : Math.floor(r() * height);
      let text = randomText(r, 30, codes, plainOnly);
      if (r() < 0.2) text += '\n' + randomText(r, 20, codes, plainOnly);
      const transformers = r() < 0.15 ? [(line: string, i: number) => `\x1b[35m${line}\x1b[39m${i}`] : [];
      out.write(x, y, text, { transformers });
    }
  }
  return out;
}

test('random frames: the same output as stock, cold and warm cache', async () => {
  const p = await patch();
  const r = rng(20261123);
  const outputs: InkOutput[] = [];
  // Many escapes (styles open across spaces) and few (long unstyled runs, many cuts);
  // any characters (pieces) and plain cells only (shapes).
  for (let i = 0; i < 6000; i++) outputs.push(randomOutput(p, r, i % 2 ? 0.18 : 0.03, i % 3 === 0));
  for (const pass of ['cold', 'warm']) {
    if (pass === 'cold') p.cache.clear();
    for (const o of outputs) {
      const stock = p.stockGet.call(o);
      const ours = o.get();
      assert.deepEqual(ours, stock, `${pass}: ${JSON.stringify(o.operations.map((op) => (op.type === 'write' ? [op.x, op.y, op.text] : op)))}`);
    }
  }
});

test('rows of dashboard-like lines: whole-row cuts and touching writes', async () => {
  const p = await patch();
  const r = rng(7);
  const cell = () => {
    const words = ['running 3h', '12.5', '64M/256M', 'svc-0001', 'host', '▁▂▃▅▇█▇▅', '-', '1.2K/3.4K'];
    const w = words[Math.floor(r() * words.length)];
    const color = r() < 0.5 ? CODES[Math.floor(r() * 3)] : '';
    return color ? `${color}${w}${r() < 0.5 ? '  ' : ''}\x1b[39m` : w;
  };
  for (let i = 0; i < 3000; i++) {
    const width = 20 + Math.floor(r() * 80);
    const o = new p.Output({ width, height: 2 });
    let x = 0;
    while (x < width - 10) {
      const t = Array.from({ length: 1 + Math.floor(r() * 4) }, cell).join(r() < 0.7 ? ' ' : '');
      o.write(x, 0, t, { transformers: [] });
      x += Math.floor(r() * 12);
    }
    o.write(0, 1, (r() < 0.3 ? '\x1b[44m\x1b[37m' : '') + Array.from({ length: 6 }, cell).join(' '), { transformers: [] });
    assert.deepEqual(o.get(), p.stockGet.call(o), JSON.stringify(o.operations));
  }
});

test('pieces are cut after spaces with no style open, before a character that starts a cluster', () => {
  assert.deepEqual(pieces('svc-1  running 3h'), ['svc-1  ', 'running ', '3h']);
  assert.deepEqual(pieces('a \x1b[32mrunning 3h  \x1b[39m 12.5'), ['a ', '\x1b[32mrunning 3h  \x1b[39m ', '12.5']);
  assert.deepEqual(pieces('\x1b[1;31mx y\x1b[0m z'), ['\x1b[1;31mx y\x1b[0m ', 'z']);
  assert.deepEqual(pieces('a \u0301b'), ['a \u0301b']); // a combining mark joins the space
  assert.deepEqual(pieces('a ▁▂ b'), ['a ', '▁▂ ', 'b']);
  assert.deepEqual(pieces('\x1b]8;;http://x y\x07l\x1b]8;;\x07 z'), ['\x1b]8;;http://x y\x07l\x1b]8;;\x07 z']);
  assert.deepEqual(pieces('\x1b[38;5;33mx\x1b[39m y'), ['\x1b[38;5;33mx\x1b[39m ', 'y']);
});

test('plain cells are what runs assume: one unit, one cluster whatever the neighbour, not full-width, one column', async () => {
  const p = await patch();
  void p;
  const inkDir = new URL('.', import.meta.resolve('ink')).href;
  const { createRequire } = await import('node:module');
  const { fileURLToPath, pathToFileURL } = await import('node:url');
  const req = createRequire(fileURLToPath(new URL('./output.js', inkDir)));
  const stringWidth = (await import(pathToFileURL(req.resolve('string-width')).href)).default as (s: string) => number;
  const tokPkg = req.resolve('@alcalzone/ansi-tokenize/package.json');
  const { tokenize, styledCharsFromTokens, styledCharsToString } = (await import(new URL('./build/index.js', pathToFileURL(tokPkg)).href)) as {
    tokenize: (s: string) => { type: string; fullWidth?: boolean }[];
    styledCharsFromTokens: unknown;
    styledCharsToString: unknown;
  };
  const plain: string[] = [];
  for (let c = 0; c < 0x10000; c++) if (isPlainCell(c)) plain.push(String.fromCharCode(c));
  assert.ok(plain.length > 500);
  const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const neighbours = [...plain.filter((_, i) => i % 7 === 0), '\x1b'];
  for (const c of plain) {
    assert.equal(stringWidth(c), 1, `width of U+${c.charCodeAt(0).toString(16)}`);
    assert.deepEqual(tokenize(c), [{ type: 'char', value: c, fullWidth: false }]);
    for (const d of neighbours) {
      assert.equal([...seg.segment(c + d)].length, 2, `U+${c.charCodeAt(0).toString(16)} U+${d.charCodeAt(0).toString(16)}`);
    }
  }
  const runs = new SgrRuns({ tokenize, styledCharsFromTokens, styledCharsToString } as unknown as ConstructorParameters<typeof SgrRuns>[0]);
  assert.deepEqual(runs.serialise('a \x1b[1;32m▁▂\x1b[0m b'), { w: 6, s: 'a \x1b[1m\x1b[32m▁▂\x1b[39m\x1b[22m b', lastStyled: false });
  assert.equal(runs.serialise('名'), undefined);
  assert.equal(runs.serialise('\x1b[2Kx'), undefined);
  // The same cells decide which dashboard lines skip Ink's measuring (components/App.tsx).
  assert.equal(lineWidth('\x1b[1m\x1b[32mab\x1b[39m\x1b[22m ▁⣿·'), 6);
  assert.equal(lineWidth(''), 0);
  assert.equal(lineWidth('名前'), undefined);
  assert.equal(lineWidth('a\x1b[2Kb'), undefined);
  assert.equal(lineWidth('tab\there'), undefined);
});
