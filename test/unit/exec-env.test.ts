// exec -t gives the command the caller's TERM (docker exec -t does), unless -e sets one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execEnv } from '../../src/engine/container/exec.js';

test('exec: with a tty the caller\'s TERM comes first; -e TERM wins; none without a tty', () => {
  assert.deepEqual(execEnv({ tty: true, env: ['A=1'] }, 'screen-256color'), ['TERM=screen-256color', 'A=1']);
  assert.deepEqual(execEnv({ tty: true }, undefined), ['TERM=xterm']);
  assert.deepEqual(execEnv({ tty: true, env: ['TERM=vt100'] }, 'xterm-256color'), ['TERM=vt100']);
  assert.deepEqual(execEnv({ tty: true, env: ['TERM'] }, 'xterm-256color'), ['TERM']);
  assert.deepEqual(execEnv({ tty: false, env: ['A=1'] }, 'xterm'), ['A=1']);
});
