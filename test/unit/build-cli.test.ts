// `hutch build`'s flags and output against the fake engine; the progress printer's plain form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';
import { progressPrinter } from '../../src/cli/format/build-progress.js';

test('build: flags reach the engine; -q prints the id; --iidfile-less; image build is the same verb', async () => {
  const e = new FakeEngine();
  const r = await cli(['build', '-q', '-t', 'app:1', '-t', 'app:latest', '--build-arg', 'A=1', '--build-arg', 'HOME', '--label', 'x=y', '--target', 't', '--no-cache', '--network', 'none', '/tmp'], e, { env: { HOME: '/root' } });
  assert.deepEqual([r.code, r.out], [0, `sha256:${'b'.repeat(64)}\n`]);
  const o = e.lastBuild!;
  assert.deepEqual([o.contextDir, o.tags, [...o.buildArgs!], o.labels, o.target, o.noCache, o.network], ['/tmp', ['app:1', 'app:latest'], [['A', '1'], ['HOME', '/root']], { x: 'y' }, 't', true, 'none']);
  assert.equal((await cli(['image', 'build', '-q', '/tmp'], e)).code, 0);
  const iid = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-unit-iid-')), 'iid');
  try {
    assert.equal((await cli(['build', '--iidfile', iid, '/tmp'], e)).code, 0);
    assert.equal(fs.readFileSync(iid, 'utf8'), `sha256:${'b'.repeat(64)}`);
  } finally {
    fs.rmSync(path.dirname(iid), { recursive: true, force: true });
  }
});

test('build: bad flags are one line, exit 125, before the engine is asked', async () => {
  const e = new FakeEngine();
  for (const [args, re] of [
    [['build', '--network', 'weird', '.'], /invalid --network "weird": bridge, none or host/],
    [['build', '--progress', 'fancy', '.'], /invalid --progress "fancy"/],
    [['build', '-f', '-', '-'], /can't use stdin for both build context and dockerfile/],
    [['build'], /requires exactly 1 argument|requires at least 1 argument/],
  ] as const) {
    const r = await cli([...args], e);
    assert.equal(r.code, 125, r.err);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').filter((l) => !l.startsWith('See ')).length, 1, r.err);
  }
  assert.equal(e.lastBuild, undefined);
});

test('plain progress: BuildKit\'s numbered lines, CACHED, timed output and DONE', async () => {
  let err = '';
  const p = progressPrinter({ err: async (s: string) => void (err += s), now: () => new Date(), stderr: {} }, 'plain');
  p.event({ kind: 'step', n: 1, name: '[1/3] FROM busybox' });
  p.event({ kind: 'done', n: 1, ms: 10 });
  p.event({ kind: 'step', n: 2, name: '[2/3] COPY . /app' });
  p.event({ kind: 'cached', n: 2 });
  p.event({ kind: 'done', n: 2, ms: 0 });
  p.event({ kind: 'step', n: 3, name: '[3/3] RUN make' });
  p.event({ kind: 'output', n: 3, stream: 'stdout', text: 'compiling\npart' });
  p.event({ kind: 'output', n: 3, stream: 'stdout', text: 'ial\n' });
  p.event({ kind: 'done', n: 3, ms: 1234 });
  await p.close();
  assert.match(err, /^#1 \[1\/3\] FROM busybox\n#1 DONE 0\.0s\n#2 \[2\/3\] COPY \. \/app\n#2 CACHED\n#3 \[3\/3\] RUN make\n#3 \d+\.\d compiling\n#3 \d+\.\d partial\n#3 DONE 1\.2s\n$/);
});

test('tty progress: a live view redrawn in place — the header, each step with its time or CACHED, the running RUN\'s last lines', async () => {
  let err = '';
  const p = progressPrinter({ err: async (s: string) => void (err += s), now: () => new Date(), stderr: { columns: 60 } }, 'tty');
  p.event({ kind: 'step', n: 1, name: '[1/2] COPY . /app' });
  p.event({ kind: 'cached', n: 1 });
  p.event({ kind: 'done', n: 1, ms: 0 });
  p.event({ kind: 'step', n: 2, name: '[2/2] RUN make' });
  p.event({ kind: 'output', n: 2, stream: 'stdout', text: 'line one\nline two\n' });
  await new Promise((r) => setTimeout(r, 400));
  const live = err;
  assert.match(live, /\[\+\] Building \d+\.\ds \(1\/2\)/);
  assert.match(live, / => \[1\/2\] COPY \. \/app\s+CACHED/);
  assert.match(live, / => => # line two/);
  p.event({ kind: 'done', n: 2, ms: 2500 });
  await p.close();
  const final = err.slice(err.lastIndexOf('[+] Building'));
  assert.match(final, /\(2\/2\)/);
  assert.match(final, / => \[2\/2\] RUN make\s+2\.5s/);
  assert.doesNotMatch(final, /line two/, 'a finished step shows no output');
  assert.ok(/\[\d+A/.test(err) && err.includes('\u001b['), 'redrawn in place');
});
