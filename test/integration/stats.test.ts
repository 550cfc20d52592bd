// The stats sampler against real containers: CPU from the cgroup's counter, memory
// and its limit, pids, history, and containers coming and going between sweeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox, type Sandbox } from './helpers.js';
import { Sampler } from '../../src/engine/stats/sampler.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

test('sampler reads cpu, memory, pids and keeps history; follows containers coming and going', async () => {
  const busy = await sb.engine.create({ image: 'host', name: 'busy', cmd: ['sh', '-c', 'while :; do :; done'] });
  const idle = await sb.engine.create({ image: 'host', name: 'idle', cmd: ['sleep', '60'], memory: 64 * 1024 * 1024, pidsLimit: 20 });
  await sb.engine.start(busy.id);
  await sb.engine.start(idle.id);
  const s = new Sampler(sb.engine);
  try {
    await s.sweep();
    await new Promise((r) => setTimeout(r, 1000));
    const m = await s.sweep();
    const b = m.get(busy.id)!;
    const i = m.get(idle.id)!;
    assert.ok(b.cpuPercent > 50, `busy loop at ${b.cpuPercent.toFixed(1)} %`);
    assert.ok(i.cpuPercent < 10, `idle at ${i.cpuPercent.toFixed(1)} %`);
    assert.equal(i.memLimit, 64 * 1024 * 1024);
    assert.equal(b.memLimit, null);
    assert.equal(i.pidsLimit, 20);
    assert.ok(i.pids >= 1 && b.pids >= 1);
    assert.ok(i.memUsage > 0);
    assert.equal(s.history(busy.id).cpu.length, 2);
    await sb.engine.remove(busy.id, { force: true });
    const m2 = await s.sweep();
    assert.ok(!m2.has(busy.id), 'a removed container is dropped');
    assert.ok(m2.has(idle.id));
    assert.deepEqual(s.history(busy.id).cpu, []);
  } finally {
    s.stop();
  }
});

test('top lists every process of the container from its cgroup; runtimeConfig reads config.json', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sh', '-c', 'sleep 60 & sleep 61; wait'] });
  const info = await sb.engine.start(c.id);
  try {
    // Until the shell's two children have exec'd their sleeps (a process caught in
    // execve can show an empty rss for an instant on a loaded machine).
    const settled = (ps: typeof procs) => ps.length >= 3 && ps.every((p) => p.rss > 0) && ps.filter((p) => p.cmd.startsWith('sleep')).length === 2;
    let procs = await sb.engine.top(c.id);
    for (let i = 0; i < 250 && !settled(procs); i++) {
      await new Promise((r) => setTimeout(r, 20));
      procs = await sb.engine.top(c.id);
    }
    assert.deepEqual(procs.map((p) => p.cmd).sort(), ['sh -c sleep 60 & sleep 61; wait', 'sleep 60', 'sleep 61']);
    assert.ok(procs.some((p) => p.pid === info.pid));
    assert.ok(procs.every((p) => p.rss > 0 && p.state.length === 1));
    const rc = await sb.engine.runtimeConfig(c.id);
    assert.equal(rc.hostname, c.id.slice(0, 12));
    assert.ok(rc.mounts.some((m) => m.destination === '/proc' && m.type === 'proc'));
    assert.ok(rc.mounts.some((m) => m.destination === '/usr' && m.readonly));
  } finally {
    await sb.engine.remove(c.id, { force: true });
  }
  assert.deepEqual(await sb.engine.top(c.id).catch((e: Error) => e.message), `No such container: ${c.id}`);
});
