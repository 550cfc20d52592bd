// Pure parts of the sampler: which files on v1/v2, network counters, the ring buffer; and its first sample over the fake addon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netTotals, statFiles } from '../../src/engine/stats/files.js';
import { Ring } from '../../src/engine/stats/ring.js';
import { Sampler, firstCpuPercent } from '../../src/engine/stats/sampler.js';
import { FakeNative } from '../../src/engine/native/fake.js';
import type { ContainerInfo, EngineApi } from '../../src/engine/types.js';

test('v2 paths map to cpu.stat, memory.current, memory.stat and io.stat', () => {
  const f = statFiles({ unified: '/sys/fs/cgroup/hutch/x' })!;
  assert.equal(f.cpu, '/sys/fs/cgroup/hutch/x/cpu.stat');
  assert.equal(f.cpuNs('usage_usec 1500\nuser_usec 1000\n'), 1_500_000);
  assert.equal(f.mem, '/sys/fs/cgroup/hutch/x/memory.current');
  assert.equal(f.inactiveKey, 'inactive_file');
  assert.equal(f.parseLimit('max\n'), null);
  assert.equal(f.parseLimit('67108864\n'), 67108864);
  assert.deepEqual(f.ioTotals('8:0 rbytes=100 wbytes=20 rios=1 wios=1\n8:16 rbytes=1 wbytes=2\n'), { read: 101, write: 22 });
});

test('v1 and hybrid paths use the per-controller hierarchies', () => {
  const f = statFiles({ memory: '/m/h/x', cpuacct: '/a/h/x', pids: '/p/h/x', blkio: '/b/h/x', unified: '/u/h/x' })!;
  assert.equal(f.cpu, '/a/h/x/cpuacct.usage');
  assert.equal(f.cpuNs('123456789\n'), 123456789);
  assert.equal(f.mem, '/m/h/x/memory.usage_in_bytes');
  assert.equal(f.inactiveKey, 'total_inactive_file');
  assert.equal(f.parseLimit('9223372036854771712\n'), null);
  assert.equal(f.pids, '/p/h/x/pids.current');
  assert.equal(statFiles({}), null);
});

test('network totals skip lo', () => {
  const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  999       9    0    0    0     0          0         0      999       9    0    0    0     0       0          0
  eth0: 1000      10    0    0    0     0          0         0      250       5    0    0    0     0       0          0
  eth1:   24       1    0    0    0     0          0         0        6       1    0    0    0     0       0          0
`;
  assert.deepEqual(netTotals(dev), { rx: 1024, tx: 256 });
});

test('ring buffer keeps the newest values in order', () => {
  const r = new Ring(3);
  for (const v of [1, 2, 3, 4, 5]) r.push(v);
  assert.deepEqual(r.toArray(), [3, 4, 5]);
  assert.equal(r.length, 3);
});

test('flatKeyed reads one key of memory.stat / cpu.stat, first line or later, missing as undefined', async () => {
  const { flatKeyed } = await import('../../src/engine/stats/files.js');
  const stat = 'anon 4096\nfile 8192\ninactive_file 1234\nactive_file 99\n';
  assert.equal(flatKeyed(stat, 'inactive_file'), 1234);
  assert.equal(flatKeyed(stat, 'anon'), 4096);
  assert.equal(flatKeyed(stat, 'file'), 8192); // not "inactive_file" or "active_file"
  assert.equal(flatKeyed(stat, 'active_file'), 99);
  assert.equal(flatKeyed(stat, 'shmem'), undefined);
  assert.equal(flatKeyed('total_inactive_file 7', 'total_inactive_file'), 7); // no final newline
  assert.equal(flatKeyed('', 'usage_usec'), undefined);
  assert.equal(flatKeyed('usage_usec x\n', 'usage_usec'), undefined);
});

test('ring tail: the newest n values, oldest first, across the wrap', () => {
  const r = new Ring(4);
  for (const v of [1, 2, 3, 4, 5, 6]) r.push(v);
  assert.deepEqual(r.tail(2), [5, 6]);
  assert.deepEqual(r.tail(10), [3, 4, 5, 6]);
  assert.deepEqual(r.tail(0), []);
  const a = r.toArray();
  assert.equal(r.toArray(), a, 'one copy until the next push');
  assert.ok(Object.isFrozen(a));
  r.push(7);
  assert.notEqual(r.toArray(), a);
  assert.deepEqual(r.toArray(), [4, 5, 6, 7]);
});

test('sampler: a container that just started shows its real CPU at its first sweep (its cgroup counted from 0 at start)', async () => {
  const native = new FakeNative();
  const now = Date.now();
  const cg = (dir: string, usec: number) => {
    native.files.set(`${dir}/cpu.stat`, `usage_usec ${usec}\nuser_usec ${usec}\n`);
    for (const f of ['memory.current', 'pids.current']) native.files.set(`${dir}/${f}`, '1\n');
    for (const f of ['memory.stat', 'io.stat']) native.files.set(`${dir}/${f}`, '');
  };
  // Busy for the 800 ms since it started: 0.8 s of CPU.
  cg('/cg/busy', 800_000);
  // Up for an hour, 10 minutes of CPU: its first sweep has nothing to compare with.
  cg('/cg/old', 600_000_000);
  const info = (name: string, startedAt: string) =>
    ({ id: name.padEnd(64, '0'), name, status: 'running', pid: 0, startedAt, cgroupPaths: { unified: `/cg/${name}` }, spec: {} }) as unknown as ContainerInfo;
  const list = [info('busy', new Date(now - 800).toISOString()), info('old', new Date(now - 3_600_000).toISOString())];
  const engine = { list: async () => list } as unknown as EngineApi;
  const s = new Sampler(engine, native);
  try {
    const m = await s.sweep();
    const busy = m.get(list[0].id)!.cpuPercent;
    assert.ok(busy > 80 && busy <= 100, `busy at ${busy.toFixed(1)} % on its first sweep`);
    assert.equal(m.get(list[1].id)!.cpuPercent, 0);
  } finally {
    s.stop();
  }
  assert.equal(firstCpuPercent(1e9, { startedAt: new Date(now - 2000).toISOString() }, now), 50);
  assert.equal(firstCpuPercent(1e9, { startedAt: '' }, now), 0);
  assert.equal(firstCpuPercent(1e6, { startedAt: new Date(now - 10).toISOString() }, now), 0);
});
