// Chart and number formatting functions of the dashboard: exact strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brailleChart, niceBytesCeil, niceCeil, paint, paintRuns, sparkline, stripAnsi } from '../../src/ui/charts/index.js';
import { fit, fmtAge, fmtBytes, fmtPercent, fmtState, parseInterval } from '../../src/ui/format.js';
import type { ContainerInfo } from '../../src/engine/types.js';

const G = '\x1b[32m';
const R = '\x1b[31m';
const A = '\x1b[90m';
const END = '\x1b[39m';

test('braille line: two samples per column, four levels per row, newest at the right', () => {
  assert.deepEqual(brailleChart([0, 1, 2, 3, 4, 5, 6, 7], 4, 2, { max: 7, labels: false }), ['⠀⠀⡠⠊', '⡠⠊⠀⠀']);
});

test('braille line: jumps are joined by vertical runs; y labels; limit dashed; one escape per colour run', () => {
  const opts = { max: 100, limit: 75, format: (v: number) => `${v}` };
  assert.deepEqual(brailleChart([50, 50, 100, 0], 8, 2, opts), ['100┤⠄⠄⣄⢷', '  0┤⠀⠀⠀⢸']);
  assert.deepEqual(brailleChart([50, 50, 100, 0], 8, 2, { ...opts, color: G, limitColor: R, axisColor: A }), [
    `${A}100┤${END}${R}⠄⠄${G}⣄⢷${END}`,
    `${A}  0┤${END}⠀⠀⠀${G}⢸${END}`,
  ]);
});

test('braille area chart with a middle label', () => {
  assert.deepEqual(brailleChart([0, 25, 50, 75, 100], 10, 5, { max: 100, area: true, format: (v) => `${v}%` }), [
    '100%┤⠀⠀⠀⠀⢸',
    '    │⠀⠀⠀⠀⣾',
    ' 50%┤⠀⠀⠀⢰⣿',
    '    │⠀⠀⠀⣼⣿',
    '  0%┤⠀⠀⢀⣿⣿',
  ]);
});

test('braille: no data, gaps (NaN), degenerate sizes', () => {
  assert.deepEqual(brailleChart([], 6, 2), ['1┤⠀⠀⠀⠀', '0┤⠀⠀⠀⠀']);
  assert.deepEqual(brailleChart([5, NaN, 5], 3, 1, { max: 10, labels: false }), ['⠀⠐⠐']);
  assert.deepEqual(brailleChart([1, 2], 0, 2), ['', '']);
  assert.deepEqual(brailleChart([1, 2], 5, 0), []);
  // Too narrow for labels: the plot takes the whole width.
  assert.equal(brailleChart([1], 4, 2, { max: 1000 })[0].length, 4);
});

test('sparklines: eight levels per row, blank where there is no data, ▁ for zero', () => {
  assert.deepEqual(sparkline([0, 4, 8], 4), [' ▁▄█']);
  assert.deepEqual(sparkline([1, 2, 3, 4, 5, 6], 3), ['▅▇█']);
  assert.deepEqual(sparkline([0, 8, 16], 3, 2, { max: 16 }), ['  █', '▁██']);
  assert.deepEqual(sparkline([0, 4, 8], 4, 1, { color: G }), [`${G} ▁▄█${END}`]);
  assert.deepEqual(sparkline([], 3), ['   ']);
});

test('colour runs', () => {
  assert.equal(paintRuns(['a', 'b', 'c', 'd'], [R, R, undefined, G]), `${R}ab${END}c${G}d${END}`);
  assert.equal(paintRuns(['a', 'b'], [undefined, '']), 'ab');
  assert.equal(paint('x', G), `${G}x${END}`);
  assert.equal(paint('', G), '');
  assert.equal(stripAnsi(`${G}x${END}\x1b[1my\x1b[22m`), 'xy');
});

test('axis maxima', () => {
  assert.equal(niceCeil(0), 1);
  assert.equal(niceCeil(73), 100);
  assert.equal(niceCeil(101), 200);
  assert.equal(niceCeil(250), 250);
  assert.equal(niceCeil(0.3), 0.5);
  assert.equal(niceBytesCeil(300 * 1024 * 1024), 320 * 1024 * 1024);
  assert.equal(niceBytesCeil(10), 1024);
});

test('bytes, percentages, ages', () => {
  assert.deepEqual(
    [0, 1023, 1024, 1536, 10 * 1024, 268435456, 1.5 * 1024 ** 3, 1023.7 * 1024, -1].map(fmtBytes),
    ['0B', '1023B', '1K', '1.5K', '10K', '256M', '1.5G', '1M', '-'],
  );
  assert.deepEqual([12.345, 0, 99.96, 150.2, null, NaN].map(fmtPercent), ['12.3', '0.0', '100', '150', '-', '-']);
  assert.deepEqual([5000, 180_000, 7_200_000, 5 * 86_400_000, -5].map(fmtAge), ['5s', '3m', '2h', '5d', '0s']);
  assert.equal(fit('abcdef', 4), 'abc…');
  assert.equal(fit('ab', 4, 'right'), '  ab');
  assert.deepEqual([1, '2s', '500ms', '1.5s', '1m', 'x', 0, '-1'].map(parseInterval), [1000, 2000, 500, 1500, 60_000, undefined, undefined, undefined]);
});

test('container states', () => {
  const now = Date.parse('2024-01-01T01:00:00Z');
  const base = { startedAt: '2024-01-01T00:57:00Z', finishedAt: '2024-01-01T00:59:30Z', created: '2024-01-01T00:00:00Z', exitCode: 2, oomKilled: false };
  assert.equal(fmtState({ ...base, status: 'running' } as ContainerInfo, now), 'running 3m');
  assert.equal(fmtState({ ...base, status: 'exited' } as ContainerInfo, now), 'exited 2 30s');
  assert.equal(fmtState({ ...base, status: 'exited', oomKilled: true } as ContainerInfo, now), 'exited 2 oom 30s');
  assert.equal(fmtState({ ...base, status: 'created' } as ContainerInfo, now), 'created');
});

