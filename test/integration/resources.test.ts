// cgroup limits really hold: memory (with the OOM kill recorded), pids, cpu quota.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, runToEnd, cgroupChildren, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

test('memory limit is enforced and the OOM kill is recorded (137, oomKilled)', async () => {
  // The shell grows a variable well past 32 MiB; swap is limited to the same amount.
  const r = await runToEnd(sb.engine, ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived ${#x}'], { memory: 32 * 1024 * 1024 });
  assert.equal(r.exitCode, 137, r.out);
  assert.equal(r.oomKilled, true);
  assert.equal(r.info.oomKilled, true);
  assert.doesNotMatch(r.out, /survived/);
});

test('memory limit is visible in the container cgroup', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '30'], memory: 64 * 1024 * 1024 });
  const info = await sb.engine.start(c.id);
  try {
    const mem = info.cgroupPaths.memory;
    if (fs.existsSync(path.join(mem, 'memory.limit_in_bytes'))) {
      assert.equal(fs.readFileSync(path.join(mem, 'memory.limit_in_bytes'), 'utf8').trim(), String(64 * 1024 * 1024));
    } else {
      assert.equal(fs.readFileSync(path.join(mem, 'memory.max'), 'utf8').trim(), String(64 * 1024 * 1024));
    }
    const procs = fs.readFileSync(path.join(mem, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
    assert.ok(procs.includes(info.pid), 'the init is in the cgroup');
  } finally {
    await sb.engine.remove(c.id, { force: true });
  }
  assert.equal(cgroupChildren(sb.cgroupParent).filter((d) => d.endsWith(c.id)).length, 0, 'cgroup removed with the container');
});

test('pids limit is enforced', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 2 & done; wait; echo done'], { pidsLimit: 5 });
  assert.match(r.out, /fork|Resource temporarily unavailable/i, r.out);
});

test('cpu quota holds a busy loop near the limit', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sh', '-c', 'while :; do :; done'], cpus: 0.5 });
  const info = await sb.engine.start(c.id);
  try {
    const dir = info.cgroupPaths.cpuacct ?? info.cgroupPaths.cpu ?? info.cgroupPaths.unified;
    const read = () =>
      fs.existsSync(path.join(dir, 'cpuacct.usage'))
        ? Number(fs.readFileSync(path.join(dir, 'cpuacct.usage'), 'utf8')) / 1e9
        : Number(/usage_usec (\d+)/.exec(fs.readFileSync(path.join(dir, 'cpu.stat'), 'utf8'))![1]) / 1e6;
    await new Promise((r) => setTimeout(r, 300));
    const u0 = read();
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, 3000));
    const share = (read() - u0) / (Number(process.hrtime.bigint() - t0) / 1e9);
    assert.ok(share > 0.3 && share < 0.62, `busy loop used ${share.toFixed(2)} of a core with --cpus 0.5`);
  } finally {
    await sb.engine.remove(c.id, { force: true });
  }
});
