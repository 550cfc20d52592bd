// /proc parsing shared by liveness checks (pid + start time) and the process list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStat, procStartTime, isAlive } from '../../src/engine/proc.js';

test('/proc/PID/stat with spaces and parentheses in the command', () => {
  const s = parseStat('42 (my (odd) cmd) S 1 42 42 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 1 0 100 1000000 256 18446744073709551615');
  assert.deepEqual(s, { comm: 'my (odd) cmd', state: 'S', ppid: 1, utime: 150, stime: 50, starttime: 100, rss: 256 });
});

test('procStartTime names this process for good; a gone pid is null', () => {
  const st = procStartTime(process.pid);
  assert.ok(st !== null && st > 0);
  assert.equal(isAlive(process.pid, st!), true);
  assert.equal(isAlive(process.pid, st! + 1), false);
  assert.equal(procStartTime(2 ** 22 + 1), null);
});
