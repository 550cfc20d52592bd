// The dashboard's terminal hangs up (the tmux pane killed, an ssh connection dropped):
// hutch exits 129, cleanly, instead of dying of SIGABRT in Node's own terminal reset
// at exit (issue 11 §7); containers are untouched. Its exit status is recorded by a
// small wrapper in the pane that ignores the hangup itself.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { HUTCH, sandbox } from '../integration/helpers.js';

if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('the dashboard e2e tests need tmux (apt-get install tmux)');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-hup-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a hangup ends the dashboard with status 129, no abort, and its containers keep running', async () => {
  const sb = await sandbox();
  const socket = `hutch-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  try {
    const run = sb.cli(['run', '-d', '--name', 'survivor', 'host', 'sleep', '1000']);
    assert.equal(run.status, 0, run.stderr);
    const status = path.join(dir, 'status');
    const stderr = path.join(dir, 'stderr');
    const wrapper = path.join(dir, 'wrap.cjs');
    fs.writeFileSync(
      wrapper,
      `const fs = require('fs');
process.on('SIGHUP', () => {});
const c = require('child_process').spawn(process.execPath, [${JSON.stringify(HUTCH)}], { stdio: ['inherit', 'inherit', fs.openSync(${JSON.stringify(stderr)}, 'w')] });
c.on('exit', (code, sig) => fs.writeFileSync(${JSON.stringify(status)}, code + ' ' + sig));
`,
    );
    const env = `env -u CI -u CONTINUOUS_INTEGRATION HUTCH_ROOT=${sb.root} HUTCH_CGROUP_PARENT=${sb.cgroupParent} XDG_CONFIG_HOME=${sb.root}/config`;
    tmux('new-session', '-d', '-s', 'dash', '-x', '120', '-y', '40', `${env} ${JSON.stringify(process.execPath)} ${JSON.stringify(wrapper)}`);
    const deadline = Date.now() + 20_000;
    while (!/survivor/.test(tmux('capture-pane', '-p', '-t', 'dash'))) {
      assert.ok(Date.now() < deadline, 'the dashboard drew its table');
      await new Promise((r) => setTimeout(r, 100));
    }
    tmux('kill-server');
    while (!fs.existsSync(status)) {
      assert.ok(Date.now() < deadline + 10_000, 'hutch ended after the hangup');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 50)); // the status file's one write
    assert.equal(fs.readFileSync(status, 'utf8'), '129 null', `stderr:\n${fs.readFileSync(stderr, 'utf8')}`);
    assert.doesNotMatch(fs.readFileSync(stderr, 'utf8'), /Assertion failed|ResetStdio/);
    assert.equal((await sb.engine.inspect('survivor')).status, 'running');
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    fs.rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
    await sb.cleanup();
  }
});
