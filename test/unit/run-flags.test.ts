// run/create flags of issue 16: --env-file, --label/--label-file, --cidfile, --pull, --platform (fake engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';
import type { ContainerSpec } from '../../src/engine/types.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-unit-runflags-'));

test('--env-file then -e (a later one wins), --label and --label-file reach the spec', async () => {
  const d = tmp();
  try {
    fs.writeFileSync(path.join(d, 'env'), '# comment\nA=1\n\nB=from-file\nHOME\n');
    fs.writeFileSync(path.join(d, 'labels'), 'team=web\n# x\ntier\n');
    const e = new FakeEngine();
    const r = await cli(['create', '--env-file', path.join(d, 'env'), '-e', 'B=from-flag', '--label-file', path.join(d, 'labels'), '-l', 'v=2', 'host', 'true'], e, { env: { HOME: '/root' } });
    assert.equal(r.code, 0, r.err);
    const spec = e.callsOf('create')[0][0] as ContainerSpec;
    assert.deepEqual(spec.env, ['A=1', 'B=from-file', 'HOME=/root', 'B=from-flag']);
    assert.deepEqual(spec.labels, { team: 'web', tier: '', v: '2' });
    const bad = await cli(['create', '--env-file', path.join(d, 'nope'), 'host', 'true'], e);
    assert.equal(bad.code, 125);
    assert.match(bad.err, /^hutch: open .*nope: no such file or directory \(reading the env file\)\n/);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('--cidfile gets the id; an existing file is refused before anything is made', async () => {
  const d = tmp();
  try {
    const e = new FakeEngine();
    const cid = path.join(d, 'cid');
    const r = await cli(['run', '-d', '--cidfile', cid, 'host', 'true'], e);
    assert.equal(r.code, 0, r.err);
    assert.equal(fs.readFileSync(cid, 'utf8'), r.out.trim());
    const again = await cli(['run', '-d', '--cidfile', cid, 'host', 'true'], e);
    assert.equal(again.code, 125);
    assert.match(again.err, /Container ID file found, make sure the other container isn't running or delete /);
    assert.equal(e.callsOf('create').length, 1);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('--pull: missing pulls an image not here (progress on stderr, only the id on stdout), always pulls first, never does not', async () => {
  const e = new FakeEngine();
  const r = await cli(['run', '-d', 'busybox', 'true'], e);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^Unable to find image 'busybox:latest' locally\nlatest: Pulling from library\/busybox\n/);
  assert.match(r.err, /Status: Downloaded newer image for busybox:latest\n/);
  assert.match(r.out, /^[0-9a-f]{64}\n$/);
  assert.deepEqual(e.callsOf('pull').map((c) => c[0]), ['busybox']);
  await cli(['run', '-d', '--pull', 'always', 'busybox', 'true'], e);
  assert.equal(e.callsOf('pull').length, 2);
  const never = await cli(['run', '-d', '--pull', 'never', 'nothere', 'true'], e);
  assert.equal(never.code, 125);
  assert.match(never.err, /Unable to find image 'nothere' locally/);
  assert.equal(e.callsOf('pull').length, 2);
  const bad = await cli(['run', '--pull', 'sometimes', 'busybox'], e);
  assert.equal(bad.code, 125);
  assert.match(bad.err, /invalid pull option: 'sometimes': must be one of "always", "missing" or "never"/);
});

test('--platform: the host\'s is accepted, another is one line', async () => {
  const e = new FakeEngine();
  assert.equal((await cli(['create', '--platform', 'linux/amd64', 'host', 'true'], e)).code, 0);
  const r = await cli(['create', '--platform', 'linux/arm64', 'host', 'true'], e);
  assert.equal(r.code, 125);
  assert.match(r.err, /image platform "linux\/arm64" is not the host's \(linux\/amd64\): hutch runs no emulation/);
});

test('--sig-proxy=false: attached, but no signal is relayed to the container', async () => {
  const e = new FakeEngine();
  const r = await cli(['run', '--sig-proxy=false', 'host', 'true'], e);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.signals, []);
  const [, opts] = e.callsOf('start')[0] as [string, { attach: boolean; signals: unknown }];
  assert.deepEqual([opts.attach, opts.signals], [true, undefined]);
  const on = await cli(['run', 'host', 'true'], e);
  assert.equal(on.signals.length, 1, 'relayed by default');
});
