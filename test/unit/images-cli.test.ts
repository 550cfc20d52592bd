// The image verbs' parsing and output against the fake engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/cli.js';
import type { CliDeps } from '../../src/cli/context.js';
import { Conflict } from '../../src/engine/errors.js';
import type { EngineApi } from '../../src/engine/types.js';
import { FakeEngine } from '../support/fake-engine.js';

class Buf {
  text = '';
  isTTY = false;
  write(s: string | Buffer): boolean {
    this.text += String(s);
    return true;
  }
}

async function cli(argv: string[], engine = new FakeEngine(), deps: Partial<CliDeps> = {}) {
  const stdout = new Buf();
  const stderr = new Buf();
  const code = await main(argv, {
    stdout,
    stderr,
    env: {},
    stdinIsTTY: true,
    hostCpus: 4,
    now: () => new Date('2024-01-01T12:00:00Z'),
    openEngine: async () => engine,
    relaySignals: () => ({ subscribe: () => () => {}, close: () => {} }),
    ...deps,
  });
  return { code, out: stdout.text, err: stderr.text };
}

test('rmi prints docker lines; one failing image is 125, one of several is 1', async () => {
  const e = new FakeEngine();
  e.imageList = [{ name: 'a:1', id: 'sha256:' + 'a'.repeat(64), created: '', size: 1, kind: 'oci' }];
  assert.deepEqual(await cli(['rmi', '-f', 'a:1'], e), { code: 0, out: `Untagged: a:1\nDeleted: sha256:${'a'.repeat(64)}\n`, err: '' });
  assert.deepEqual(e.callsOf('removeImage'), [['a:1', { force: true }]]);
  e.removeImage = async (name: string) => {
    if (name === 'used') throw new Conflict('conflict: unable to remove repository reference "used" (must force)');
    return [`Untagged: ${name}`];
  };
  assert.deepEqual(await cli(['rmi', 'used'], e), { code: 125, out: '', err: 'hutch: conflict: unable to remove repository reference "used" (must force)\n' });
  assert.deepEqual(await cli(['rmi', 'x', 'used', 'y'], e), {
    code: 1,
    out: 'Untagged: x\nUntagged: y\n',
    err: 'hutch: conflict: unable to remove repository reference "used" (must force)\n',
  });
  assert.equal((await cli(['rmi'], e)).code, 125);
});

test('tag, save, load: arguments reach the engine; save refuses a terminal; load refuses an empty stdin', async () => {
  const e = new FakeEngine();
  for (const n of ['a', 'b']) e.imageList.push({ name: `${n}:latest`, id: 'sha256:' + n.repeat(64), created: '', size: 1, kind: 'oci' });
  assert.equal((await cli(['tag', 'a', 'b:2'], e)).code, 0);
  assert.deepEqual(e.callsOf('tagImage'), [['a', 'b:2']]);
  assert.equal((await cli(['tag', 'a'], e)).code, 125);
  assert.equal((await cli(['save', '-o', 'out.tar', 'a', 'b'], e)).code, 0);
  assert.deepEqual(e.callsOf('saveImages'), [[['a', 'b'], 'out.tar']]);
  const tty = new Buf();
  tty.isTTY = true;
  const r = await cli(['save', 'a'], e, { stdout: tty });
  assert.equal(r.code, 125);
  assert.equal(r.err, 'hutch: cowardly refusing to save to a terminal. Use the -o flag or redirect\n');
  assert.equal((await cli(['save', 'a'], e)).code, 0, 'to a pipe');
  assert.deepEqual(e.callsOf('saveImages')[1], [['a'], 'stream']);
  const l = await cli(['load'], e, { stdinIsTTY: true });
  assert.deepEqual(l, { code: 125, out: '', err: 'hutch: requested load from stdin, but stdin is empty\n' });
  assert.equal((await cli(['load', '-i', 'x.tar'], e)).code, 0);
  assert.deepEqual(e.callsOf('loadImages'), [['x.tar']]);
});

