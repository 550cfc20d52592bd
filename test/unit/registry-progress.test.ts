import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressView, progressBar, progressLine, progressSize } from '../../src/cli/format/progress.js';
import { ProgressEmitter, eachLimit } from '../../src/engine/registry/progress.js';
import type { TransferProgress } from '../../src/engine/types.js';

const ev = (id: string, phase: TransferProgress['phase'], current = 0, total = 0): TransferProgress => ({ id, digest: `sha256:${id.padEnd(64, '0')}`, phase, current, total });

test('sizes as docker prints progress (4 significant digits, decimal units)', () => {
  const cases: [number, string][] = [
    [0, '0B'],
    [512, '512B'],
    [999, '999B'],
    [1000, '1kB'],
    [1197000, '1.197MB'],
    [3374000, '3.374MB'],
    [12_500_000, '12.5MB'],
    [999_960, '1MB'],
    [2_000_000_000, '2GB'],
  ];
  for (const [n, s] of cases) assert.equal(progressSize(n), s, String(n));
});

test('progress bars: exact strings', () => {
  assert.equal(progressBar(0, 100, true), `[>${' '.repeat(50)}]       0B/100B`);
  assert.equal(progressBar(1_197_000, 3_374_000, true), `[=================>${' '.repeat(33)}]  1.197MB/3.374MB`);
  assert.equal(progressBar(100, 100, true), `[${'='.repeat(50)}>]     100B/100B`);
  assert.equal(progressBar(1_197_000, 3_374_000, false), ' 1.197MB/3.374MB');
  assert.equal(progressBar(150, 100, true), `[${'='.repeat(50)}>]     150B`, 'a current past the total hides the total');
  assert.equal(progressBar(2048, 0, true), ' 2.048kB', 'no total: the count alone');
  assert.equal(progressBar(0, 0, true), '');
});

test('progress lines: docker words per phase, pull and push', () => {
  assert.equal(progressLine(ev('a3ed95caeb02', 'downloading', 1_197_000, 3_374_000), 'pull', 120), `a3ed95caeb02: Downloading [=================>${' '.repeat(33)}]  1.197MB/3.374MB`);
  assert.equal(progressLine(ev('a3ed95caeb02', 'downloading', 1_197_000, 3_374_000), 'pull', 80), 'a3ed95caeb02: Downloading  1.197MB/3.374MB');
  assert.equal(progressLine(ev('a3ed95caeb02', 'downloading', 1_197_000, 3_374_000), 'pull', 0), 'a3ed95caeb02: Downloading');
  assert.equal(progressLine(ev('a3ed95caeb02', 'waiting'), 'pull'), 'a3ed95caeb02: Waiting');
  assert.equal(progressLine(ev('a3ed95caeb02', 'verifying', 5, 5), 'pull'), 'a3ed95caeb02: Verifying Checksum');
  assert.equal(progressLine(ev('a3ed95caeb02', 'downloaded', 5, 5), 'pull'), 'a3ed95caeb02: Download complete');
  assert.equal(progressLine(ev('a3ed95caeb02', 'extracting', 2000, 4000), 'pull', 80), 'a3ed95caeb02: Extracting      2kB/4kB');
  assert.equal(progressLine(ev('a3ed95caeb02', 'exists', 5, 5), 'pull'), 'a3ed95caeb02: Already exists');
  assert.equal(progressLine(ev('a3ed95caeb02', 'done', 5, 5), 'pull'), 'a3ed95caeb02: Pull complete');
  assert.equal(progressLine(ev('a3ed95caeb02', 'uploading', 512, 1024), 'push', 80), 'a3ed95caeb02: Pushing     512B/1.024kB');
  assert.equal(progressLine(ev('a3ed95caeb02', 'exists', 5, 5), 'push'), 'a3ed95caeb02: Layer already exists');
  assert.equal(progressLine(ev('a3ed95caeb02', 'done', 5, 5), 'push'), 'a3ed95caeb02: Pushed');
});

