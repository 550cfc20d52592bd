// Lifecycle through the engine API and across processes: stop/kill, exit codes that
// outlive the process that started the container, exec, logs, restart, remove.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sandbox, logText, HUTCH, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

test('stop sends SIGTERM and the container can exit cleanly', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sh', '-c', 'trap "echo got-term; exit 3" TERM; while :; do sleep 0.1; done'] });
  await sb.engine.start(c.id);
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  const info = await sb.engine.stop(c.id, 10);
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(info.status, 'exited');
  assert.equal(info.exitCode, 3);
  assert.match(await logText(sb.engine, c.id), /got-term/);
});

test('stop falls back to SIGKILL after the timeout', async () => {
  // pid 1 without a TERM handler ignores SIGTERM, as in docker.
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '60'] });
  await sb.engine.start(c.id);
  const t0 = Date.now();
  const info = await sb.engine.stop(c.id, 1);
  const took = Date.now() - t0;
  assert.ok(took >= 900 && took < 8000, `took ${took} ms`);
  assert.equal(info.exitCode, 137);
});

test('kill with a signal, then the container shows exited', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '60'] });
  await sb.engine.start(c.id);
  await sb.engine.kill(c.id, 'SIGKILL');
  assert.deepEqual(await sb.engine.wait(c.id), { exitCode: 137, oomKilled: false });
});

test('exit code is kept after the starting process exited (start in one process, read in another)', async () => {
  const r = sb.cli(['run', '-d', '--name', 'xproc', 'host', 'sh', '-c', 'sleep 0.5; exit 7']);
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const w = sb.cli(['wait', 'xproc']);
  assert.equal(w.stdout.trim(), '7');
  const ins = JSON.parse(sb.cli(['inspect', id.slice(0, 8)]).stdout)[0];
  assert.equal(ins.status ?? ins.State?.Status, 'exited');
  assert.equal(ins.exitCode ?? ins.State?.ExitCode, 7);
  const ps = sb.cli(['ps', '-a']);
  assert.match(ps.stdout, /Exited \(7\)/);
});

test('a container outlives the process that started it, and a new process reconciles its exit', async () => {
  const r = sb.cli(['run', '-d', 'host', 'sh', '-c', 'sleep 1; exit 5']);
  const id = r.stdout.trim();
  const running = await sb.engine.inspect(id);
  assert.equal(running.status, 'running');
  assert.ok(fs.existsSync(`/proc/${running.monitorPid}`), 'monitor alive after the CLI exited');
  await new Promise((r) => setTimeout(r, 1800));
  const after = await sb.engine.inspect(id);
  assert.equal(after.status, 'exited');
  assert.equal(after.exitCode, 5);
  assert.ok(after.finishedAt > after.startedAt);
});

test('exec joins the same pid namespace and sees the init', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '60'] });
  const info = await sb.engine.start(c.id);
  try {
    const r = sb.cli(['exec', c.id, 'sh', '-c', 'readlink /proc/self/ns/pid; cat /proc/1/cmdline | tr "\\0" " "; echo; hostname']);
    assert.equal(r.status, 0, r.stderr);
    const [ns, cmd, host] = r.stdout.trim().split('\n');
    assert.equal(ns, fs.readlinkSync(`/proc/${info.pid}/ns/pid`));
    assert.equal(cmd.trim(), 'sleep 60');
    assert.equal(host, c.id.slice(0, 12));
    assert.equal(sb.cli(['exec', c.id, 'sh', '-c', 'exit 9']).status, 9);
    assert.equal(sb.cli(['exec', c.id, 'no-such-cmd']).status, 127);
  } finally {
    await sb.engine.remove(c.id, { force: true });
  }
});

test('restart runs the command again and keeps the log', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sh', '-c', 'echo run; sleep 60'] });
  await sb.engine.start(c.id);
  await new Promise((r) => setTimeout(r, 200));
  const info = await sb.engine.restart(c.id, 0);
  assert.equal(info.status, 'running');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await logText(sb.engine, c.id)).match(/run/g)?.length, 2);
  await sb.engine.remove(c.id, { force: true });
  await assert.rejects(sb.engine.inspect(c.id), /No such container/);
});

