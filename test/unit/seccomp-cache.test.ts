// seccompFor: which program a request gets, compiled once per (profile, caps, kernel)
// and then read from the cache; bad profiles refused in one line with nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileCount, seccompFor } from '../../src/engine/security/seccomp/index.js';
import { cacheKey } from '../../src/engine/security/seccomp/cache.js';
import { DEFAULT_CAPS } from '../../src/engine/spec/defaults.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-seccomp-'));

test('the default profile compiles once per capability set; the second request is a cache hit', () => {
  const root = tmp();
  try {
    const before = compileCount();
    const a = seccompFor({ capabilities: DEFAULT_CAPS }, root);
    assert.equal(a.profile, 'default');
    assert.match(a.annotation!, new RegExp(`^${root}/seccomp/[0-9a-f]{64}\\.bpf$`));
    assert.equal(compileCount(), before + 1);
    const size = fs.statSync(a.annotation!).size;
    assert.ok(size > 0 && size % 8 === 0);
    const b = seccompFor({ capabilities: [...DEFAULT_CAPS].reverse() }, root);
    assert.equal(b.annotation, a.annotation);
    assert.equal(compileCount(), before + 1, 'no compile on a hit');
    const c = seccompFor({ capabilities: [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'] }, root);
    assert.notEqual(c.annotation, a.annotation);
    assert.equal(compileCount(), before + 2);
    assert.deepEqual(fs.readdirSync(path.join(root, 'seccomp')).length, 2, 'no temp file left');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the key holds every input: profile bytes, caps, kernel', () => {
  const t = { caps: ['CAP_KILL'], kernel: '6.1.0' };
  const k = cacheKey('{}', t);
  assert.notEqual(cacheKey('{ }', t), k);
  assert.notEqual(cacheKey('{}', { ...t, caps: [] }), k);
  assert.notEqual(cacheKey('{}', { ...t, kernel: '6.1.1' }), k);
  assert.equal(cacheKey('{}', { ...t, caps: ['cap_kill'] }), k);
});

test('unconfined and privileged get no filter; a custom profile is named by its path, with its flags', () => {
  const root = tmp();
  try {
    assert.deepEqual(seccompFor({ seccomp: 'unconfined' }, root), { profile: 'unconfined' });
    assert.deepEqual(seccompFor({ privileged: true }, root), { profile: 'unconfined' });
    const file = path.join(root, 'p.json');
    fs.writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_TSYNC'], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }));
    const c = seccompFor({ seccomp: file, capabilities: [] }, root);
    assert.equal(c.profile, file);
    assert.match(c.annotation!, /^log:\/.*\.bpf$/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a missing or bad profile: one line, nothing written', () => {
  const root = tmp();
  try {
    assert.throws(() => seccompFor({ seccomp: path.join(root, 'nope.json') }, root), /^InvalidArgument: opening seccomp profile \(.*nope\.json\) failed: ENOENT$/);
    const bad = path.join(root, 'bad.json');
    fs.writeFileSync(bad, '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_EXPLODE"}]}');
    assert.throws(() => seccompFor({ seccomp: bad }, root), (e: Error) => /unknown action "SCMP_ACT_EXPLODE"/.test(e.message) && !e.message.includes('\n'));
    assert.equal(fs.existsSync(path.join(root, 'seccomp')), false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
