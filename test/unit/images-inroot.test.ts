// readInRoot opens nothing but a regular file: an image's /etc/passwd that is a FIFO
// or a device node (5:1 would be the host's console) reads as absent without being
// opened, and a regular file is opened without following, waiting or taking a
// controlling terminal.
import { test, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readInRoot } from '../../src/engine/images/inroot.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-inroot-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('a FIFO or a device node as /etc/passwd is never opened; a regular file is, with O_NOFOLLOW|O_NOCTTY|O_NONBLOCK', () => {
  fs.mkdirSync(path.join(root, 'etc'));
  assert.equal(spawnSync('mkfifo', [path.join(root, 'etc', 'passwd')]).status, 0);
  // A harmless device (1:3, null) stands for the console here.
  assert.equal(spawnSync('mknod', [path.join(root, 'etc', 'group'), 'c', '1', '3']).status, 0, 'mknod (root)');
  fs.symlinkSync('/etc/passwd', path.join(root, 'etc', 'via-link'));
  fs.writeFileSync(path.join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  const open = mock.method(fs, 'openSync');
  try {
    assert.equal(readInRoot(root, '/etc/passwd'), null);
    assert.equal(readInRoot(root, '/etc/group'), null);
    assert.equal(readInRoot(root, '/etc/via-link'), null);
    assert.deepEqual(open.mock.calls.map((c) => c.arguments[0]), [], 'nothing opened');
    assert.equal(readInRoot(root, '/etc/hosts'), '127.0.0.1 localhost\n');
    assert.equal(open.mock.callCount(), 1);
    const [p, flags] = open.mock.calls[0].arguments as [string, number];
    assert.equal(p, path.join(root, 'etc', 'hosts'));
    const k = fs.constants;
    assert.equal(flags & (k.O_NOFOLLOW | k.O_NOCTTY | k.O_NONBLOCK), k.O_NOFOLLOW | k.O_NOCTTY | k.O_NONBLOCK);
    assert.equal(flags & 3, k.O_RDONLY, 'read-only (O_ACCMODE)');
  } finally {
    open.mock.restore();
  }
});
