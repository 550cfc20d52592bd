// hutch's `copyup` bind option (native/PROTOCOL.md, "Mounts"): an empty volume
// gets the image's tree at the destination (owners, modes with setuid bits,
// xattrs, mtimes, hardlinks, symlinks as links, fifos and device nodes), a
// non-empty one is never written (CVE-2020-1726), and a destination that is a
// symlink in the image is read inside the root. Root only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundle, climbTo, runMonitor, skip, tmpDir } from './native-mounts-fixture.js';

const HAVE_SETCAP = spawnSync('setcap', ['-v', 'cap_net_raw+ep', '/nonexistent']).error === undefined;
const PY = spawnSync('python3', ['-c', 'import os; os.setxattr']).status === 0;

function xattr(p: string, name: string, value?: string): string {
  const code = value === undefined ? `import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2]).decode())` : `import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())`;
  const r = spawnSync('python3', ['-c', code, p, name, ...(value === undefined ? [] : [value])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The image's /app: every kind of entry copy-up must keep. */
function makeApp(rootfs: string): void {
  const app = path.join(rootfs, 'app');
  fs.mkdirSync(path.join(app, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(app, 'a.txt'), 'image content\n');
  fs.chownSync(path.join(app, 'a.txt'), 1000, 1001);
  fs.chmodSync(path.join(app, 'a.txt'), 0o640);
  fs.utimesSync(path.join(app, 'a.txt'), 1_000_000_000, 1_000_000_000);
  fs.writeFileSync(path.join(app, 'suid'), '#!/bin/sh\n');
  fs.chmodSync(path.join(app, 'suid'), 0o4755);
  fs.writeFileSync(path.join(app, 'h1'), 'linked\n');
  fs.linkSync(path.join(app, 'h1'), path.join(app, 'sub', 'h2'));
  fs.writeFileSync(path.join(app, 'sub', 'deep'), 'deep\n');
  fs.chownSync(path.join(app, 'sub'), 7, 8);
  fs.chmodSync(path.join(app, 'sub'), 0o711);
  fs.symlinkSync('/etc/passwd', path.join(app, 'abs-link'));
  fs.symlinkSync(climbTo('/etc'), path.join(app, 'rel-link'));
  fs.lchownSync(path.join(app, 'abs-link'), 5, 6);
  assert.equal(spawnSync('mkfifo', ['-m', '0620', path.join(app, 'fifo')]).status, 0);
  assert.equal(spawnSync('mknod', ['-m', '0600', path.join(app, 'null'), 'c', '1', '3']).status, 0);
  fs.writeFileSync(path.join(app, 'capfile'), 'x');
  if (HAVE_SETCAP) assert.equal(spawnSync('setcap', ['cap_net_raw+ep', path.join(app, 'capfile')]).status, 0);
  if (PY) xattr(path.join(app, 'a.txt'), 'user.hutch', 'kept');
  fs.chownSync(app, 1234, 5678);
  fs.chmodSync(app, 0o750);
}

test('copyup into an empty volume keeps owners, modes, setuid, xattrs, mtimes, hardlinks, links, nodes', { skip }, async (t) => {
  const dir = tmpDir(t);
  const vol = path.join(dir, 'vol');
  fs.mkdirSync(vol, { mode: 0o755 });
  const b = bundle(dir, ['sh', '-c', 'cat /app/a.txt; echo new > /app/written'], [{ destination: '/app', type: 'bind', source: vol, options: ['rbind', 'copyup'] }], makeApp);
  const r = await runMonitor(b);
  assert.equal(r.code, 0, r.sync + r.out);
  assert.equal(r.out, 'image content\n');
  const st = (p: string): fs.Stats => fs.lstatSync(path.join(vol, p));
  assert.equal(st('.').mode & 0o7777, 0o750, 'the top directory mode goes to the volume');
  assert.deepEqual([st('.').uid, st('.').gid], [1234, 5678]);
  assert.deepEqual([st('a.txt').uid, st('a.txt').gid, st('a.txt').mode & 0o7777], [1000, 1001, 0o640]);
  assert.equal(st('a.txt').mtimeMs, 1_000_000_000_000);
  assert.equal(st('suid').mode & 0o7777, 0o4755, 'setuid kept');
  assert.deepEqual([st('sub').uid, st('sub').gid, st('sub').mode & 0o7777], [7, 8, 0o711]);
  assert.equal(st('h1').ino, st('sub/h2').ino, 'hardlink kept');
  assert.equal(st('h1').nlink, 2);
  assert.equal(fs.readFileSync(path.join(vol, 'sub', 'deep'), 'utf8'), 'deep\n');
  assert.equal(fs.readlinkSync(path.join(vol, 'abs-link')), '/etc/passwd', 'link text as is');
  assert.equal(fs.readlinkSync(path.join(vol, 'rel-link')), climbTo('/etc'));
  assert.deepEqual([st('abs-link').uid, st('abs-link').gid], [5, 6]);
  assert.ok(st('fifo').isFIFO());
  assert.equal(st('fifo').mode & 0o777, 0o620);
  assert.ok(st('null').isCharacterDevice());
  assert.equal(st('null').rdev, fs.statSync('/dev/null').rdev);
  if (HAVE_SETCAP) assert.match(spawnSync('getcap', [path.join(vol, 'capfile')], { encoding: 'utf8' }).stdout, /cap_net_raw[=+]ep/);
  if (PY) assert.equal(xattr(path.join(vol, 'a.txt'), 'user.hutch'), 'kept');
  assert.equal(fs.readFileSync(path.join(vol, 'written'), 'utf8'), 'new\n', 'the volume is what is mounted');

  // Again, with the image changed: the volume is no longer empty and stays as it is.
  fs.writeFileSync(path.join(b, 'rootfs', 'app', 'a.txt'), 'changed image\n');
  const again = await runMonitor(b);
  assert.equal(again.code, 0, again.sync + again.out);
  assert.equal(again.out, 'image content\n');
});

test('copyup into a non-empty volume writes nothing', { skip }, async (t) => {
  const dir = tmpDir(t);
  const vol = path.join(dir, 'vol');
  fs.mkdirSync(vol, { mode: 0o700 });
  fs.chmodSync(vol, 0o700);
  fs.writeFileSync(path.join(vol, 'keep'), 'user data\n');
  const b = bundle(dir, ['ls', '/app'], [{ destination: '/app', type: 'bind', source: vol, options: ['rbind', 'copyup'] }], makeApp);
  const r = await runMonitor(b);
  assert.equal(r.code, 0, r.sync + r.out);
  assert.equal(r.out, 'keep\n');
  assert.deepEqual(fs.readdirSync(vol), ['keep']);
  assert.equal(fs.statSync(vol).mode & 0o7777, 0o700);
  assert.equal(fs.statSync(vol).uid, 0);
});

test('copyup through a destination that is a symlink in the image reads inside the root', { skip }, async (t) => {
  const dir = tmpDir(t);
  const abs = path.join(dir, 'abs');
  const rel = path.join(dir, 'rel');
  const file = path.join(dir, 'file-target');
  for (const v of [abs, rel, file]) fs.mkdirSync(v);
  const b = bundle(
    dir,
    ['true'],
    [
      { destination: '/link-app', type: 'bind', source: abs, options: ['rbind', 'copyup'] },
      { destination: '/escape', type: 'bind', source: rel, options: ['rbind', 'copyup'] },
    ],
    (rootfs) => {
      makeApp(rootfs);
      fs.symlinkSync('/app', path.join(rootfs, 'link-app'));
      fs.symlinkSync(climbTo('/etc'), path.join(rootfs, 'escape'));
    },
  );
  const r = await runMonitor(b);
  assert.equal(r.code, 0, r.sync + r.out);
  assert.equal(fs.readFileSync(path.join(abs, 'a.txt'), 'utf8'), 'image content\n', '/link-app -> /app is the image\'s /app');
  assert.deepEqual(fs.readdirSync(rel), ['passwd'], 'the climbing link reads the image\'s /etc, not the host\'s');
  assert.equal(fs.readFileSync(path.join(rel, 'passwd'), 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');

  // A destination that is a file in the image: nothing is copied, and a
  // directory cannot cover a file (the kernel's EINVAL).
  const f = bundle(dir, ['true'], [{ destination: '/etc/passwd-link', type: 'bind', source: file, options: ['rbind', 'copyup'] }], (rootfs) =>
    fs.symlinkSync('passwd', path.join(rootfs, 'etc', 'passwd-link')),
  );
  const rf = await runMonitor(f);
  assert.equal(rf.error, `error mount EINVAL 22 /etc/passwd-link (bind from ${file})`);
  assert.deepEqual(fs.readdirSync(file), [], 'nothing copied');
});
