// Hostile images against hutch-monitor's mount targets (research
// runtime-anchors §4.1: CVE-2021-30465, CVE-2024-45310): a target that is an
// absolute, a relative or a chained symlink in the image, and a target a helper
// keeps swapping between a directory and symlinks while 50 containers start.
// Binds must land inside the root: a sentinel tree outside it is hashed before
// and after, and nothing appears on the host. Root only.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundle, climbTo, runMonitor, skip, tmpDir, treeHash, type RunResult } from './native-mounts-fixture.js';

/**
 * Both tests' setting, in a temporary directory: outside, a small tree standing for the
 * host with a file a bind could overwrite, and its hash before the test; src, a
 * directory to bind (holding `marker`), and srcFile, a file to bind.
 */
function setting(t: TestContext): { dir: string; outside: string; before: string; src: string; srcFile: string } {
  const dir = tmpDir(t);
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(path.join(outside, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret'), 'host secret\n');
  fs.writeFileSync(path.join(outside, 'etc', 'passwd'), 'host passwd\n');
  const before = treeHash(outside);
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'marker'), 'volume\n');
  const srcFile = path.join(dir, 'file');
  fs.writeFileSync(srcFile, 'bound file\n');
  return { dir, outside, before, src, srcFile };
}

test('bind targets through absolute, relative and chained symlinks land inside the root', { skip }, async (t) => {
  const { dir, outside, before, src, srcFile } = setting(t);
  const probe = `hutch-probe-${randomBytes(4).toString('hex')}`;
  const b = bundle(
    dir,
    ['sh', '-c', `cat /data/${probe}/marker /x/p/marker /c1/p/marker /f`],
    [
      { destination: `/data/${probe}`, type: 'bind', source: src, options: ['rbind'] },
      { destination: '/x/p', type: 'bind', source: src, options: ['rbind'] },
      { destination: '/c1/p', type: 'bind', source: src, options: ['rbind'] },
      { destination: '/f', type: 'bind', source: srcFile, options: ['bind'] },
    ],
    (rootfs) => {
      fs.symlinkSync('/', path.join(rootfs, 'data'));
      fs.symlinkSync(climbTo(outside), path.join(rootfs, 'x'));
      fs.symlinkSync('c2/../c3', path.join(rootfs, 'c1'));
      fs.mkdirSync(path.join(rootfs, 'c2'));
      fs.symlinkSync('/x', path.join(rootfs, 'c3'));
      fs.symlinkSync(climbTo(path.join(outside, 'secret')), path.join(rootfs, 'f'));
    },
  );
  const r = await runMonitor(b);
  assert.equal(r.code, 0, r.sync + r.out);
  assert.equal(r.out, 'volume\nvolume\nvolume\nbound file\n');
  assert.ok(!fs.existsSync(`/${probe}`), 'nothing made at the host root');
  assert.equal(treeHash(outside), before, 'the tree outside the root is unchanged');
  const inside = path.join(b, 'rootfs', outside);
  assert.ok(fs.statSync(path.join(inside, 'p')).isDirectory(), 'the relative escape resolved inside the root');
  assert.ok(fs.statSync(path.join(inside, 'secret')).isFile(), 'the file target was created inside the root');
  assert.ok(fs.statSync(path.join(b, 'rootfs', probe)).isDirectory(), '/data -> / resolved to the container root');
});

// The helper: renames a directory and symlinks (to /, absolute to the
// sentinel, relative climbing to it) in and out of VOL/t as fast as it can; when
// a monitor made VOL/t itself, that one is removed so the swapping goes on.
const RACER = `
const fs = require('fs'), path = require('path');
const [vol, outside] = process.argv.slice(1);
const t = path.join(vol, 't');
const names = { real: null, lnk: '/', abs: outside, rel: '../'.repeat(16) + outside.slice(1) };
for (;;) {
  for (const [n, link] of Object.entries(names)) {
    const p = path.join(vol, n);
    try { if (link === null) fs.mkdirSync(p); else fs.symlinkSync(link, p); } catch {}
    try { fs.renameSync(p, t); } catch { try { fs.rmSync(t, { recursive: true, force: true }); } catch {} }
    try { fs.renameSync(t, p); } catch {}
  }
}`;

test('symlink swap race: 50 containers bind onto a path being swapped; 0 escapes', { skip, timeout: 180_000 }, async (t) => {
  const { dir, outside, before, src, srcFile } = setting(t);
  const probe = `hutch-race-${randomBytes(4).toString('hex')}`;
  const b = bundle(
    dir,
    ['true'],
    [
      { destination: `/vol/t/${probe}`, type: 'bind', source: src, options: ['rbind'] },
      { destination: `/vol/t/${probe}-file`, type: 'bind', source: srcFile, options: ['bind'] },
      { destination: `/vol/t/etc/passwd`, type: 'bind', source: srcFile, options: ['bind'] },
    ],
    (rootfs) => fs.mkdirSync(path.join(rootfs, 'vol')),
  );
  const racer = spawn(process.execPath, ['-e', RACER, path.join(b, 'rootfs', 'vol'), outside], { stdio: 'ignore' });
  t.after(() => {
    if (racer.exitCode === null && racer.signalCode === null) racer.kill('SIGKILL');
  });
  const results: RunResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < 50) {
      next++;
      results.push(await runMonitor(b));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  racer.kill('SIGKILL');
  const started = results.filter((r) => r.code === 0).length;
  for (const r of results.filter((x) => x.code !== 0)) assert.match(r.error, /^error mount E[A-Z]+ \d+ \/vol\/t\//, 'a failure is a mount error: ' + r.sync + r.out);
  const errnos = [...new Set(results.filter((x) => x.code !== 0).map((x) => x.error.split(' ')[2]))].join(' ');
  t.diagnostic(`${started} of 50 started while the target was being swapped; the others refused with ${errnos || 'nothing'}`);
  assert.equal(results.length, 50);
  assert.equal(treeHash(outside), before, 'the tree outside the root is unchanged');
  for (const p of [`/${probe}`, `/${probe}-file`]) assert.ok(!fs.existsSync(p), `${p} not made on the host`);
  assert.equal(fs.readFileSync(path.join(outside, 'etc', 'passwd'), 'utf8'), 'host passwd\n');
});
