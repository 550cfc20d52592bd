// logs --since/--until: docker's time forms, applied before --tail (fake engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';
import { parseLogTime } from '../../src/cli/verbs/logs.js';

const now = new Date('2026-12-07T12:00:00Z');

test('parseLogTime: RFC 3339 (with or without zone or time), Unix seconds, durations before now; bad ones one line', () => {
  assert.equal(parseLogTime('2026-12-07T11:00:00Z', 'since', now), Date.parse('2026-12-07T11:00:00Z'));
  assert.equal(parseLogTime('2026-12-07T11:00:00.123456789+01:00', 'since', now), Date.parse('2026-12-07T10:00:00.123Z'));
  assert.equal(parseLogTime('2026-12-07T11:00:00', 'since', now), Date.parse('2026-12-07T11:00:00Z'));
  assert.equal(parseLogTime('2026-12-07', 'since', now), Date.parse('2026-12-07T00:00:00Z'));
  assert.equal(parseLogTime('1700000000', 'since', now), 1_700_000_000_000);
  assert.equal(parseLogTime('1700000000.5', 'since', now), 1_700_000_000_500);
  assert.equal(parseLogTime('10m', 'since', now), now.getTime() - 600_000);
  assert.equal(parseLogTime('1h30m', 'since', now), now.getTime() - 5_400_000);
  assert.equal(parseLogTime(undefined, 'since', now), undefined);
  assert.throws(() => parseLogTime('yesterday', 'until', now), /invalid value for "until": failed to parse value as time or duration: "yesterday"/);
});

test('logs --since/--until pick the lines in range, before --tail counts', async () => {
  const e = new FakeEngine();
  const r = await cli(['run', '-d', '--name', 'l', 'host', 'true'], e);
  const id = r.out.trim();
  e.logLines.set(id, ['2026-12-07T10:00:00.000000001Z', '2026-12-07T11:00:00.5Z', '2026-12-07T11:30:00Z', '2026-12-07T12:30:00Z'].map((time, i) => ({ time, stream: 'stdout' as const, full: true, text: `line ${i}` })));
  assert.equal((await cli(['logs', '--since', '2026-12-07T11:00:00Z', '--until', '2026-12-07T12:00:00Z', 'l'], e)).out, 'line 1\nline 2\n');
  assert.equal((await cli(['logs', '--since', '2026-12-07T11:00:00Z', '--tail', '1', 'l'], e)).out, 'line 3\n');
  const bad = await cli(['logs', '--since', 'soon', 'l'], e);
  assert.equal(bad.code, 125);
});
