// --userns=auto: each container in a user namespace of its own, root inside being an
// unprivileged range of host ids; image layers, binds and volumes idmapped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, runToEnd, type Sandbox } from './helpers.js';
import { parseVolumeFlag } from '../../src/engine/volumes/parse.js';
import { poolPath } from '../../src/engine/security/userns.js';
import { openEngine } from '../../src/engine/index.js';

/** The pool's entries of one root (the pool is the machine's: the test runner's own). */
function poolOf(root: string): Array<{ id: string; base: number; size: number }> {
  const p = JSON.parse(fs.readFileSync(poolPath(), 'utf8')) as { ranges: Array<{ id: string; root?: string; base: number; size: number }> };
  return p.ranges.filter((r) => r.root === root);
}

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

/** The "0 BASE SIZE" line of a uid_map. */
function mapOf(out: string): { base: number; size: number } {
  const m = /^\s*0\s+(\d+)\s+(\d+)\s*$/m.exec(out);
  assert.ok(m, out);
  return { base: Number(m[1]), size: Number(m[2]) };
}

test('--userns=auto: uid_map 0 BASE 65536, root inside, image files owned by root inside', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id -u; ls -lnL /bin/sh | tr -s " " | cut -d" " -f3,4'], { userns: 'auto' });
  assert.equal(r.exitCode, 0, r.out);
  const lines = r.out.trim().split('\n');
  const { base, size } = mapOf(lines[0]);
  assert.deepEqual(mapOf(lines[1]), { base, size });
  assert.equal(size, 65536);
  assert.ok(base >= 100_000_000, r.out);
  assert.equal(lines[2], '0');
  assert.equal(lines[3], '0 0', r.out);
});

