// `stats --json`'s stream (engine/stats/stream.ts): the header, whole containers the
// first time, then only what changed, `gone` for the ones that went; the decoder merges
// it back and names a stream it cannot read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsStreamDecoder, StatsStreamEncoder, streamContainer, streamHost, STREAM_VERSION, type StreamContainer } from '../../src/engine/stats/stream.js';
import type { ContainerInfo } from '../../src/engine/types.js';
import type { ContainerSample } from '../../src/engine/stats/types.js';

const info = (p: Partial<ContainerInfo>): ContainerInfo =>
  ({ id: 'a'.repeat(64), name: 'web', image: 'nginx', command: [], created: '2026-12-07T01:00:00Z', startedAt: '2026-12-07T01:00:01Z', finishedAt: '', status: 'running', pid: 10, monitorPid: 9, exitCode: null, oomKilled: false, spec: { image: 'nginx' }, bundle: '/b', logPath: '/l', cgroupPaths: {}, ...p }) as ContainerInfo;
const sample = (p: Partial<ContainerSample> = {}): ContainerSample => ({ id: 'a'.repeat(64), time: 0, cpuPercent: 12.34, cpuLimitPercent: null, memUsage: 1000, memLimit: 4096, pids: 3, pidsLimit: null, blkRead: 1, blkWrite: 2, netRx: 3, netTx: 4, ...p });

test('the schema: every field of a container, docker\'s states, health, restarts, other engines', () => {
  const c = streamContainer(info({ restartCount: 2, healthcheck: { Test: ['CMD', 'true'], Interval: 1, Timeout: 1, StartPeriod: 0, StartInterval: 1, Retries: 3 }, health: { Status: 'healthy', FailingStreak: 0, Log: [] } }), sample());
  assert.deepEqual(c, {
    id: 'a'.repeat(64), name: 'web', image: 'nginx', state: 'running', exitCode: null, created: '2026-12-07T01:00:00Z', startedAt: '2026-12-07T01:00:01Z', finishedAt: '',
    health: 'healthy', restarts: 2, engine: null, network: '', ports: '', cpu: 12.3, mem: 1000, limit: 4096, pids: 3, netRx: 3, netTx: 4, blkRead: 1, blkWrite: 2,
  });
  assert.equal(streamContainer(info({ paused: true }), sample()).state, 'paused');
  assert.equal(streamContainer(info({ status: 'exited', restarting: true, exitCode: 1 }), undefined).state, 'restarting');
  const ex = streamContainer(info({ status: 'exited', exitCode: 3 }), sample());
  assert.deepEqual([ex.state, ex.exitCode, ex.cpu, ex.mem, ex.limit], ['exited', 3, 0, 0, null], 'an exited one has no figures');
  assert.equal(streamContainer(info({ engine: 'runc' }), sample()).engine, 'runc');
  assert.equal(streamContainer(info({ healthcheck: { Test: ['CMD', 'true'], Interval: 1, Timeout: 1, StartPeriod: 0, StartInterval: 1, Retries: 3 } }), sample()).health, 'starting');
  assert.deepEqual(streamHost({ time: 0, cpuPercent: 33.333, memUsed: 5, memTotal: 10, load: [1.234, 0.5, 0.019] }), { cpu: 33.3, mem: 5, memTotal: 10, load: [1.23, 0.5, 0.02] });
});

test('what changed only: a new container whole, a known one by id and its changed fields, gone ones by id; the decoder merges back', () => {
  const enc = new StatsStreamEncoder();
  const dec = new StatsStreamDecoder();
  const host = { cpu: 1, mem: 2, memTotal: 3, load: [0, 0, 0] as [number, number, number] };
  const head = enc.header({ hutch: '0.1.0', host: 'h', interval: 1000 });
  assert.deepEqual(JSON.parse(head), { stream: 'hutch-stats', version: STREAM_VERSION, hutch: '0.1.0', host: 'h', interval: 1000 });
  dec.push(head.trim());
  const a = streamContainer(info({}), sample());
  const b = streamContainer(info({ id: 'b'.repeat(64), name: 'db' }), sample());
  const lines = [enc.frame(1, host, [a, b]), enc.frame(2, host, [a, { ...b, cpu: 50, mem: 7 }]), enc.frame(3, host, [a, { ...b, cpu: 50, mem: 7 }]), enc.frame(4, host, [{ ...a, state: 'exited' }])];
  for (const l of lines) assert.ok(l.endsWith('\n') && !l.slice(0, -1).includes('\n'), 'one line each');
  const objs = lines.map((l) => JSON.parse(l));
  assert.equal(objs[0].containers.length, 2);
  assert.deepEqual(objs[0].containers.map((x: { n: number; id: string }) => [x.n, x.id]), [[1, 'a'.repeat(64)], [2, 'b'.repeat(64)]], 'whole, with a number');
  assert.deepEqual(objs[1].containers, [{ n: 2, cpu: 50, mem: 7 }], 'then by that number');
  assert.deepEqual(objs[2].containers, [], 'nothing changed: nothing sent');
  assert.equal(objs[2].gone, undefined);
  assert.deepEqual(objs[3].containers, [{ n: 1, state: 'exited' }]);
  assert.deepEqual(objs[3].gone, ['b'.repeat(64)]);
  for (const l of lines.slice(0, 3)) dec.push(l);
  assert.deepEqual(dec.containers.get('b'.repeat(64)), { ...b, cpu: 50, mem: 7 } as StreamContainer);
  dec.push(lines[3]);
  assert.deepEqual([...dec.containers.keys()], ['a'.repeat(64)]);
  assert.equal(dec.containers.get('a'.repeat(64))!.state, 'exited');
  assert.equal(dec.t, 4);
  // A change for a number never seen whole is a broken stream, said so.
  const lost = new StatsStreamDecoder();
  lost.push(head.trim());
  assert.throws(() => lost.push(lines[1]), /a change for container 2, never seen whole/);
  // A new container after one went gets a new number.
  const more = JSON.parse(enc.frame(5, host, [{ ...a, state: 'exited' }, b]));
  assert.equal(more.containers[0].n, 3);
  // A stream from another program, or another version, is named.
  assert.throws(() => new StatsStreamDecoder().push('{"hello":1}'), /not a hutch stats stream/);
  assert.throws(() => new StatsStreamDecoder().push('{"stream":"hutch-stats","version":0}'), /hutch stats stream version 0 \(this hutch reads 1\)/);
});

test('100 idle containers: a quiet interval is a few hundred bytes', () => {
  const enc = new StatsStreamEncoder();
  const host = { cpu: 1, mem: 2, memTotal: 3, load: [0, 0, 0] as [number, number, number] };
  const many = Array.from({ length: 100 }, (_, i) => streamContainer(info({ id: i.toString(16).padStart(64, '0'), name: `c${i}` }), sample({ cpuPercent: 0 })));
  assert.ok(enc.frame(1, host, many).length > 20_000);
  const quiet = enc.frame(2, host, many.map((c, i) => (i < 3 ? { ...c, cpu: 0.5 } : c)));
  assert.ok(quiet.length < 600, `${quiet.length} bytes`);
});
