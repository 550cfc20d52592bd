// hutch events: docker's line, filters, --format, --since/--until (fake engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';
import { eventFilter, eventLine } from '../../src/cli/verbs/events.js';
import type { EngineEvent } from '../../src/engine/types.js';

const ev = (Type: EngineEvent['Type'], Action: string, ID: string, attrs: Record<string, string>, ms: number): EngineEvent => ({ Type, Action, Actor: { ID, Attributes: attrs }, scope: 'local', time: Math.floor(ms / 1000), timeNano: ms * 1e6 + 123 });
const t = Date.parse('2026-12-07T02:00:00Z');
const log = [
  ev('container', 'create', 'a'.repeat(64), { image: 'busybox', name: 'web' }, t),
  ev('container', 'die', 'a'.repeat(64), { image: 'busybox', name: 'web', exitCode: '3' }, t + 1000),
  ev('image', 'pull', 'docker.io/library/busybox:latest', { name: 'docker.io/library/busybox:latest' }, t + 2000),
  ev('network', 'create', 'n1', { name: 'app', type: 'bridge' }, t + 3000),
];

test('docker\'s event line', () => {
  assert.equal(eventLine(log[1]), `2026-12-07T02:00:01.000000000Z container die ${'a'.repeat(64)} (exitCode=3, image=busybox, name=web)`);
});

test('filters: same key OR, different keys AND; an unknown key is one line', () => {
  const names = (f: string[]) => log.filter(eventFilter(f)).map((e) => `${e.Type}/${e.Action}`);
  assert.deepEqual(names(['container=web']), ['container/create', 'container/die']);
  assert.deepEqual(names(['container=web', 'event=die']), ['container/die']);
  assert.deepEqual(names(['event=die', 'event=pull']), ['container/die', 'image/pull']);
  assert.deepEqual(names(['type=network']), ['network/create']);
  assert.deepEqual(names(['image=busybox']), ['container/create', 'container/die']);
  assert.throws(() => eventFilter(['nope=1']), /invalid filter 'nope=1'/);
});

test('events --since/--until prints the range and returns; --format', async () => {
  const e = new FakeEngine();
  e.eventLog = log;
  const r = await cli(['events', '--since', '2026-12-07T02:00:00.5Z', '--until', '2026-12-07T02:00:02.5Z'], e);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.trim().split('\n').map((l) => l.split(' ').slice(1, 3).join(' ')), ['container die', 'image pull']);
  const f = await cli(['events', '--since', '2026-12-07T02:00:00Z', '--until', '2026-12-07T02:00:05Z', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}', '--filter', 'type=container'], e);
  assert.equal(f.out, 'container create web\ncontainer die web\n');
  const bad = await cli(['events', '--filter', 'nope=1', '--until', '0s'], e);
  assert.equal(bad.code, 125);
});
