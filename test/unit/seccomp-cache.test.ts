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

test('pruneCache: removes programs nobody names and nobody used for a while; a hit marks one used', async () => {
  const { pruneCache, PRUNE_AGE_MS, cacheDir } = await import('../../src/engine/security/seccomp/cache.js');
  const root = tmp();
  try {
    const used = seccompFor({ capabilities: DEFAULT_CAPS }, root).annotation!;
    const usedFile = used.slice(used.indexOf('/'));
    const other = seccompFor({ capabilities: [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'] }, root).annotation!;
    const otherFile = other.slice(other.indexOf('/'));
    const old = new Date(Date.now() - 2 * PRUNE_AGE_MS);
    for (const f of [usedFile, otherFile]) fs.utimesSync(f, old, old);
    // Fresh programs are kept even when unreferenced (a create may be about to name them).
    assert.deepEqual(pruneCache(root, new Set(), old.getTime() + 1000), []);
    // A cache hit now makes the other one recent again.
    seccompFor({ capabilities: [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'] }, root);
    assert.deepEqual(pruneCache(root, new Set()), [path.basename(usedFile)]);
    assert.deepEqual(fs.readdirSync(cacheDir(root)), [path.basename(otherFile)]);
    fs.utimesSync(otherFile, old, old);
    assert.deepEqual(pruneCache(root, new Set([otherFile])), [], 'a program a bundle names stays');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