test('progress view on a terminal: redrawn in place, lines cut to the width, throttled', () => {
  let out = '';
  let now = 0;
  const v = new ProgressView((s) => (out += s), { tty: true, columns: 40, mode: 'pull', intervalMs: 100, now: () => now });
  v.update(ev('aaaaaaaaaaaa', 'waiting', 0, 10));
  v.update(ev('bbbbbbbbbbbb', 'waiting', 0, 20));
  assert.equal(out, '\r\x1b[2Kaaaaaaaaaaaa: Waiting\n' + '\x1b[1A\r\x1b[2Kaaaaaaaaaaaa: Waiting\n\r\x1b[2Kbbbbbbbbbbbb: Waiting\n');
  out = '';
  v.update(ev('aaaaaaaaaaaa', 'downloading', 1, 10)); // phase change: drawn at once
  assert.equal(out, '\x1b[2A\r\x1b[2Kaaaaaaaaaaaa: Downloading       1B/10B\n\r\x1b[2Kbbbbbbbbbbbb: Waiting\n');
  out = '';
  now += 10;
  v.update(ev('aaaaaaaaaaaa', 'downloading', 5, 10)); // same phase within 100 ms: later
  assert.equal(out, '');
  v.finish();
  assert.equal(out, '\x1b[2A\r\x1b[2Kaaaaaaaaaaaa: Downloading       5B/10B\n\r\x1b[2Kbbbbbbbbbbbb: Waiting\n');
  // A line longer than the terminal is cut to width - 1.
  out = '';
  const w = new ProgressView((s) => (out += s), { tty: true, columns: 20, mode: 'pull', now: () => 0 });
  w.update(ev('cccccccccccc', 'verifying'));
  assert.equal(out, '\r\x1b[2Kcccccccccccc: Verif\n');
});

test('progress view on a pipe: one plain line per phase change', () => {
  let out = '';
  const v = new ProgressView((s) => (out += s), { tty: false, mode: 'pull' });
  for (const e of [
    ev('aaaaaaaaaaaa', 'waiting', 0, 10),
    ev('aaaaaaaaaaaa', 'downloading', 1, 10),
    ev('aaaaaaaaaaaa', 'downloading', 5, 10),
    ev('aaaaaaaaaaaa', 'verifying', 10, 10),
    ev('bbbbbbbbbbbb', 'exists', 3, 3),
    ev('aaaaaaaaaaaa', 'downloaded', 10, 10),
    ev('aaaaaaaaaaaa', 'extracting', 3, 10),
    ev('aaaaaaaaaaaa', 'extracting', 9, 10),
    ev('aaaaaaaaaaaa', 'done', 10, 10),
  ]) v.update(e);
  v.finish();
  assert.equal(
    out,
    [
      'aaaaaaaaaaaa: Waiting',
      'aaaaaaaaaaaa: Downloading',
      'aaaaaaaaaaaa: Verifying Checksum',
      'bbbbbbbbbbbb: Already exists',
      'aaaaaaaaaaaa: Download complete',
      'aaaaaaaaaaaa: Extracting',
      'aaaaaaaaaaaa: Pull complete',
      '',
    ].join('\n'),
  );
});

test('engine progress events: throttled per blob, phase changes and completion always', () => {
  const got: string[] = [];
  let now = 0;
  const p = new ProgressEmitter((e) => got.push(`${e.id} ${e.phase} ${e.current}/${e.total}`), 100, () => now);
  const d = `sha256:${'ab'.repeat(32)}`;
  p.emit(d, 'waiting', 0, 10);
  p.emit(d, 'downloading', 1, 10);
  now += 50;
  p.emit(d, 'downloading', 2, 10); // dropped
  now += 60;
  p.emit(d, 'downloading', 3, 10);
  p.emit(d, 'downloading', 10, 10); // complete: always
  p.emit(d, 'done', 10, 10);
  assert.deepEqual(got, ['abababababab waiting 0/10', 'abababababab downloading 1/10', 'abababababab downloading 3/10', 'abababababab downloading 10/10', 'abababababab done 10/10']);
  // A throwing listener does not break the transfer.
  new ProgressEmitter(() => {
    throw new Error('x');
  }).emit(d, 'done');
});

test('eachLimit: at most N at once; the first failure stops the rest and is thrown', async () => {
  let running = 0;
  let peak = 0;
  const done: number[] = [];
  await eachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5 + (n % 3)));
    running--;
    done.push(n);
  });
  assert.equal(peak, 3);
  assert.deepEqual(done.sort(), [1, 2, 3, 4, 5, 6, 7]);
  const started: number[] = [];
  const aborted: number[] = [];
  await assert.rejects(
    eachLimit([1, 2, 3, 4, 5], 2, async (n, signal) => {
      started.push(n);
      if (n === 1) throw new Error('boom');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          aborted.push(n);
          r();
        });
      });
    }),
    /boom/,
  );
  assert.deepEqual(started, [1, 2]);
  assert.deepEqual(aborted, [2]);
});