test('logs --tail and follow', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; sleep 0.1; done'] });
  await sb.engine.start(c.id);
  const seen: string[] = [];
  for await (const l of sb.engine.logs(c.id, { follow: true })) seen.push(l.text);
  assert.deepEqual(seen, ['line1', 'line2', 'line3', 'line4', 'line5']);
  const tail: string[] = [];
  for await (const l of sb.engine.logs(c.id, { tail: 2 })) tail.push(l.text);
  assert.deepEqual(tail, ['line4', 'line5']);
});

test('--rm removes the container after it exits', async () => {
  const r = sb.cli(['run', '--rm', '--name', 'gone', 'host', 'sh', '-c', 'echo bye']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'bye');
  const ins = sb.cli(['inspect', 'gone']);
  assert.notEqual(ins.status, 0);
  assert.match(ins.stderr, /No such object: gone/);
});

test('a detached --rm container disappears once it has exited', async () => {
  // It exits when told to (a file appears), not after a time a loaded machine may miss.
  const id = sb.cli(['run', '-d', '--rm', 'host', 'sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.05; done']).stdout.trim();
  assert.match(sb.cli(['ps', '-a', '-q', '--no-trunc']).stdout, new RegExp(id));
  assert.equal(sb.cli(['exec', id, 'touch', '/tmp/go']).status, 0);
  const deadline = Date.now() + 20_000;
  while (new RegExp(id).test(sb.cli(['ps', '-a', '-q', '--no-trunc']).stdout)) {
    assert.ok(Date.now() < deadline, 'the exited --rm container is removed');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(sb.cli(['inspect', id]).status, 1);
});

test('concurrent hutch processes: one name, one winner, and state stays readable', async () => {
  const { spawn } = await import('node:child_process');
  const runOne = () =>
    new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [HUTCH, 'run', '-d', '--name', 'contested', 'host', 'sleep', '30'], { env: sb.env, stdio: 'ignore' });
      p.on('close', (code) => resolve(code ?? -1));
    });
  const codes = await Promise.all([runOne(), runOne(), runOne(), runOne()]);
  assert.deepEqual(codes.filter((c) => c === 0).length, 1, `exit codes ${codes}`);
  assert.ok(codes.filter((c) => c !== 0).every((c) => c === 125));
  const all = await sb.engine.list({ all: true });
  assert.equal(all.filter((c) => c.name === 'contested').length, 1);
  // Two removals racing: one removes, the other finds nothing; never a torn state.
  const rm = () =>
    new Promise<number>((resolve) => spawn(process.execPath, [HUTCH, 'rm', '-f', 'contested'], { env: sb.env, stdio: 'ignore' }).on('close', (c) => resolve(c ?? -1)));
  const rmCodes = await Promise.all([rm(), rm()]);
  assert.ok(rmCodes.includes(0), `rm exit codes ${rmCodes}`);
  assert.equal((await sb.engine.list({ all: true })).filter((c) => c.name === 'contested').length, 0);
});

test('run -t and exec -it give the command a terminal of its own', async () => {
  const { spawnSync } = await import('node:child_process');
  const script = (cmd: string) =>
    spawnSync('script', ['-qec', cmd, '/dev/null'], { env: sb.env, encoding: 'utf8', input: '', timeout: 30_000 });
  const r = script(`${process.execPath} ${HUTCH} run --rm -t host sh -c 'tty; test -t 0 && echo stdin-is-a-tty; exit 4'`);
  assert.equal(r.status, 4, r.stdout + r.stderr);
  assert.match(r.stdout, /\/dev\/pts\/0/);
  assert.match(r.stdout, /stdin-is-a-tty/);
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '60'] });
  await sb.engine.start(c.id);
  try {
    const e = script(`${process.execPath} ${HUTCH} exec -it ${c.id} sh -c 'tty; exit 5'`);
    assert.equal(e.status, 5, e.stdout + e.stderr);
    assert.match(e.stdout, /\/dev\/pts\/\d+/);
  } finally {
    await sb.engine.remove(c.id, { force: true });
  }
});
