import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, retryDelay } from '../../src/engine/registry/backoff.js';

test('backoff doubles from the base up to the cap, jitter within the upper half', () => {
  const p = { attempts: 10, baseMs: 100, maxMs: 1000, maxRetryAfterMs: 5000 };
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => backoffDelay(r, p, () => 0)), [50, 100, 200, 400, 500, 500]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => backoffDelay(r, p, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffDelay(2, p, () => 0.5), 300);
  // The default schedule: 250 ms doubling to 8 s, five tries in all.
  assert.deepEqual([0, 1, 2, 3].map((r) => backoffDelay(r, DEFAULT_RETRY, () => 1)), [250, 500, 1000, 2000]);
  assert.equal(DEFAULT_RETRY.attempts, 5);
});

test('Retry-After: seconds or an HTTP date, honoured up to the cap', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Wed, 01 May 2024 10:00:07 GMT', now), 7000);
  assert.equal(parseRetryAfter('Wed, 01 May 2024 09:00:00 GMT', now), 0, 'a date in the past means now');
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
  const p = { attempts: 5, baseMs: 100, maxMs: 1000, maxRetryAfterMs: 5000 };
  assert.equal(retryDelay(0, '2', p, now, () => 1), 2000, 'server asks for more than the backoff');
  assert.equal(retryDelay(3, '0', p, now, () => 1), 800, 'backoff is the floor');
  assert.equal(retryDelay(0, '6', p, now, () => 1), undefined, 'longer than the cap: give up');
  assert.equal(retryDelay(1, null, p, now, () => 0), 100);
});

test('retryable statuses', () => {
  for (const s of [408, 429, 500, 502, 503, 504]) assert.ok(isRetryableStatus(s), String(s));
  for (const s of [200, 400, 401, 403, 404, 405, 416, 501]) assert.ok(!isRetryableStatus(s), String(s));
});
