// docker stats' row formatting: docker's units (binary for memory, decimal for I/O).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binarySize, decimalSize, statsRow } from '../../src/cli/format/stats-row.js';
import { parseListFormat, renderList } from '../../src/cli/format/template/list.js';
import { STATS_HEADER, STATS_TABLE } from '../../src/cli/format/stats-row.js';
import type { ContainerInfo } from '../../src/engine/types.js';

test('sizes as docker prints them', () => {
  assert.equal(binarySize(0), '0B');
  assert.equal(binarySize(1536), '1.5KiB');
  assert.equal(binarySize(64 * 1024 * 1024), '64MiB');
  assert.equal(binarySize(7.7 * 1024 ** 3), '7.7GiB');
  assert.equal(decimalSize(648), '648B');
  assert.equal(decimalSize(1234), '1.23kB');
  assert.equal(decimalSize(5_000_000), '5MB');
});

test('a running container\'s row, a stopped one\'s, and the default table', () => {
  const c = { id: 'a'.repeat(64), name: 'web', status: 'running' } as ContainerInfo;
  const s = { id: c.id, time: 0, cpuPercent: 12.345, cpuLimitPercent: null, memUsage: 32 * 1024 * 1024, memLimit: 64 * 1024 * 1024, pids: 3, pidsLimit: null, blkRead: 4096, blkWrite: 0, netRx: 1234, netTx: 648 };
  const r = statsRow(c, s, 8 * 1024 ** 3);
  assert.deepEqual(r, { ID: 'aaaaaaaaaaaa', Container: 'aaaaaaaaaaaa', Name: 'web', CPUPerc: '12.35%', MemUsage: '32MiB / 64MiB', MemPerc: '50.00%', NetIO: '1.23kB / 648B', BlockIO: '4.1kB / 0B', PIDs: '3' });
  const stopped = statsRow({ ...c, name: 'old', status: 'exited' } as ContainerInfo, undefined, 8 * 1024 ** 3);
  assert.equal(stopped.CPUPerc, '--');
  const out = renderList(parseListFormat('', STATS_TABLE), [r, stopped], STATS_HEADER).split('\n');
  assert.match(out[0], /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
  assert.match(out[1], /^aaaaaaaaaaaa\s+web\s+12\.35%\s+32MiB \/ 64MiB\s+50\.00%\s+1\.23kB \/ 648B\s+4\.1kB \/ 0B\s+3$/);
  assert.equal(renderList(parseListFormat('{{.Name}}: {{.CPUPerc}}', STATS_TABLE), [r], STATS_HEADER), 'web: 12.35%\n');
});
