// scripts/system-packages.mjs: the one list of Debian packages, installed with apt as
// root, or one line saying what to install — checked with a fake dpkg-query and
// apt-get first on PATH, so the machine's packages are never touched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PACKAGES } from '../../scripts/system-packages.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-pkgs-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.chmodSync(dir, 0o755);
// A copy another uid can read wherever the checkout is (it needs nothing beside it).
const SCRIPT = path.join(dir, 'system-packages.mjs');
fs.copyFileSync(path.resolve(import.meta.dirname, '../../scripts/system-packages.mjs'), SCRIPT);

// dpkg-query: a package is installed when apt-get (below) recorded it in $DIR/installed.
fs.writeFileSync(
  path.join(dir, 'dpkg-query'),
  `#!/bin/sh\nshift 2\nfor p in "$@"; do if grep -qx "$p" ${dir}/installed 2>/dev/null; then echo "$p installed"; else echo "$p not-installed"; fi; done\n`,
  { mode: 0o755 },
);
fs.writeFileSync(
  path.join(dir, 'apt-get'),
  `#!/bin/sh\necho "$*" >> ${dir}/apt-calls\n[ "$1" = install ] && { shift 3; for p in "$@"; do echo "$p" >> ${dir}/installed; done; }\nexit 0\n`,
  { mode: 0o755 },
);
const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };

test('as root, the missing packages are installed with apt-get, said in one line', () => {
  fs.rmSync(path.join(dir, 'installed'), { force: true });
  fs.writeFileSync(path.join(dir, 'installed'), 'tmux\n');
  const r = spawnSync(process.execPath, [SCRIPT, 'test'], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0], /^test: installing .*busybox-static.* with apt-get$/);
  assert.doesNotMatch(lines[0], /\btmux\b/, 'what is there is not installed again');
  const calls = fs.readFileSync(path.join(dir, 'apt-calls'), 'utf8').trim().split('\n');
  assert.equal(calls[0], 'update');
  assert.match(calls[1], /^install -y --no-install-recommends .*podman/);
  const again = spawnSync(process.execPath, [SCRIPT, 'test'], { env, encoding: 'utf8' });
  assert.equal(again.status, 0);
  assert.equal(again.stdout, '', 'nothing to do, nothing said');
});

test('not root: one line naming the packages and the command, and a failure before anything runs', () => {
  fs.rmSync(path.join(dir, 'installed'), { force: true });
  fs.rmSync(path.join(dir, 'apt-calls'), { force: true });
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, SCRIPT, 'bench'], { env, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  const bench = Object.keys(PACKAGES.bench).join(' ');
  assert.ok(bench.includes('crun'), 'the bench list names its peers');
  assert.equal(lines[0], `bench: missing Debian packages: ${bench}; install them as root: apt-get install -y --no-install-recommends ${bench}`);
  assert.ok(!fs.existsSync(path.join(dir, 'apt-calls')), 'apt-get not run');
});