test('--userns=auto: each container gets its own range, recorded; rm frees it for the next one', async () => {
  for (const c of await sb.engine.list({ all: true })) await sb.engine.remove(c.id, { force: true });
  const a = await sb.engine.create({ image: 'host', cmd: ['true'], userns: 'auto' });
  const b = await sb.engine.create({ image: 'host', cmd: ['true'], userns: 'auto:size=1000' });
  const ra = JSON.parse(fs.readFileSync(path.join(a.bundle, 'state.json'), 'utf8')).idRange;
  const rb = JSON.parse(fs.readFileSync(path.join(b.bundle, 'state.json'), 'utf8')).idRange;
  assert.equal(ra.size, 65536);
  assert.equal(rb.size, 1000);
  assert.ok(ra.base + ra.size <= rb.base || rb.base + rb.size <= ra.base, `${JSON.stringify(ra)} ${JSON.stringify(rb)}`);
  const cfg = JSON.parse(fs.readFileSync(path.join(a.bundle, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.linux.uidMappings, [{ containerID: 0, hostID: ra.base, size: 65536 }]);
  assert.ok(cfg.linux.namespaces.some((n: { type: string }) => n.type === 'user'));
  // The mapped root owns the container's upper dir (the overlay's upper is not idmapped).
  assert.equal(fs.statSync(path.join(a.bundle, 'upper')).uid, ra.base);
  await sb.engine.remove(a.id);
  const c = await sb.engine.create({ image: 'host', cmd: ['true'], userns: 'auto' });
  assert.equal(JSON.parse(fs.readFileSync(path.join(c.bundle, 'state.json'), 'utf8')).idRange.base, ra.base, 'the freed range is reused');
  await sb.engine.remove(b.id);
  await sb.engine.remove(c.id);
  assert.deepEqual(poolOf(sb.root), []);
});

test('--userns=auto: two state roots share the machine\'s pool — never the same ids; a root deleted whole frees its ranges', async () => {
  const other = fs.mkdtempSync(path.join(path.dirname(sb.root), 'hutch-it-userns-'));
  try {
    const e2 = await openEngine({ root: other });
    const a = await sb.engine.create({ image: 'host', cmd: ['true'], userns: 'auto' });
    const b = await e2.create({ image: 'host', cmd: ['true'], userns: 'auto' });
    const ra = JSON.parse(fs.readFileSync(path.join(a.bundle, 'state.json'), 'utf8')).idRange;
    const rb = JSON.parse(fs.readFileSync(path.join(b.bundle, 'state.json'), 'utf8')).idRange;
    assert.ok(ra.base + ra.size <= rb.base || rb.base + rb.size <= ra.base, `${JSON.stringify(ra)} ${JSON.stringify(rb)}`);
    assert.equal(poolOf(other).length, 1);
    // The other root goes without an rm (its owner deleted the directory): the next
    // allocation finds its container gone and takes the range back.
    fs.rmSync(other, { recursive: true, force: true });
    const c = await sb.engine.create({ image: 'host', cmd: ['true'], userns: 'auto' });
    assert.deepEqual(poolOf(other), []);
    await sb.engine.remove(a.id);
    await sb.engine.remove(c.id);
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }
});

test('userns-remap=default in settings.json: every container shares the root\'s one range; --userns=host opts out; rm keeps it', async () => {
  const settings = path.join(sb.root, 'settings.json');
  fs.writeFileSync(settings, JSON.stringify({ 'userns-remap': 'default' }));
  try {
    const a = await runToEnd(sb.engine, ['cat', '/proc/self/uid_map'], {});
    const b = await runToEnd(sb.engine, ['cat', '/proc/self/uid_map'], {});
    assert.equal(a.exitCode, 0, a.out);
    const ma = mapOf(a.out);
    assert.deepEqual(mapOf(b.out), ma, 'the same range for both');
    assert.ok(ma.base >= 100_000_000 && ma.size === 65536, a.out);
    const h = await runToEnd(sb.engine, ['cat', '/proc/self/uid_map'], { userns: 'host' });
    assert.match(h.out, /^\s*0\s+0\s+4294967295\s*$/m);
    // Flags that need the host's user namespace are refused, naming the setting.
    await assert.rejects(sb.engine.create({ image: 'host', cmd: ['true'], privileged: true }), /^.*userns-remap cannot be combined with --privileged \(use --userns=host\)$/);
    for (const r of [a, b, h]) await sb.engine.remove(r.id);
    assert.deepEqual(poolOf(sb.root).map((r) => [r.id, r.base]), [['userns-remap', ma.base]], 'kept for the next container');
    // A settings file that is not right: one line naming it, nothing made.
    fs.writeFileSync(settings, JSON.stringify({ 'userns-remap': 'no such:user:x' }));
    await assert.rejects(sb.engine.create({ image: 'host', cmd: ['true'] }), (e: Error) => e.message.startsWith(`${settings}: invalid "userns-remap"`) && !e.message.includes('\n'));
    fs.writeFileSync(settings, JSON.stringify({ 'userns-remap': 'nosuchuser-hutch' }));
    await assert.rejects(sb.engine.create({ image: 'host', cmd: ['true'] }), /userns-remap: no range for "nosuchuser-hutch" in \/etc\/subuid/);
    assert.deepEqual(await sb.engine.list({ all: true }), []);
  } finally {
    fs.rmSync(settings, { force: true });
  }
});

test('--userns=auto with --oom-score-adj: as without a user namespace (a negative value is written by the monitor, from the host\'s namespace)', async () => {
  // Lowering the value needs CAP_SYS_RESOURCE in the host's namespace, which the
  // init in its own user namespace never has. Where hutch itself lacks it (some
  // sandboxes drop it), a negative value fails the same way with and without one.
  const capSysResource = (BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]}`) >> 24n) & 1n;
  const outcome = async (userns: string, oomScoreAdj: number) => {
    try {
      const r = await runToEnd(sb.engine, ['cat', '/proc/self/oom_score_adj'], { userns, oomScoreAdj });
      await sb.engine.remove(r.id);
      return r.out.trim();
    } catch (e) {
      for (const c of await sb.engine.list({ all: true })) await sb.engine.remove(c.id, { force: true });
      return (e as Error).message;
    }
  };
  assert.equal(await outcome('auto', 300), '300');
  const host = await outcome('host', -500);
  assert.equal(host, capSysResource ? '-500' : 'container setup failed: oom_score_adj -500: EACCES (Permission denied)');
  assert.equal(await outcome('auto', -500), host);
});

test('--userns=auto with -v …:idmap: the volume is idmapped, so root inside writes as the host\'s root', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'touch /data/made-inside && ls -ln /data/made-inside'], {
    userns: 'auto',
    mounts: [parseVolumeFlag('uvol-idmap:/data:idmap')],
  });
  assert.equal(r.exitCode, 0, r.out);
  assert.match(r.out, /^-\S+\s+1\s+0\s+0\s/m, 'root inside');
  const st = fs.statSync(path.join(sb.root, 'volumes', 'uvol-idmap', '_data', 'made-inside'));
  assert.equal(st.uid, 0, 'and root outside: the mount is idmapped');
  assert.equal(fs.statSync(path.join(sb.root, 'volumes', 'uvol-idmap', '_data')).uid, 0, 'an idmapped new volume is not chowned to the range');
  await sb.engine.remove(r.id);
});

test('bad --userns values and combinations: one line each, nothing made', async () => {
  for (const [userns, re, extra] of [
    ['auto:size=-1', /invalid --userns option "size=-1"/, {}],
    ['bogus', /invalid --userns "bogus"/, {}],
    ['auto', /cannot be combined with --network host/, { network: 'host' }],
    ['auto', /cannot be combined with --privileged/, { privileged: true }],
  ] as const) {
    await assert.rejects(sb.engine.create({ image: 'host', cmd: ['true'], userns, ...extra }), (e: Error) => re.test(e.message) && !e.message.includes('\n'));
  }
  assert.deepEqual(await sb.engine.list({ all: true }), []);
});

test('--userns=host (and no flag): no user namespace, as before', async () => {
  const r = await runToEnd(sb.engine, ['cat', '/proc/self/uid_map'], { userns: 'host' });
  assert.match(r.out, /^\s*0\s+0\s+4294967295\s*$/m);
  const cfg = JSON.parse(fs.readFileSync(path.join(r.info.bundle, 'config.json'), 'utf8'));
  assert.ok(!cfg.linux.namespaces.some((n: { type: string }) => n.type === 'user') && !cfg.linux.uidMappings);
});

test('--userns=auto: a file root creates in a named volume is owned by the mapped uid on the host', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'touch /data/made-inside && cat /proc/self/uid_map'], {
    userns: 'auto',
    mounts: [parseVolumeFlag('uvol:/data')],
  });
  assert.equal(r.exitCode, 0, r.out);
  const { base } = mapOf(r.out);
  const st = fs.statSync(path.join(sb.root, 'volumes', 'uvol', '_data', 'made-inside'));
  assert.equal(st.uid, base, 'root inside is the range base outside');
  assert.equal(st.gid, base);
  await sb.engine.remove(r.id);
});
