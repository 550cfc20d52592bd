// A build in the images view end to end: `node bin/hutch.cjs` in tmux (80×24) on a
// sandbox root, and builds "started" by this test the way `hutch build` starts
// them: a BuildStatusWriter of this process (a live pid), and a status file for a
// `sleep` the test spawns. The dashboard polls them in: rows appear, follow the
// steps, and go when the writer closes or the sleep is killed (its stale file then
// removed by the dashboard's reading). Own tmux server, state root and processes,
// all removed at the end. Needs root, tmux, a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { resolvePaths } from '../../src/engine/paths.js';
import { procStartTime } from '../../src/engine/proc.js';
import { BuildStatusWriter, buildsDir } from '../../src/engine/build/status.js';
import { HUTCH_THEN_STATUS, missing, sandboxEnv, withSandbox } from './tmux.js';

const skip = missing('dashboard building e2e');

test('images view: a build started elsewhere shows as building, follows its steps, and goes when it ends or dies', { skip, timeout: 90_000 }, async () => {
  await withSandbox(async (tm, sb) => {
    const paths = resolvePaths(sb.root);
    let writer: BuildStatusWriter | undefined;
    const sleep = spawn('sleep', ['600'], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => sleep.once('exit', () => r()));
    try {
      await new Promise<void>((r, j) => sleep.once('spawn', r).once('error', j));
      tm.start({ command: HUTCH_THEN_STATUS, env: sandboxEnv(sb), width: 80, height: 24 });
      await tm.until('the dashboard', /No containers yet\./);
      tm.keys('i');
      await tm.until('the images view', /REPOSITORY +TAG +IMAGE ID/);

      writer = new BuildStatusWriter(paths, { tags: ['e2e/app:1'], context: '/nonexistent/ctx', dockerfile: 'Dockerfile', step: 1, steps: 3, current: 'FROM host' });
      assert.equal(writer.problem, undefined);
      await tm.until('the building row', /^● e2e\/app +1 +building \[1\/3\] FROM host +\d+s$/m);
      assert.match(tm.screen(), /Images {2}1 image · 0 in use · 1 building/);

      writer.update({ step: 2, current: 'RUN make' });
      writer.flush();
      await tm.until('the next step', /^● e2e\/app +1 +building \[2\/3\] RUN make +\d+s$/m);

      // A second build, by a process that will die without removing its file.
      const file = path.join(buildsDir(paths), `${sleep.pid}.json`);
      const status = { pid: sleep.pid, startTime: procStartTime(sleep.pid!), tags: [], context: '/nonexistent/other', dockerfile: 'Dockerfile', started: new Date().toISOString(), step: 4, steps: 9, current: 'RUN sleep 600' };
      fs.writeFileSync(file, JSON.stringify(status));
      await tm.until('the untagged build', (s) => /^● <none> +<none> +building \[4\/9\] RUN sleep 600/m.test(s) && /2 building/.test(s));
      process.kill(sleep.pid!, 'SIGKILL');
      await exited;
      await tm.until('the dead build gone', (s) => !s.includes('<none>') && /1 building/.test(s));
      assert.equal(fs.existsSync(file), false, 'the dashboard removed the dead build\'s file');

      // The build ends: its row goes.
      writer.close();
      const after = await tm.until('no build left', (s) => !/building|●/.test(s));
      assert.match(after, /Images {2}1 image · 0 in use$/m);
      // Every frame fits 80×24.
      assert.ok(after.split('\n').every((l) => l.length <= 80));

      tm.keys('q');
      assert.match(await tm.until('hutch to exit', /hutch exited: /), /hutch exited: 0/);
    } finally {
      writer?.close();
      if (sleep.exitCode === null && sleep.signalCode === null) process.kill(sleep.pid!, 'SIGKILL');
    }
  });
});
