// Named and anonymous volumes with real containers and the real CLI: persistence,
// copy-up from the image into an empty volume only, refusals while in use, the
// anonymous volumes `--rm` and `rm -v` take, gc of half-made ones, and bad input
// that leaves nothing behind.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandbox, runToEnd, busyboxRootfsTar, type Sandbox } from './helpers.js';

let sb: Sandbox;
let tmp: string;
before(async () => {
  sb = await sandbox();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-vs-'));
  await sb.engine.importImage(busyboxRootfsTar(), 'vs-busybox');
});
after(async () => {
  await sb?.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const data = (name: string) => path.join(sb.root, 'volumes', name, '_data');
/** Volume directories on disk (the lock file aside). */
const volumeDirs = () => (fs.existsSync(path.join(sb.root, 'volumes')) ? fs.readdirSync(path.join(sb.root, 'volumes')).filter((n) => n !== '.lock') : []);

async function clean(): Promise<void> {
  for (const c of await sb.engine.list({ all: true })) await sb.engine.remove(c.id, { force: true });
  for (const v of await sb.engine.volumes()) await sb.engine.removeVolume(v.name);
}
// Each test starts from no container and no volume, whatever the one before left.
afterEach(clean);

test('a named volume outlives its container: the next one reads what the first wrote', async () => {
  const w = await runToEnd(sb.engine, ['sh', '-c', 'echo kept > /data/f'], { mounts: [{ type: 'volume', source: 'vs-keep', target: '/data' }] });
  assert.equal(w.exitCode, 0, w.out);
  await sb.engine.remove(w.id, { volumes: true }); // a named volume is not the container's to take
  const r = await runToEnd(sb.engine, ['cat', '/data/f'], { mounts: [{ type: 'volume', source: 'vs-keep', target: '/data' }] });
  assert.equal(r.out, 'kept\n');
  const v = await sb.engine.inspectVolume('vs-keep');
  assert.deepEqual([v.anonymous, v.mountpoint, v.containers], [false, data('vs-keep'), [r.id]]);
});

test('copy-up: an empty volume gets the image\'s content at the destination, once; a non-empty one is never written over; nocopy opts out', async () => {
  const first = await runToEnd(sb.engine, ['sh', '-c', 'cat /etc/passwd; ls /bin/busybox'], { image: 'vs-busybox', mounts: [{ type: 'volume', source: 'vs-cu', target: '/etc' }] });
  assert.equal(first.exitCode, 0, first.out);
  assert.match(first.out, /^root:x:0:0:root:\/root:\/bin\/sh\n/);
  assert.equal(fs.readFileSync(path.join(data('vs-cu'), 'passwd'), 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');
  // The copy is the volume's now: a change made through it stays, never copied over again.
  const edit = await runToEnd(sb.engine, ['sh', '-c', 'echo changed > /etc/passwd'], { image: 'vs-busybox', mounts: [{ type: 'volume', source: 'vs-cu', target: '/etc' }] });
  assert.equal(edit.exitCode, 0, edit.out);
  assert.equal((await runToEnd(sb.engine, ['cat', '/etc/passwd'], { image: 'vs-busybox', mounts: [{ type: 'volume', source: 'vs-cu', target: '/etc' }] })).out, 'changed\n');

  // A volume with content of its own (CVE-2020-1726): nothing of the image lands in it.
  await sb.engine.createVolume({ name: 'vs-full' });
  fs.writeFileSync(path.join(data('vs-full'), 'mine'), 'mine\n');
  const full = await runToEnd(sb.engine, ['ls', '/etc'], { image: 'vs-busybox', mounts: [{ type: 'volume', source: 'vs-full', target: '/etc' }] });
  assert.equal(full.out, 'mine\n');
  assert.deepEqual(fs.readdirSync(data('vs-full')), ['mine']);

  const nocopy = await runToEnd(sb.engine, ['ls', '-A', '/etc'], { image: 'vs-busybox', mounts: [{ type: 'volume', source: 'vs-nocopy', target: '/etc', noCopy: true }] });
  assert.equal(nocopy.out, '');
  assert.deepEqual(fs.readdirSync(data('vs-nocopy')), []);
});

test('volume rm is refused while any container uses the volume, running or not; then it goes', async () => {
  await sb.engine.create({ image: 'host', name: 'vs-holder', cmd: ['true'], mounts: [{ type: 'volume', source: 'vs-held', target: '/d' }] });
  const holder = await sb.engine.inspect('vs-holder');
  for (const args of [['volume', 'rm', 'vs-held'], ['volume', 'rm', '-f', 'vs-held']]) {
    const r = sb.cli(args);
    assert.equal(r.status, 125, r.stderr);
    assert.equal(r.stderr, `hutch: remove vs-held: volume is in use - [${holder.id}]\n`);
  }
  assert.equal(sb.cli(['volume', 'prune', '-af']).stdout, 'Total reclaimed space: 0B\n');
  assert.ok(fs.existsSync(data('vs-held')));
  assert.equal(sb.cli(['rm', 'vs-holder']).status, 0);
  fs.writeFileSync(path.join(data('vs-held'), 'f'), '12345');
  assert.equal(sb.cli(['volume', 'prune', '-f']).stdout, 'Total reclaimed space: 0B\n', 'a named volume is pruned only with -a');
  assert.equal(sb.cli(['volume', 'prune', '-af']).stdout, 'Deleted Volumes:\nvs-held\n\nTotal reclaimed space: 5B\n');
  assert.deepEqual(volumeDirs(), []);
});

test('--rm and rm -v take the container\'s anonymous volumes; plain rm keeps them', async () => {
  const r = sb.cli(['run', '--rm', '-v', '/scratch', 'host', 'sh', '-c', 'echo x > /scratch/f']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(volumeDirs(), [], '--rm');
  const id = sb.cli(['create', '-v', '/scratch', 'host', 'true']).stdout.trim();
  const [anon] = volumeDirs();
  assert.match(anon, /^[0-9a-f]{64}$/);
  assert.equal(JSON.parse(sb.cli(['volume', 'inspect', anon]).stdout)[0].Labels['com.docker.volume.anonymous'], '');
  assert.equal(sb.cli(['rm', '-v', id]).status, 0);
  assert.deepEqual(volumeDirs(), [], 'rm -v');
  const kept = sb.cli(['create', '-v', '/scratch', 'host', 'true']).stdout.trim();
  assert.equal(sb.cli(['rm', kept]).status, 0);
  assert.equal(volumeDirs().length, 1, 'rm without -v');
  assert.match(sb.cli(['volume', 'prune', '-f']).stdout, /^Deleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
  assert.deepEqual(volumeDirs(), []);
});

test('inspect shows docker\'s Mounts', async () => {
  const dir = path.join(tmp, 'insp');
  fs.mkdirSync(dir);
  const id = sb.cli(['create', '-v', `${dir}:/b:ro,rslave`, '-v', 'vs-i:/v', '--tmpfs', '/t', 'host', 'true']).stdout.trim();
  const [c] = JSON.parse(sb.cli(['inspect', id]).stdout);
  assert.deepEqual(c.Mounts, [
    { Type: 'bind', Source: dir, Destination: '/b', Mode: 'ro,rslave', RW: false, Propagation: 'rslave' },
    { Type: 'volume', Name: 'vs-i', Source: data('vs-i'), Destination: '/v', Driver: 'local', Mode: '', RW: true, Propagation: '' },
    { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' },
  ]);
});

test('bad input through the CLI: one line, exit 125, no container, no volume, no host directory', async () => {
  const missing = path.join(tmp, 'never-made');
  const cases: [string[], RegExp][] = [
    [['-v', `${missing}:relative`], /^hutch: invalid volume specification: '.*:relative': invalid mount path: 'relative' mount path must be absolute\n$/],
    [['-v', `${missing}:/b:bogus`], /^hutch: invalid mode: bogus\n$/],
    [['-v', 'a/b:/x'], /^hutch: create a\/b: "a\/b" includes invalid characters for a local volume name/],
    [['-v', './rel:/x'], /^hutch: create \.\/rel: /],
    [['--mount', `type=bind,src=${missing},dst=/x`], /^hutch: invalid mount config for type "bind": bind source path does not exist: .*never-made\n$/],
    [['--mount', 'type=bind,src=/tmp,dst=/x,bogus=1'], /^hutch: invalid argument ".*" for "--mount" flag: unexpected key 'bogus' in 'bogus=1'\n$/],
    [['--mount', 'type=nfs,dst=/x'], /^hutch: invalid mount config for type "nfs": mount type unknown\n$/],
    [['-v', 'vs-bad:/x', '-v', `${missing}:/x`], /^hutch: Duplicate mount point: \/x\n$/],
    [['-v', 'vs-bad:/x', '--volumes-from', 'vs-nosuch'], /^hutch: No such container: vs-nosuch\n$/],
    [['-v', 'vs-bad:/x', '-v', '/anon', '-v', `${missing}:/m`, '--tmpfs', '/t:bogus'], /^hutch: invalid tmpfs option "bogus" in "\/t:bogus"\n$/],
  ];
  for (const [flags, msg] of cases) {
    const r = sb.cli(['run', '--rm', ...flags, 'host', 'true']);
    assert.equal(r.status, 125, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg, flags.join(' '));
  }
  // Past every check, an unknown image: the volumes and the -v directory made for it are undone.
  const late = sb.cli(['create', '-v', 'vs-bad:/x', '-v', '/anon', 'vs-no-such-image']);
  assert.equal(late.status, 125, late.stderr);
  assert.deepEqual(await sb.engine.list({ all: true }), []);
  assert.deepEqual(volumeDirs(), []);
  assert.ok(!fs.existsSync(missing));
});

test('gc removes a half-made volume (no meta.json) and nothing else', async () => {
  await sb.engine.createVolume({ name: 'vs-whole' });
  fs.mkdirSync(path.join(sb.root, 'volumes', 'vs-half', '_data'), { recursive: true });
  const removed = await sb.engine.gc();
  assert.ok(removed.includes('half-made volume vs-half'), removed.join('\n'));
  assert.deepEqual(volumeDirs(), ['vs-whole']);
});