test('load on a terminal draws a "Loading layer" bar per layer, then the Loaded lines; on a pipe only the lines', async () => {
  const e = new FakeEngine();
  const layerA = `sha256:${'a1'.repeat(32)}`;
  const load: EngineApi['loadImages'] = async (_input, opts) => {
    opts?.onProgress?.({ layer: layerA, bytes: 0, total: 2_000_000 });
    opts?.onProgress?.({ layer: layerA, bytes: 2_000_000, total: 2_000_000 });
    return ['Loaded image: a:1'];
  };
  Object.assign(e, { loadImages: load });
  const tty = Object.assign(new Buf(), { isTTY: true, columns: 120 });
  const r = await cli(['load', '-i', 'x.tar'], e, { stdout: tty });
  assert.equal(r.code, 0);
  assert.equal(
    tty.text,
    `\r\x1b[2Ka1a1a1a1a1a1: Loading layer [>${' '.repeat(50)}]       0B/2MB\n` +
      `\x1b[1A\r\x1b[2Ka1a1a1a1a1a1: Loading layer [${'='.repeat(50)}>]      2MB/2MB\n` +
      'Loaded image: a:1\n',
  );
  const piped = await cli(['load', '-i', 'x.tar'], e);
  assert.equal(piped.out, 'Loaded image: a:1\n');
  const quiet = Object.assign(new Buf(), { isTTY: true, columns: 120 });
  assert.equal((await cli(['load', '-q', '-i', 'x.tar'], e, { stdout: quiet })).code, 0);
  assert.equal(quiet.text, '');
});

test('image SUBCOMMAND dispatches to the verbs; an unknown one is a usage error', async () => {
  const e = new FakeEngine();
  e.imageList = [{ name: 'a:1', id: 'sha256:' + 'a'.repeat(64), created: '', size: 1, kind: 'oci', repository: 'a', tag: '1' }];
  assert.match((await cli(['image', 'ls'], e)).out, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\na\s+1\s+aaaaaaaaaaaa/);
  assert.equal((await cli(['image', 'rm', 'a:1'], e)).out, `Untagged: a:1\nDeleted: sha256:${'a'.repeat(64)}\n`);
  assert.deepEqual(await cli(['image', 'frob'], e), { code: 125, out: '', err: `hutch: unknown command: "image frob" (see 'hutch image --help')\n` });
  assert.deepEqual(await cli(['image', 'inspect'], e), { code: 125, out: '', err: `hutch: "hutch image inspect" requires at least 1 argument (see 'hutch image inspect --help')\n` });
  assert.match((await cli(['image', 'prune', '--help'], e)).out, /^Usage: {2}hutch image prune \[OPTIONS\]/);
  const i = await cli(['image', 'inspect', 'nope'], e);
  assert.deepEqual(i, { code: 1, out: '[]\n', err: 'hutch: No such image: nope\n' });
  e.pruneImages = async () => ({ deleted: ['untagged: a:1', `deleted: sha256:${'a'.repeat(64)}`], reclaimed: 2_500_000 });
  assert.equal((await cli(['image', 'prune', '-af'], e)).out, `Deleted Images:\nuntagged: a:1\ndeleted: sha256:${'a'.repeat(64)}\n\nTotal reclaimed space: 2.5MB\n`);
});

test('run --entrypoint and -u reach the spec; an empty --entrypoint clears it', async () => {
  const e = new FakeEngine();
  e.imageList.push({ name: 'img:latest', id: 'sha256:' + 'c'.repeat(64), created: '', size: 1, kind: 'oci' });
  assert.equal((await cli(['run', '-d', '--entrypoint', '/bin/echo', '-u', 'app:staff', 'img', 'hi'], e)).code, 0);
  assert.equal((await cli(['create', '--entrypoint=', 'img', 'sh'], e)).code, 0);
  const specs = e.callsOf('create').map((c) => c[0]);
  assert.deepEqual(specs[0], { image: 'img', cmd: ['hi'], user: 'app:staff', entrypoint: ['/bin/echo'] });
  assert.deepEqual(specs[1], { image: 'img', cmd: ['sh'], entrypoint: [] });
});
