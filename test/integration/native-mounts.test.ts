// hutch-monitor's mounts[] (native/PROTOCOL.md, "Mounts"): binds attached fd to
// fd with their attributes, ro against rro with a sub-mount, tmpfs options,
// propagation, and the /dev/null that masks paths checked to be the null device.
// Root only; every mount the test makes on the host is unmounted by it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundle, runMonitor, skip, tmpDir, writeConfig } from './native-mounts-fixture.js';

/** The mountinfo line of the container's mount at point (from `cat /proc/self/mountinfo`). */
function mountLine(out: string, point: string): string {
  return out.split('\n').find((l) => l.split(' ')[4] === point) ?? '';
}

/** A host tmpfs at dir (created under a tmpDir, which unmounts it when the test ends). */
function hostTmpfs(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'hutch-test', dir]).status, 0, 'mount tmpfs');
}

test('bind rw and ro: ro is read-only inside, writes through rw reach the host, nosuid/nodev/noexec land', { skip }, async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f'), 'host\n');
  const b = bundle(dir, ['sh', '-c', 'cat /rw/f; echo c > /rw/new; (echo x > /ro/x) 2>&1; cat /proc/self/mountinfo'], [
    { destination: '/rw', type: 'bind', source: src, options: ['rbind', 'nosuid', 'nodev', 'noexec'] },
    { destination: '/ro', type: 'bind', source: src, options: ['rbind', 'ro'] },
  ]);
  const r = await runMonitor(b);
  assert.equal(r.code, 0, r.sync + r.out);
  assert.match(r.out, /^host\n/);
  assert.match(r.out, /Read-only file system/);
  assert.equal(fs.readFileSync(path.join(src, 'new'), 'utf8'), 'c\n');
  assert.ok(!fs.existsSync(path.join(src, 'x')));
  assert.match(mountLine(r.out, '/rw'), /^\S+ \S+ \S+ \S+ \/rw rw,nosuid,nodev,noexec/);
  assert.match(mountLine(r.out, '/ro'), /^\S+ \S+ \S+ \S+ \/ro ro[, ]/);
});

test('a file bind onto a missing file creates it inside the root', { skip }, async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, 'hosts');
  fs.writeFileSync(src, 'from host\n');
  const b = bundle(dir, ['cat', '/etc/new/hosts'], [{ destination: '/etc/new/hosts', type: 'bind', source: src, options: ['bind', 'ro'] }]);
  const r = await runMonitor(b);
  assert.equal(r.code, 0, r.sync + r.out);
  assert.equal(r.out, 'from host\n');
  assert.ok(fs.statSync(path.join(b, 'rootfs/etc/new/hosts')).isFile());
});

test('rro keeps a sub-mount of the source read-only; plain ro does not (the top mount only)', { skip }, async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, 'src');
  hostTmpfs(path.join(src, 'sub'));
  const probe = 'touch /data/top 2>/dev/null && echo top-rw || echo top-ro; touch /data/sub/x 2>&1 && echo sub-rw || echo sub-ro';
  const rro = await runMonitor(bundle(dir, ['sh', '-c', probe], [{ destination: '/data', type: 'bind', source: src, options: ['rbind', 'rro'] }]));
  assert.equal(rro.code, 0, rro.sync + rro.out);
  assert.match(rro.out, /top-ro\n/);
  assert.match(rro.out, /Read-only file system\nsub-ro\n/, 'EROFS in the sub-mount with rro');
  const ro = await runMonitor(bundle(dir, ['sh', '-c', probe], [{ destination: '/data', type: 'bind', source: src, options: ['rbind', 'ro'] }]));
  assert.equal(ro.code, 0, ro.sync + ro.out);
  assert.equal(ro.out, 'top-ro\nsub-rw\n', 'plain ro: the sub-mount stays writable (runc semantics)');
  assert.ok(fs.existsSync(path.join(src, 'sub', 'x')));
});

test('rnoexec and rnosuid reach the sub-mount too', { skip }, async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, 'src');
  hostTmpfs(path.join(src, 'sub'));
  const r = await runMonitor(bundle(dir, ['sh', '-c', 'cat /proc/self/mountinfo'], [{ destination: '/data', type: 'bind', source: src, options: ['rbind', 'rnoexec', 'rnosuid'] }]));
  assert.equal(r.code, 0, r.sync + r.out);
  assert.match(mountLine(r.out, '/data/sub'), / rw,nosuid,\S*noexec/);
});

test('tmpfs with nosuid,nodev,noexec,size=64m,mode=1777: the options land', { skip }, async (t) => {
  const dir = tmpDir(t);
  const b = bundle(dir, ['sh', '-c', 'stat -c %a /t; cat /proc/self/mountinfo'], [
    { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=64m', 'mode=1777'] },
  ]);
  const r = await runMonitor(b);
  assert.equal(r.code, 0, r.sync + r.out);
  assert.match(r.out, /^1777\n/);
  const line = mountLine(r.out, '/t');
  assert.match(line, / \/t rw,nosuid,nodev,noexec/);
  assert.match(line, / - tmpfs tmpfs rw,size=65536k/);
});

test('a bad tmpfs option is one crun-like line with the kernel reason; nothing runs', { skip }, async (t) => {
  const dir = tmpDir(t);
  const r = await runMonitor(bundle(dir, ['true'], [{ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=64x'] }]));
  assert.equal(r.code, 1);
  assert.match(r.error, /^error mount EINVAL 22 \/t \(tmpfs\): size=64x: tmpfs: Bad value for 'size'$/);
});

test('a missing bind source: error mount ENOENT naming destination and source', { skip }, async (t) => {
  const dir = tmpDir(t);
  const r = await runMonitor(bundle(dir, ['true'], [{ destination: '/d', type: 'bind', source: path.join(dir, 'nope'), options: ['rbind'] }]));
  assert.equal(r.code, 1);
  assert.equal(r.error, `error mount ENOENT 2 /d (bind from ${path.join(dir, 'nope')})`);
});

test('propagation: shared and private on the attached bind', { skip }, async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  const r = await runMonitor(bundle(dir, ['cat', '/proc/self/mountinfo'], [
    { destination: '/s', type: 'bind', source: src, options: ['rbind', 'shared'] },
    { destination: '/p', type: 'bind', source: src, options: ['rbind', 'rprivate'] },
  ]));
  assert.equal(r.code, 0, r.sync + r.out);
  assert.match(mountLine(r.out, '/s'), / shared:\d+ /);
  assert.doesNotMatch(mountLine(r.out, '/p'), / (shared|master):\d+ /);
});

test('a host /dev/null that is not char 1:3 is never bound over a masked path', { skip }, async (t) => {
  const dir = tmpDir(t);
  const fake = path.join(dir, 'fake-null');
  fs.writeFileSync(fake, 'not null\n');
  const b = bundle(dir, ['true'], []);
  writeConfig(b, ['true'], [], { maskedPaths: ['/proc/kcore'] });
  // A private mount namespace of the test's own where /dev/null is a regular file.
  const r = await runMonitor(b, ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind ${fake} /dev/null && exec "$@"`, 'sh']);
  assert.equal(r.code, 1, r.sync + r.out);
  assert.equal(r.error, 'error maskedPaths ENODEV 19 /dev/null (not the null device)');
  const ok = await runMonitor(b);
  assert.equal(ok.code, 0, 'with the real /dev/null it starts: ' + ok.sync + ok.out);
});
