// update's cgroup writes on each layout (a fake cgroupfs: this host has one layout
// only) and pause's choice of freezer file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CgIo } from '../../src/engine/cgroups/fs.js';
import type { CgroupFs } from '../../src/engine/cgroups/types.js';
import { applyToCgroup } from '../../src/engine/container/update.js';
import { freezerOf } from '../../src/engine/container/pause.js';

/** Records writes; every file exists and reads back what was written (or 'max'). */
function fakeFs(files: Record<string, string> = {}): CgroupFs & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    readFile: (p) => files[p] ?? 'max\n',
    writeFile(p, d) {
      writes.push(`${p}=${d}`);
      files[p] = d;
    },
    mkdir() {},
    rmdir() {},
    readdir: () => [],
    exists: () => true,
  };
}

test('update on v2: memory.max and memory.swap.max (swap alone), cpu.max, cpu.weight, pids.max', () => {
  const f = fakeFs();
  const ctx = { cgroups: { mode: 'v2' } } as never;
  applyToCgroup(ctx, { unified: '/cg/c1' }, { image: 'h', memory: 64 * 2 ** 20, memorySwap: 128 * 2 ** 20, cpus: 0.5, cpuShares: 1024, pidsLimit: 50 }, { memory: 1, memorySwap: 1, cpus: 1, cpuShares: 1, pidsLimit: 1 }, new CgIo(f));
  assert.deepEqual(f.writes, ['/cg/c1/memory.max=67108864', '/cg/c1/memory.swap.max=67108864', '/cg/c1/cpu.max=50000 100000', '/cg/c1/pids.max=50', '/cg/c1/cpu.weight=39']);
});

test('update on v1: only the limits given are written, each in its controller', () => {
  const f = fakeFs({ '/m/c1/memory.memsw.limit_in_bytes': '9223372036854771712\n' });
  const ctx = { cgroups: { mode: 'v1' } } as never;
  const paths = { memory: '/m/c1', cpu: '/c/c1', pids: '/p/c1' };
  applyToCgroup(ctx, paths, { image: 'h', memory: 2 ** 26, cpus: 2, pidsLimit: 10 }, { memory: 2 ** 26 }, new CgIo(f));
  assert.deepEqual(f.writes, ['/m/c1/memory.limit_in_bytes=67108864', '/m/c1/memory.memsw.limit_in_bytes=67108864']);
  f.writes.length = 0;
  applyToCgroup(ctx, paths, { image: 'h', cpuShares: 512 }, { cpuShares: 512, pidsLimit: -1 }, new CgIo(f));
  assert.deepEqual(f.writes, ['/c/c1/cpu.shares=512', '/p/c1/pids.max=max']);
});

test('pause: v1 freezer.state, else v2 cgroup.freeze with cgroup.events telling when it is frozen', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-freeze-'));
  try {
    assert.equal(freezerOf({ unified: dir }), null, 'no freezer file: none');
    fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '0');
    const v2 = freezerOf({ unified: dir })!;
    assert.deepEqual([v2.file, v2.frozen, v2.thawed, v2.state], [path.join(dir, 'cgroup.freeze'), '1', '0', path.join(dir, 'cgroup.events')]);
    assert.equal(v2.done('populated 1\nfrozen 0\n'), false);
    assert.equal(v2.done('populated 1\nfrozen 1\n'), true);
    fs.writeFileSync(path.join(dir, 'freezer.state'), 'THAWED');
    const v1 = freezerOf({ freezer: dir, unified: dir })!;
    assert.deepEqual([v1.file, v1.frozen, v1.thawed], [path.join(dir, 'freezer.state'), 'FROZEN', 'THAWED']);
    assert.equal(v1.done('FREEZING\n'), false);
    assert.equal(v1.done('FROZEN\n'), true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
