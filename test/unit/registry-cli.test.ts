// The pull, push, login and logout verbs over a fake engine: docker's output,
// flag errors as one line (exit 125) with no engine opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/cli.js';
import type { CliDeps } from '../../src/cli/context.js';
import { RegistryError } from '../../src/engine/registry/errors.js';
import { FakeEngine } from '../support/fake-engine.js';

class Buf {
  text = '';
  constructor(readonly isTTY = false, readonly columns = 120) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

async function cli(argv: string[], engine = new FakeEngine(), stdout = new Buf()) {
  const stderr = new Buf();
  let opened = 0;
  const deps: Partial<CliDeps> = {
    stdout,
    stderr,
    env: { HOME: '/root' },
    stdinIsTTY: false,
    hostCpus: 4,
    now: () => new Date('2024-01-01T00:00:00Z'),
    openEngine: async () => {
      opened++;
      return engine;
    },
    relaySignals: () => ({ subscribe: () => () => {}, close: () => {} }),
  };
  const code = await main(argv, deps);
  return { code, out: stdout.text, err: stderr.text, opened, calls: engine.calls };
}

const D1 = `sha256:${'a1'.repeat(32)}`;
const D2 = `sha256:${'b2'.repeat(32)}`;

test('pull: docker-like output on a pipe, the full reference last', async () => {
  const e = new FakeEngine();
  e.transferEvents = [
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'waiting', current: 0, total: 10 },
    { id: 'b2b2b2b2b2b2', digest: D2, phase: 'exists', current: 5, total: 5 },
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'downloading', current: 5, total: 10 },
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'downloading', current: 10, total: 10 },
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'done', current: 10, total: 10 },
  ];
  const r = await cli(['pull', 'busybox'], e);
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  assert.equal(
    r.out,
    [
      'Using default tag: latest',
      'latest: Pulling from library/busybox',
      'a1a1a1a1a1a1: Waiting',
      'b2b2b2b2b2b2: Already exists',
      'a1a1a1a1a1a1: Downloading',
      'a1a1a1a1a1a1: Pull complete',
      `Digest: sha256:${'ef'.repeat(32)}`,
      'Status: Downloaded newer image for busybox:latest',
      'docker.io/library/busybox:latest',
      '',
    ].join('\n'),
  );
  assert.deepEqual(r.calls.at(-1), { method: 'pull', args: ['busybox', { insecure: false }] });
});

test('pull on a terminal: the lines are redrawn in place', async () => {
  const e = new FakeEngine();
  e.transferEvents = [
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'waiting', current: 0, total: 10 },
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'done', current: 10, total: 10 },
  ];
  const r = await cli(['pull', '-q', 'busybox:1.36'], e);
  assert.equal(r.out, 'docker.io/library/busybox:1.36\n', 'quiet: the reference alone');
  const tty = await cli(['pull', 'busybox:1.36'], e, new Buf(true, 120));
  assert.ok(tty.out.includes('\r\x1b[2Ka1a1a1a1a1a1: Waiting\n\x1b[1A\r\x1b[2Ka1a1a1a1a1a1: Pull complete\n'), JSON.stringify(tty.out));
  assert.ok(tty.out.startsWith('1.36: Pulling from library/busybox\n'));
});

test('pull: engine errors are one line, exit 125', async () => {
  const e = new FakeEngine();
  e.failures.set('pull', new RegistryError('manifest unknown: x:1 not found', 'MANIFEST_UNKNOWN', 404));
  const r = await cli(['pull', 'x:1'], e);
  assert.equal(r.code, 125);
  assert.equal(r.err, 'hutch: manifest unknown: x:1 not found\n');
});

test('pull and push: bad references and a refused --insecure open no engine', async () => {
  for (const argv of [['pull', 'library/UPPER'], ['push', 'a@sha256:12'], ['pull'], ['pull', 'a', 'b'], ['pull', '--insecure', 'quay.io/x']]) {
    const r = await cli(argv);
    assert.equal(r.code, 125, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
    assert.equal(r.err.split('\n').length, 2, r.err);
    assert.equal(r.opened, 0, argv.join(' '));
  }
  assert.equal((await cli(['pull', '--insecure', 'quay.io/x'])).err, 'hutch: --insecure is allowed only for localhost, 127.0.0.1 and [::1] registries, not "quay.io"\n');
});

test('push: docker-like output', async () => {
  const e = new FakeEngine();
  e.transferEvents = [
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'waiting', current: 0, total: 10 },
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'uploading', current: 3, total: 10 },
    { id: 'a1a1a1a1a1a1', digest: D1, phase: 'done', current: 10, total: 10 },
  ];
  const r = await cli(['push', '--insecure', 'localhost:5000/app:2'], e);
  assert.equal(r.err, '');
  assert.equal(
    r.out,
    [
      'The push refers to repository [localhost:5000/app]',
      'a1a1a1a1a1a1: Waiting',
      'a1a1a1a1a1a1: Pushing',
      'a1a1a1a1a1a1: Pushed',
      `2: digest: sha256:${'ef'.repeat(32)} size: 527`,
      '',
    ].join('\n'),
  );
  assert.deepEqual(r.calls.at(-1), { method: 'push', args: ['localhost:5000/app:2', { insecure: true }] });
});

test('login: flag errors, no TTY; -p warns; logout', async () => {
  const both = await cli(['login', '-u', 'x', '-p', 'y', '--password-stdin', 'r.example']);
  assert.equal(both.code, 125);
  assert.equal(both.err, "hutch: --password and --password-stdin are mutually exclusive (see 'hutch login --help')\n");
  const noUser = await cli(['login', '--password-stdin', 'r.example']);
  assert.equal(noUser.err, "hutch: must provide --username with --password-stdin (see 'hutch login --help')\n");
  const noTty = await cli(['login', '-u', 'x', 'r.example']);
  assert.equal(noTty.code, 125);
  assert.equal(noTty.err, 'hutch: cannot perform an interactive login from a non TTY device\n');
  for (const r of [both, noUser, noTty]) assert.equal(r.opened, 0);

  const e = new FakeEngine();
  const ok = await cli(['login', '-u', 'x', '-p', 'y', 'https://R.example/'.toLowerCase()], e);
  assert.equal(ok.code, 0);
  assert.equal(ok.out, 'Login Succeeded\n');
  assert.equal(ok.err, 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  assert.deepEqual(e.calls.at(-1), { method: 'login', args: ['r.example', 'x', { insecure: false }] });
  const dflt = await cli(['login', '-u', 'x', '-p', 'y'], e);
  assert.deepEqual(dflt.calls.at(-1)?.args[0], 'docker.io');

  assert.equal((await cli(['logout', 'r.example'], e)).out, 'Removing login credentials for r.example\n');
  assert.equal((await cli(['logout', 'r.example'], e)).out, 'Not logged in to r.example\n');
  assert.equal((await cli(['logout'], e)).out, 'Removing login credentials for docker.io\n');
});
