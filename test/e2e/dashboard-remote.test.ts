// `hutch --host …` end to end in a real terminal (tmux, 80×24), the remote host reached
// through an ssh stand-in on PATH (test/integration/remote.test.ts's: it runs the
// remote command here with the host's own state root): the HOST column with rows of
// both machines, an unknown host in the status line, a shell hand-off into the remote
// container (`ssh -t … hutch exec -it`), stop on its row, q. `--host ''` is a usage error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HUTCH_THEN_STATUS, missing, sandboxEnv, withSandbox } from './tmux.js';
import { HUTCH } from '../integration/helpers.js';
import { SSH_STANDIN } from '../integration/remote-standin.js';
import { openEngine } from '../../src/engine/index.js';

const skip = missing('dashboard remote e2e');

test('--host: rows of both machines in 80×24, an unknown host named, a shell and stop on the remote row', { skip }, async () => {
  await withSandbox(async (tm, sb) => {
    const root2 = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-e2e-remote-'));
    const standin = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-ssh-standin-'));
    const engine2 = await openEngine({ root: root2 });
    try {
      fs.writeFileSync(path.join(standin, 'ssh'), SSH_STANDIN, { mode: 0o755 });
      fs.mkdirSync(path.join(standin, 'hosts'));
      fs.writeFileSync(path.join(standin, 'hosts', 'web-1'), root2);
      const near = await sb.engine.create({ image: 'host', name: 'near', network: 'none', cmd: ['sleep', '1000'] });
      await sb.engine.start(near.id);
      const far = await engine2.create({ image: 'host', name: 'far', network: 'none', cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1000 & wait'] });
      await engine2.start(far.id);
      tm.start({
        command: HUTCH_THEN_STATUS.replace(/(hutch\.cjs")/, '$1 --host web-1 --host nosuch'),
        env: { ...sandboxEnv(sb), PATH: `${standin}:${process.env.PATH}`, HUTCH_REMOTE_COMMAND: `${process.execPath} ${HUTCH}` },
        width: 80,
        height: 24,
      });
      const s = await tm.until('rows of both hosts', (x) => /NAME +HOST +STATE/.test(x) && /near +local +running/.test(x) && /far +web-1 +running/.test(x));
      assert.ok(s.split('\n').every((l) => Array.from(l).length <= 80));
      await tm.until('the unknown host in the status line', 'nosuch: ssh: Could not resolve hostname nosuch');

      // A shell in the remote container, through ssh -t: its hostname is its short id.
      // The filter (the status line may still show the unknown host's error over its own note).
      tm.keys('/');
      await tm.until('the filter prompt', 'filter: /');
      tm.type('far');
      tm.keys('Enter');
      await tm.until('far alone, selected', (x) => /› +far +web-1/.test(x) && !/near +local/.test(x));
      tm.keys('e');
      await tm.until('the shell banner', 'hutch: shell in far');
      tm.type('hostname');
      tm.keys('Enter');
      await tm.until('the remote container\'s hostname', new RegExp(`^${far.id.slice(0, 12)}$`, 'm'));
      tm.type('exit');
      tm.keys('Enter');
      await tm.until('the dashboard back', (x) => x.includes('shell in far exited') && /› +far +web-1/.test(x));

      // Stop on the remote row stops the remote container.
      tm.keys('a');
      tm.keys('x');
      await tm.until('the stop question', /[Ss]top far\? y\/N/);
      tm.keys('y');
      await tm.until('far stopped', /far +web-1 +exited/, 30_000);
      assert.equal((await engine2.inspect(far.id)).status, 'exited');
      assert.equal((await sb.engine.inspect(near.id)).status, 'running');
      tm.keys('q');
      await tm.until('hutch exited', 'hutch exited: 0');
    } finally {
      for (const c of await engine2.list({ all: true }).catch(() => [])) await engine2.remove(c.id, { force: true }).catch(() => {});
      await engine2.gc().catch(() => {});
      fs.rmSync(root2, { recursive: true, force: true });
      fs.rmSync(standin, { recursive: true, force: true });
    }
  });
});

test("--host '' is one usage line, exit 125, before anything opens", { skip }, () => {
  const r = spawnSync(process.execPath, [HUTCH, '--host', ''], { encoding: 'utf8' });
  assert.equal(r.status, 125);
  assert.equal(r.stderr, `hutch: invalid argument "" for "--host" flag: a host name cannot be empty (see 'hutch --help')\n`);
  assert.equal(r.stdout, '');
});
