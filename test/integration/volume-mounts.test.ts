// Bind mounts, tmpfs, --read-only and --volumes-from in real containers: what the
// container can and cannot write, and what the kernel says the mounts are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sandbox, runToEnd, type Sandbox } from './helpers.js';
import { parseMountinfo } from '../../src/engine/cgroups/mountinfo.js';

let sb: Sandbox;
let tmp: string;
before(async () => {
  sb = await sandbox();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-vm-'));
});
after(async () => {
  await sb?.cleanup();
  // Anything a failed test left mounted below tmp goes first, deepest first.
  for (const m of parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).reverse())
    if (m.mountPoint.startsWith(tmp + '/')) spawnSync('umount', ['-l', m.mountPoint]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The mount options (per-mount and superblock) of `dest` as the container sees it. */
const optionsOf = (mountinfo: string, dest: string) => {
  const m = parseMountinfo(mountinfo).filter((x) => x.mountPoint === dest).at(-1);
  assert.ok(m, `${dest} is mounted:\n${mountinfo}`);
  const line = mountinfo.split('\n').filter((l) => l.split(' ')[4] === dest).at(-1)!;
  return { mount: line.split(' ')[5].split(','), super: line.split(' - ')[1].split(' ')[2].split(',') };
};

test('-v bind rw: the container writes the host directory; a missing host directory is made', async () => {
  const dir = path.join(tmp, 'rw');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'in'), 'from host\n');
  const missing = path.join(tmp, 'made', 'by', 'v');
  const r = await runToEnd(sb.engine, ['sh', '-c', 'cat /data/in; echo from container > /data/out; touch /new/x'], {
    mounts: [{ type: 'bind', source: dir, target: '/data', createSource: true }, { type: 'bind', source: missing, target: '/new', createSource: true }],
  });
  assert.equal(r.exitCode, 0, r.out);
  assert.equal(r.out, 'from host\n');
  assert.equal(fs.readFileSync(path.join(dir, 'out'), 'utf8'), 'from container\n');
  assert.ok(fs.statSync(missing).isDirectory() && fs.existsSync(path.join(missing, 'x')));
  assert.deepEqual(
    r.info.mounts?.map((m) => [m.type, m.source, m.destination, m.rw, m.propagation]),
    [['bind', dir, '/data', true, 'rprivate'], ['bind', missing, '/new', true, 'rprivate']],
  );
});

test('-v bind ro: writes fail with EROFS inside; the host side is untouched', async () => {
  const dir = path.join(tmp, 'ro');
  fs.mkdirSync(dir);
  const r = await runToEnd(sb.engine, ['sh', '-c', 'touch /data/x 2>&1; echo rc=$?'], { mounts: [{ type: 'bind', source: dir, target: '/data', readOnly: true }] });
  assert.match(r.out, /Read-only file system/);
  assert.match(r.out, /rc=1/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('ro is recursive: a mount below the source is read-only inside too', async () => {
  const dir = path.join(tmp, 'rro');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  const mnt = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'hutch-test', path.join(dir, 'sub')], { encoding: 'utf8' });
  assert.equal(mnt.status, 0, mnt.stderr);
  try {
    const r = await runToEnd(sb.engine, ['sh', '-c', 'touch /data/sub/x 2>&1; echo rc=$?; cat /proc/self/mountinfo'], { mounts: [{ type: 'bind', source: dir, target: '/data', readOnly: true }] });
    assert.match(r.out, /touch: .*Read-only file system\nrc=1\n/, r.out);
    assert.ok(optionsOf(r.out, '/data/sub').mount.includes('ro'), 'the sub-mount is ro');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'sub')), []);
    // The host's own sub-mount stays writable: only the container's copy is read-only.
    fs.writeFileSync(path.join(dir, 'sub', 'host'), 'x');
  } finally {
    spawnSync('umount', [path.join(dir, 'sub')]);
  }
});

test('--tmpfs: docker\'s defaults (rw,nosuid,nodev,noexec); size, mode and exec as given; --mount type=tmpfs', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'cat /proc/self/mountinfo; stat -c %a /opt/t2; echo hi > /t/f && cat /t/f'], {
    mounts: [
      { type: 'tmpfs', target: '/t' },
      { type: 'tmpfs', target: '/opt/t2', tmpfsSize: 1024 * 1024, tmpfsMode: 0o700, tmpfsFlags: ['exec'] },
      { type: 'tmpfs', target: '/t3', readOnly: true },
    ],
  });
  assert.equal(r.exitCode, 0, r.out);
  const t = optionsOf(r.out, '/t');
  for (const o of ['rw', 'nosuid', 'nodev', 'noexec']) assert.ok(t.mount.includes(o), `/t ${o}: ${t.mount}`);
  const t2 = optionsOf(r.out, '/opt/t2');
  assert.ok(!t2.mount.includes('noexec') && t2.mount.includes('nosuid'), `${t2.mount}`);
  assert.ok(t2.super.includes('size=1024k') && t2.super.includes('mode=700'), `${t2.super}`);
  assert.ok(optionsOf(r.out, '/t3').mount.includes('ro'));
  assert.match(r.out, /\n700\nhi\n$/);
});

test('--read-only: a write to / fails; a --tmpfs /tmp takes writes', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'touch /x 2>&1; echo rc=$?; touch /tmp/y && echo tmp-ok'], { readOnly: true, mounts: [{ type: 'tmpfs', target: '/tmp' }] });
  assert.match(r.out, /Read-only file system\nrc=1\ntmp-ok\n$/, r.out);
  const plain = await runToEnd(sb.engine, ['sh', '-c', 'touch /x && echo ok'], {});
  assert.equal(plain.out, 'ok\n', 'without --read-only the root is writable');
});

test('--volumes-from: the other container\'s binds and volumes, its mode or the one given', async () => {
  const dir = path.join(tmp, 'from');
  fs.mkdirSync(dir);
  const src = await sb.engine.create({ image: 'host', name: 'vf-src', cmd: ['true'], mounts: [{ type: 'bind', source: dir, target: '/shared' }, { type: 'volume', source: 'vf-named', target: '/named' }] });
  const w = await runToEnd(sb.engine, ['sh', '-c', 'echo a > /shared/a; echo b > /named/b'], { volumesFrom: ['vf-src'] });
  assert.equal(w.exitCode, 0, w.out);
  assert.equal(fs.readFileSync(path.join(dir, 'a'), 'utf8'), 'a\n');
  assert.equal(fs.readFileSync(path.join(sb.root, 'volumes', 'vf-named', '_data', 'b'), 'utf8'), 'b\n');
  const ro = await runToEnd(sb.engine, ['sh', '-c', 'cat /named/b; touch /named/c 2>&1; echo rc=$?'], { volumesFrom: ['vf-src:ro'] });
  assert.match(ro.out, /^b\n.*Read-only file system\nrc=1\n$/s, ro.out);
  await sb.engine.remove(w.id);
  await sb.engine.remove(ro.id);
  await sb.engine.remove(src.id);
});
