// A state root's cgroup parent is its mark on the host (issue 9 §4): derived from
// the root unless HUTCH_CGROUP_PARENT says otherwise.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroupParentFor, resolvePaths } from '../../src/engine/paths.js';

const saved = { root: process.env.HUTCH_ROOT, parent: process.env.HUTCH_CGROUP_PARENT };
const tmps: string[] = [];
afterEach(() => {
  for (const [k, v] of [['HUTCH_ROOT', saved.root], ['HUTCH_CGROUP_PARENT', saved.parent]] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  while (tmps.length) fs.rmSync(tmps.pop()!, { recursive: true, force: true });
});

const sha12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

test('the default root keeps the parent hutch; any other root gets hutch-<12 hex of sha256(path)>', () => {
  assert.equal(cgroupParentFor('/var/lib/hutch'), 'hutch');
  assert.equal(cgroupParentFor('/var/lib/hutch/'), 'hutch');
  assert.equal(cgroupParentFor('/var/lib/../lib/hutch'), 'hutch');
  const a = cgroupParentFor('/nonexistent-hutch-x/A');
  assert.equal(a, `hutch-${sha12('/nonexistent-hutch-x/A')}`);
  assert.match(a, /^hutch-[0-9a-f]{12}$/);
  assert.notEqual(cgroupParentFor('/nonexistent-hutch-x/B'), a);
  assert.equal(cgroupParentFor('/nonexistent-hutch-x/A/'), a);
});

test('the documented shell spelling gives the same name', () => {
  const r = spawnSync('sh', ['-c', 'printf %s "$(realpath -m "$1")" | sha256sum | cut -c1-12', 'sh', '/nonexistent-hutch-x/./A'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(`hutch-${r.stdout.trim()}`, cgroupParentFor('/nonexistent-hutch-x/./A'));
});

test('symlinks are resolved, before and after the root exists', () => {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-paths-')));
  tmps.push(d);
  fs.mkdirSync(path.join(d, 'real'));
  fs.symlinkSync('real', path.join(d, 'link'));
  const before = cgroupParentFor(path.join(d, 'link', 'root'));
  assert.equal(before, cgroupParentFor(path.join(d, 'real', 'root')));
  fs.mkdirSync(path.join(d, 'real', 'root'));
  assert.equal(cgroupParentFor(path.join(d, 'link', 'root')), before);
  assert.equal(before, `hutch-${sha12(path.join(d, 'real', 'root'))}`);
});

test('resolvePaths: HUTCH_CGROUP_PARENT overrides, else the root decides', () => {
  delete process.env.HUTCH_CGROUP_PARENT;
  delete process.env.HUTCH_ROOT;
  assert.equal(resolvePaths().cgroupParent, 'hutch');
  assert.equal(resolvePaths('/nonexistent-hutch-x/A').cgroupParent, cgroupParentFor('/nonexistent-hutch-x/A'));
  process.env.HUTCH_ROOT = '/nonexistent-hutch-x/B';
  assert.equal(resolvePaths().cgroupParent, cgroupParentFor('/nonexistent-hutch-x/B'));
  process.env.HUTCH_CGROUP_PARENT = 'shared';
  assert.equal(resolvePaths().cgroupParent, 'shared');
  assert.equal(resolvePaths('/nonexistent-hutch-x/A').cgroupParent, 'shared');
});
