// `volume` verbs, the mount flags of run/create, inspect's Mounts and rm -v, against
// the fake engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';

test('volume create / ls / inspect / rm / prune', async () => {
  const e = new FakeEngine();
  const c = await cli(['volume', 'create', '--label', 'team=web', 'data'], e);
  assert.deepEqual([c.code, c.out, c.err], [0, 'data\n', '']);
  const anon = await cli(['volume', 'create'], e);
  assert.match(anon.out, /^[0-9a-f]{64}\n$/);
  const ls = await cli(['volume', 'ls'], e);
  assert.equal(ls.out, `DRIVER    VOLUME NAME\nlocal     ${anon.out.trim()}\nlocal     data\n`);
  assert.equal((await cli(['volume', 'ls', '-q', '--filter', 'label=team'], e)).out, 'data\n');
  assert.equal((await cli(['volume', 'ls', '-q', '--filter', 'label=team=db'], e)).out, '');
  const [v] = JSON.parse((await cli(['volume', 'inspect', 'data'], e)).out);
  assert.deepEqual(Object.keys(v), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  assert.deepEqual([v.Name, v.Driver, v.Labels, v.Options, v.Scope], ['data', 'local', { team: 'web' }, null, 'local']);
  assert.match(v.Mountpoint, /\/volumes\/data\/_data$/);
  assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  await cli(['run', '-d', '--name', 'db', '-v', 'data:/var/lib/db', 'host', 'sleep', '1'], e);
  const inUse = await cli(['volume', 'rm', 'data'], e);
  assert.equal(inUse.code, 125);
  assert.match(inUse.err, /^hutch: remove data: volume is in use - \[[0-9a-f]{64}\]\n$/);
  assert.equal((await cli(['volume', 'ls', '-q', '--filter', 'dangling=true'], e)).out, anon.out);
  // A volume made by `volume create` is not anonymous (docker ≥ 23): only -a prunes it.
  assert.equal((await cli(['volume', 'prune', '-f'], e)).out, 'Total reclaimed space: 0B\n');
  assert.equal((await cli(['volume', 'prune', '-af'], e)).out, `Deleted Volumes:\n${anon.out}\nTotal reclaimed space: 0B\n`);
  await cli(['rm', '-f', 'db'], e);
  assert.equal((await cli(['volume', 'rm', 'data'], e)).out, 'data\n');
  const missing = await cli(['volume', 'rm', 'data', 'other'], e);
  assert.deepEqual([missing.code, missing.err], [1, 'hutch: get data: no such volume\nhutch: get other: no such volume\n']);
  assert.equal((await cli(['volume', 'rm', '-f', 'data'], e)).code, 0);
});

test('run -v/--mount/--tmpfs/--read-only/--volumes-from: the spec, inspect Mounts, rm -v', async () => {
  const e = new FakeEngine();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-vcli-'));
  try {
    const r = await cli(['run', '-d', '--name', 'box', '-v', `${dir}:/srv:ro`, '-v', 'cache:/cache', '-v', '/anon', '--mount', `type=bind,src=${dir},dst=/m,bind-propagation=rslave`, '--tmpfs', '/run:size=1m', '--read-only', 'host', 'sleep', '1'], e);
    assert.equal(r.code, 0, r.err);
    const spec = e.callsOf('create')[0][0] as { mounts: unknown[]; readOnly: boolean };
    assert.equal(spec.readOnly, true);
    assert.deepEqual(spec.mounts, [
      { type: 'bind', source: dir, target: '/srv', mode: 'ro', readOnly: true, createSource: true },
      { type: 'volume', source: 'cache', target: '/cache' },
      { type: 'volume', target: '/anon' },
      { type: 'bind', source: dir, target: '/m', propagation: 'rslave' },
      { type: 'tmpfs', target: '/run', tmpfsSize: 1024 * 1024 },
    ]);
    const [info] = JSON.parse((await cli(['inspect', 'box'], e)).out);
    const anon = (await e.volumes()).find((v) => v.anonymous)!.name;
    assert.deepEqual(info.Mounts, [
      { Type: 'bind', Source: dir, Destination: '/srv', Mode: 'ro', RW: false, Propagation: 'rprivate' },
      { Type: 'volume', Name: 'cache', Source: '/nonexistent/volumes/cache/_data', Destination: '/cache', Driver: 'local', Mode: '', RW: true, Propagation: '' },
      { Type: 'volume', Name: anon, Source: `/nonexistent/volumes/${anon}/_data`, Destination: '/anon', Driver: 'local', Mode: '', RW: true, Propagation: '' },
      { Type: 'bind', Source: dir, Destination: '/m', Mode: '', RW: true, Propagation: 'rslave' },
      { Type: 'tmpfs', Source: '', Destination: '/run', Mode: '', RW: true, Propagation: '' },
    ]);
    const from = await cli(['create', '--name', 'peer', '--volumes-from', 'box:ro', 'host'], e);
    assert.equal(from.code, 0, from.err);
    assert.deepEqual(JSON.parse((await cli(['inspect', 'peer'], e)).out)[0].Mounts.map((m: { Destination: string; RW: boolean }) => [m.Destination, m.RW]), [['/srv', false], ['/cache', false], ['/anon', false], ['/m', false]]);
    await cli(['rm', 'peer'], e);
    assert.equal((await cli(['rm', '-f', 'box'], e)).code, 0);
    assert.deepEqual((await e.volumes()).map((v) => v.name).sort(), [anon, 'cache'], 'rm without -v keeps the anonymous volume');
    await cli(['run', '-d', '--name', 'box2', '-v', '/anon', 'host', 'sleep', '1'], e);
    assert.equal((await cli(['rm', '-fv', 'box2'], e)).code, 0);
    assert.deepEqual(e.callsOf('remove').at(-1), ['box2', { force: true, volumes: true }]);
    assert.equal((await e.volumes()).length, 2, 'rm -v took only its own anonymous volume');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('mount bad input: one line, exit 125, nothing made', async () => {
  const e = new FakeEngine();
  const cases: [string[], RegExp][] = [
    [['-v', './rel:/x'], /^hutch: create \.\/rel: "\.\/rel" includes invalid characters for a local volume name/],
    [['-v', '/x:relative'], /^hutch: invalid volume specification: '\/x:relative': invalid mount path: 'relative' mount path must be absolute\n$/],
    [['-v', '/a:/b:bogus'], /^hutch: invalid mode: bogus\n$/],
    [['-v', 'a/b:/x'], /^hutch: create a\/b: "a\/b" includes invalid characters/],
    [['--mount', 'type=bind,src=/tmp,dst=/x,foo=1'], /^hutch: invalid argument "type=bind,src=\/tmp,dst=\/x,foo=1" for "--mount" flag: unexpected key 'foo' in 'foo=1'\n$/],
    [['--mount', 'type=nfs,dst=/x'], /^hutch: invalid mount config for type "nfs": mount type unknown\n$/],
    [['--mount', 'type=bind,src=/hutch-no-such-dir,dst=/x'], /^hutch: invalid mount config for type "bind": bind source path does not exist: \/hutch-no-such-dir\n$/],
    [['-v', 'v1:/x', '--tmpfs', '/x'], /^hutch: Duplicate mount point: \/x\n$/],
    [['--volumes-from', 'nosuch', '-v', 'v1:/x'], /^hutch: No such container: nosuch\n$/],
  ];
  for (const [flags, msg] of cases) {
    const r = await cli(['run', ...flags, 'host', 'true'], e);
    assert.equal(r.code, 125, flags.join(' '));
    assert.match(r.err, msg, flags.join(' '));
    assert.equal(r.err.split('\n').length, 2, `one line: ${r.err}`);
  }
  assert.deepEqual(await e.volumes(), []);
  assert.equal(e.containers.length, 0);
});
