// CVE-2019-5736 (runc's): a container whose command is /proc/self/exe runs the host's
// hutch-monitor (the init is a clone of the monitor until it execs); the file must not
// be writable from there. The engine starts every monitor from a read-only bind mount
// of its binary (src/engine/native/sealed-monitor.ts): the kernel answers EROFS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers.js';
import { loadNative } from '../../src/engine/native/real.js';
import { sealedMonitorPath } from '../../src/engine/native/sealed-monitor.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

const erofs = (p: string) => {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return 'writable';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
};

test('the monitor runs from a read-only mount of its binary: /proc/PID/exe of it, and of a container that ran /proc/self/exe, is EROFS to write', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '30'], network: 'none' });
  const info = await sb.engine.start(c.id);
  const exe = fs.readlinkSync(`/proc/${info.monitorPid}/exe`);
  assert.notEqual(exe, loadNative().monitorPath, 'not the build directory\'s file');
  assert.equal(erofs(exe), 'EROFS');
  // Its process name is still the program's.
  assert.equal(fs.readFileSync(`/proc/${info.monitorPid}/comm`, 'utf8').trim(), 'hutch-monitor');
  assert.equal(erofs(`/proc/${info.monitorPid}/exe`), 'EROFS');
  // The container's init ran the monitor's image until its exec: what a /proc/self/exe
  // command would run is that same read-only file.
  const r = sb.cli(['run', '--rm', '--network', 'none', 'host', '/proc/self/exe']);
  assert.match(r.stderr, /hutch-monitor: unknown verb/, 'the command ran the monitor binary');
  await sb.engine.remove(c.id, { force: true });
});

test('a rebuilt binary gets a mount of its own; the old one is detached and its mount point removed; without mounts, the build\'s own path', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-sealed-'));
  const sealedDir = path.join(dir, 'sealed');
  const native = loadNative();
  t.after(() => {
    for (const f of fs.existsSync(sealedDir) ? fs.readdirSync(sealedDir) : []) {
      try {
        native.umount2(path.join(sealedDir, f, 'hutch-monitor'), native.constants.MNT_DETACH);
      } catch {
        /* not mounted */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const bin = path.join(dir, 'hutch-monitor');
  fs.copyFileSync(native.monitorPath, bin);
  const fake = { ...native, monitorPath: bin };
  const first = sealedMonitorPath(fake, sealedDir);
  assert.ok(first.startsWith(`${sealedDir}/hutch-monitor.`) && path.basename(first) === 'hutch-monitor', first);
  assert.equal(erofs(first), 'EROFS');
  assert.equal(sealedMonitorPath(fake, sealedDir), first, 'the same build: the same mount');
  // A new build: a new file (inode) in its place.
  fs.rmSync(bin);
  fs.copyFileSync(native.monitorPath, bin);
  const second = sealedMonitorPath(fake, sealedDir);
  assert.notEqual(second, first);
  assert.deepEqual(fs.readdirSync(sealedDir), [path.basename(path.dirname(second))]);
  // Another checkout's binary (another path) keeps its own mount beside ours.
  const other = path.join(dir, 'other', 'hutch-monitor');
  fs.mkdirSync(path.dirname(other));
  fs.copyFileSync(native.monitorPath, other);
  const theirs = sealedMonitorPath({ ...native, monitorPath: other }, sealedDir);
  assert.notEqual(theirs, second);
  assert.equal(sealedMonitorPath(fake, sealedDir), second, 'ours is still there');
  assert.deepEqual(fs.readdirSync(sealedDir).sort(), [path.basename(path.dirname(second)), path.basename(path.dirname(theirs))].sort());
  assert.equal(erofs(theirs), 'EROFS');
  // Mounts refused (not root, say): the binary's own path, not an error.
  const noMount = { ...fake, mount: () => { throw Object.assign(new Error('EPERM'), { code: 'EPERM' }); } };
  fs.rmSync(bin);
  fs.copyFileSync(native.monitorPath, bin);
  assert.equal(sealedMonitorPath(noMount, sealedDir), bin);
  assert.deepEqual(fs.readdirSync(sealedDir).sort(), [path.basename(path.dirname(second)), path.basename(path.dirname(theirs))].sort(), 'no mount point left behind');
});
