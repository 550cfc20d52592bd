// Several hosts in one dashboard, over an ssh stand-in on PATH: a script that skips
// ssh's options and runs the remote command here, with HUTCH_ROOT set to the state
// root of the host it was asked for (unknown hosts fail as ssh does, status 255).
// The dashboard's controller runs with the real engine of each root: rows from both
// hosts (a real container in each), the HOST column within 80×24, an unknown host as
// a status-line message, stop on the remote row stopping the remote container, its
// logs, and the remote dropping (the stand-in's process killed) and coming back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { HUTCH } from './helpers.js';
import { Screen } from '../../src/ui/screen.js';
import type { ContainerInfo } from '../../src/engine/types.js';
import { remoteController, remoteDashboard, until, web1Fixture } from './remote-fixture.js';

const fx = web1Fixture('hutch-it-remote-');

test('rows of both hosts, an unknown host in the status line, stop and logs on the remote one, a drop and the way back', async (t) => {
  const engine2 = fx.web1.engine;
  const here = await fx.sb.engine.create({ image: 'host', name: 'here', network: 'none', cmd: ['sleep', '1000'] });
  await fx.sb.engine.start(here.id);
  const there = await engine2.create({ image: 'host', name: 'there', network: 'none', cmd: ['sh', '-c', 'echo hello-from-web-1; trap "exit 0" TERM; sleep 1000 & wait'] });
  await engine2.start(there.id);

  const env = { ...process.env, PATH: `${fx.standin.dir}:${process.env.PATH}`, HUTCH_REMOTE_COMMAND: `${process.execPath} ${HUTCH}` };
  const d = remoteDashboard(fx.sb.engine, ['web-1', 'nosuch'], env);
  const { ssh, remotes, engine } = d;
  const controller = remoteController(d);
  controller.start();
  t.after(() => {
    controller.stop();
    assert.ok(!fs.existsSync(ssh.controlDir), 'the control directory goes with the dashboard');
  });
  const row = (name: string) => controller.store.get().containers.find((c) => c.name === name);

  // Both hosts' rows, the remote one after the local one, with its host.
  await until('the remote row', () => row('there')?.status === 'running');
  assert.equal(row('here')!.host, undefined);
  assert.equal(row('there')!.host, 'web-1');
  assert.equal(row('there')!.id.slice(0, 12), there.id.slice(0, 12));
  await until('a remote sample', () => controller.store.get().samples.get(row('there')!.id));
  const lines = new Screen(controller, false).lines(controller.store.get(), { columns: 80, rows: 24 });
  assert.equal(lines.length, 23);
  assert.ok(lines.every((l) => Array.from(l).length <= 80), 'fits 80 columns');
  const text = lines.join('\n');
  assert.match(text, /NAME +HOST +STATE/);
  assert.match(text, /here +local +running/);
  assert.match(text, /there +web-1 +running/);
  assert.ok(text.indexOf('here ') < text.indexOf('there '), 'local rows first');

  // The unknown host: a status-line message, the rest goes on.
  await until('the unknown host\'s error', () => remotes.hosts().find((h) => h.name === 'nosuch')?.state === 'down');
  assert.equal(remotes.hosts().find((h) => h.name === 'nosuch')!.error, 'nosuch: ssh: Could not resolve hostname nosuch: Name or service not known');
  assert.ok(controller.store.get().hostsDown.has('nosuch'));

  // Logs of the remote container, over ssh.
  const ac = new AbortController();
  const logs: string[] = [];
  for await (const l of engine.logs(row('there')!.id, { tail: 10, signal: ac.signal })) logs.push(l.text);
  assert.deepEqual(logs, ['hello-from-web-1']);

  // Stop on the remote row: the remote engine's container stops; the local one runs on.
  await controller.containerActions.run('stop', [row('there') as ContainerInfo]);
  assert.equal((await engine2.inspect(there.id)).status, 'exited');
  assert.equal((await fx.sb.engine.inspect(here.id)).status, 'running');
  assert.match(controller.store.get().status?.text ?? '', /^stopped there$/);
  await until('the stopped remote row', () => row('there')?.status === 'exited');
  await engine2.start(there.id);
  await until('the restarted remote row', () => row('there')?.status === 'running');

  // The link drops: the host is down, its rows kept and greyed, its error shown; then it is back.
  const web = remotes.host('web-1')!;
  const pid = web.pid!;
  process.kill(pid, 'SIGKILL');
  await until('web-1 down', () => controller.store.get().hostsDown.has('web-1'));
  assert.equal(row('there')?.status, 'running', 'the last figures stay');
  const greyed = new Screen(controller, true).lines(controller.store.get(), { columns: 80, rows: 24 }).find((l) => l.includes('there'));
  // eslint-disable-next-line no-control-regex -- the SGR codes are what is checked
  assert.match(greyed ?? '', /^\x1b\[2m[^\x1b]+\x1b\[22m$/, 'the row greyed as a whole');
  assert.match(controller.store.get().status?.text ?? '', /^web-1: /);
  await until('web-1 back', () => !controller.store.get().hostsDown.has('web-1'), 10_000);
  assert.notEqual(web.pid, pid, 'a new ssh');
  await until('the message that it is back', () => controller.store.get().status?.text === 'web-1: connected again');
});
