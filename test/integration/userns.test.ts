// --userns=auto: each container in a user namespace of its own, root inside being an
// unprivileged range of host ids; image layers, binds and volumes idmapped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, runToEnd, type Sandbox } from './helpers.js';
import { parseVolumeFlag } from '../../src/engine/volumes/parse.js';

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
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(sb.root, 'userns.json'), 'utf8')).ranges, []);
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
