// hutch events with real containers: every process that acts logs docker's events, and an
// exit nobody watched is reported as `die` by the next one that looks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { HUTCH, sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

test('create, start, die, stop, destroy of a container, in order, from the CLI and the engine; filters', async () => {
  const t0 = new Date(Date.now() - 1).toISOString();
  const id = sb.cli(['run', '-d', '--name', 'ev1', '--network', 'none', 'host', 'sleep', '30']).stdout.trim();
  assert.equal(sb.cli(['stop', '-t', '1', 'ev1']).status, 0);
  assert.equal(sb.cli(['rm', 'ev1']).status, 0);
  await sb.engine.createVolume({ name: 'ev-vol' });
  await sb.engine.removeVolume('ev-vol');
  const r = sb.cli(['events', '--since', t0, '--until', '0s']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => l.split(' ').slice(1, 4));
  assert.deepEqual(lines.filter((l) => l[0] === 'container').map((l) => `${l[1]} ${l[2].slice(0, 12)}`), ['create', 'start', 'die', 'stop', 'destroy'].map((a) => `${a} ${id.slice(0, 12)}`));
  assert.deepEqual(lines.filter((l) => l[0] === 'volume').map((l) => l[1]), ['create', 'destroy']);
  const die = sb.cli(['events', '--since', t0, '--until', '0s', '--filter', 'event=die', '--format', '{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}']);
  assert.equal(die.stdout, 'ev1 137\n', 'sleep as pid 1 ignores SIGTERM: killed after the 1 s timeout');
});

test('following: an exit no other process watched shows up as die within a second or two', async () => {
  const follower = spawn(process.execPath, [HUTCH, 'events', '--filter', 'event=die', '--format', '{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  follower.stdout.on('data', (d) => (out += d));
  try {
    await new Promise((r) => setTimeout(r, 500));
    // Started detached, exits by itself: nobody waits for it.
    assert.equal(sb.cli(['run', '-d', '--name', 'ev2', '--network', 'none', 'host', 'sh', '-c', 'exit 7']).status, 0);
    const end = Date.now() + 10_000;
    while (!out.includes('ev2 7') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.equal(out, 'ev2 7\n');
  } finally {
    follower.kill('SIGKILL');
  }
  await sb.engine.remove('ev2', { force: true });
});
