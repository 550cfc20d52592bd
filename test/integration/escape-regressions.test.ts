// Issue 14, escape regressions (runtime-anchors §4.1) that had no test yet; the others
// live in stdio-escape (fds, CVE-2024-21626), isolation (masked and read-only paths),
// native-mounts and native-mounts-hostile (the host /dev/null check, symlinked targets).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { sandbox, runToEnd, type Sandbox } from './helpers.js';
import { MONITOR, bundle, climbTo, runMonitor, skip, tmpDir, writeConfig } from './native-mounts-fixture.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

const none = { network: 'none' } as const;
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

test('CVE-2019-5736: pid 1 cannot write its /proc/self/exe; --init\'s binary is bound read-only and nosuid; the host binaries are unchanged', async () => {
  const monitor = sha(MONITOR);
  const sh = fs.realpathSync('/bin/sh');
  const shHash = sha(sh);
  const probe = '(echo x >> /proc/1/exe) 2>/dev/null && echo WROTE; (echo x >> /proc/self/exe) 2>/dev/null && echo WROTE; grep " /dev/init " /proc/self/mounts | cut -d" " -f4 | cut -d, -f1,2';
  const init = await runToEnd(sb.engine, ['sh', '-c', probe], { ...none, init: true });
  assert.equal(init.out.trim(), 'ro,nosuid');
  const plain = await runToEnd(sb.engine, ['sh', '-c', probe], none);
  assert.equal(plain.out.trim(), '');
  assert.equal(sha(MONITOR), monitor);
  assert.equal(sha(sh), shHash);
});

test('CVE-2024-21626: a working directory of /proc/self/fd/N never starts the command', { timeout: 60_000 }, async () => {
  for (let n = 3; n <= 8; n++) {
    const c = await sb.engine.create({ image: 'host', ...none, workdir: `/proc/self/fd/${n}`, cmd: ['sh', '-c', 'echo RAN; pwd'] });
    const err = await sb.engine.start(c.id).then(() => null, (e: Error) => e.message);
    if (err === null) {
      const r = await sb.engine.wait(c.id);
      assert.notEqual(r.exitCode, 0, `fd ${n}: the command ran`);
    } else {
      assert.match(err, /chdir|getcwd/, `fd ${n}: ${err}`);
    }
    await sb.engine.remove(c.id, { force: true });
  }
});

test('/proc/sysrq-trigger and /proc/sys are read-only, /proc/kcore and /sys/firmware masked', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', '(echo h > /proc/sysrq-trigger) 2>/dev/null && echo sysrq-written; (echo 1 > /proc/sys/vm/drop_caches) 2>/dev/null && echo sys-written; [ -e /proc/kcore ] && wc -c < /proc/kcore; ls -A /sys/firmware | wc -l'], none);
  const want = fs.existsSync('/proc/kcore') ? ['0', '0'] : ['0'];
  assert.deepEqual(r.out.trim().split('\n').map((s) => s.trim()), want);
});

test('CVE-2019-19921: procfs is never mounted on an image\'s /proc that is a symlink', { skip }, async (t) => {
  const dir = tmpDir(t);
  const b = bundle(dir, ['true'], [], (rootfs) => {
    fs.rmdirSync(path.join(rootfs, 'proc'));
    fs.mkdirSync(path.join(rootfs, 'elsewhere'));
    fs.symlinkSync('elsewhere', path.join(rootfs, 'proc'));
  });
  const r = await runMonitor(b);
  assert.equal(r.code, 1, r.sync + r.out);
  assert.match(r.error, /^error mount ELOOP 40 \/proc \(proc\)/);
  assert.deepEqual(fs.readdirSync(path.join(b, 'rootfs', 'elsewhere')), []);
});

test('CVE-2025-31133: an image /dev/null that is a symlink to a procfs file is refused, and that file is left as it was', { skip }, async (t) => {
  const dir = tmpDir(t);
  const target = '/proc/sys/kernel/core_pattern';
  const before = fs.readFileSync(target, 'utf8');
  const b = bundle(dir, ['sh', '-c', 'wc -c < /proc/keys; (echo "|/tmp/pwn" > /proc/keys) 2>/dev/null && echo WROTE; echo done'], [], (rootfs) => {
    fs.rmdirSync(path.join(rootfs, 'dev'));
    fs.mkdirSync(path.join(rootfs, 'dev'));
    fs.symlinkSync(climbTo(target), path.join(rootfs, 'dev', 'null'));
  });
  // no /dev tmpfs: the image's /dev (with its symlink) is what the container sees
  const config = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8'));
  writeConfig(b, config.process.args, [], { maskedPaths: ['/proc/keys'] });
  const c2 = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8'));
  c2.mounts = c2.mounts.filter((m: { destination: string }) => m.destination !== '/dev');
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(c2));
  // The mask is made from the host's checked /dev/null; the container's own, opened for
  // its stdin with O_NOFOLLOW and checked to be char 1:3, refuses the start.
  const r = await runMonitor(b);
  assert.equal(r.code, 1, r.sync + r.out);
  assert.equal(r.error, 'error stdio ELOOP 40 /dev/null');
  assert.doesNotMatch(r.out, /WROTE|done/);
  assert.equal(fs.readFileSync(target, 'utf8'), before);
});

test('CVE-2025-52565: an image /dev/console that is a symlink to a procfs file gets no console bound over it, and that file is left as it was', { skip }, async (t) => {
  const dir = tmpDir(t);
  const target = '/proc/sys/kernel/core_pattern';
  const before = fs.readFileSync(target, 'utf8');
  const b = bundle(dir, ['sh', '-c', 'echo "|/tmp/pwn" > /dev/console; echo done'], [], (rootfs) => {
    fs.rmdirSync(path.join(rootfs, 'dev'));
    fs.mkdirSync(path.join(rootfs, 'dev'));
    fs.symlinkSync(climbTo(target), path.join(rootfs, 'dev', 'console'));
    fs.mkdirSync(path.join(rootfs, 'dev', 'pts'));
  });
  // The image's own /dev (no tmpfs over it) with a devpts, and a terminal: the console is bound then.
  const c = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8'));
  c.mounts = c.mounts.filter((m: { destination: string }) => m.destination !== '/dev');
  c.mounts.push({ destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] });
  c.process.terminal = true;
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(c));
  const r = await runMonitor(b);
  assert.equal(r.code, 1, r.sync + r.out);
  assert.match(r.error, /^error console ELOOP 40 \/dev\/console/);
  assert.doesNotMatch(r.out, /done/);
  assert.equal(fs.readFileSync(target, 'utf8'), before, 'core_pattern untouched');
});
