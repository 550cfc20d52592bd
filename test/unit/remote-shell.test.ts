// The shell pane's connection to a remote container's shell: `ssh -T … HOST hutch
// shell-serve connect ID SHELL` (a fake ssh child here), its stdout read as the shell
// socket's frames and the pane's keys and sizes written to its stdin as frames, by the
// local pane's own frame code; the relay's empty first frame says it is up; the
// shell's exit, a lost link, a detach and a refusal, each as the pane expects them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { encodeFrames, FRAME, FrameDecoder, resizeFrame } from '../../src/engine/container/attach-frames.js';
import { remoteConnectShell, remoteEndShell, remoteListShells, remoteOpenShell } from '../../src/engine/remote/remote-shell.js';
import type { SpawnFn } from '../../src/engine/remote/remote-host.js';
import { FakeChild, SSH } from './remote-fakes.js';

const ID = 'c'.repeat(64);
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function spawner(onSpawn: (c: FakeChild) => void = () => {}) {
  const children: FakeChild[] = [];
  const spawn = ((program: string, args: string[]) => {
    const c = new FakeChild(program, args);
    children.push(c);
    setImmediate(() => onSpawn(c));
    return c as unknown as ChildProcess;
  }) as SpawnFn;
  return { spawn, children };
}

/** The frames the child's stdin received so far. */
function sent(c: FakeChild): { type: number; data: Buffer }[] {
  const dec = new FrameDecoder();
  const chunks: Buffer[] = [];
  let b: Buffer | null;
  while ((b = c.stdin.read() as Buffer | null) !== null) chunks.push(b);
  return dec.push(Buffer.concat(chunks));
}

test('connect: the relay\'s command over the master, up at its first frame, output and keys and sizes as frames', async () => {
  const { spawn, children } = spawner();
  let done = false;
  const p = remoteConnectShell(spawn, SSH, 'web-1', ID, 'exec-7').then((c) => ((done = true), c));
  await settle();
  const child = children[0];
  assert.equal(child.args[0], '-T', 'no terminal on this side');
  assert.ok(child.args.includes('ControlMaster=auto'), 'through the master');
  assert.equal(child.args.at(-1), `hutch shell-serve connect ${ID} exec-7`);
  assert.equal(done, false, 'not connected before the relay says so');
  // The relay's empty frame, then the backlog, cut in the middle of a frame header.
  const bytes = Buffer.concat([encodeFrames(FRAME.stdout), encodeFrames(FRAME.stdout, Buffer.from('$ old history\r\n')), encodeFrames(FRAME.stdout, Buffer.from('$ '))]);
  child.stdout.write(bytes.subarray(0, 4));
  const conn = await p;
  child.stdout.write(bytes.subarray(4));
  const got: string[] = [];
  conn.onData((d) => got.push(d.toString()));
  await settle();
  assert.deepEqual(got, ['$ old history\r\n', '$ '], 'the backlog, nothing for the empty frame');
  conn.write('echo hi\n');
  conn.write(Buffer.from([3]));
  conn.resize(41, 120);
  conn.resize(0, 10); // not a size: not sent
  assert.deepEqual(
    sent(child).map((f) => [f.type, f.data.toString('hex')]),
    [
      [FRAME.stdin, Buffer.from('echo hi\n').toString('hex')],
      [FRAME.stdin, '03'],
      [FRAME.resize, resizeFrame(41, 120).subarray(3).toString('hex')],
    ],
  );
});

test('the shell\'s exit comes as its status once; a link that drops without one is null', async () => {
  const { spawn, children } = spawner((c) => c.stdout.write(encodeFrames(FRAME.stdout)));
  const conn = await remoteConnectShell(spawn, SSH, 'web-1', ID, 'exec-7');
  const ends: (number | null)[] = [];
  conn.onEnd((c) => ends.push(c));
  children[0].stdout.write(encodeFrames(FRAME.exit, Buffer.from('3')));
  await settle();
  children[0].exit(0);
  await settle();
  assert.deepEqual(ends, [3]);

  const lost = await remoteConnectShell(spawn, SSH, 'web-1', ID, 'exec-8');
  children[1].exit(255);
  await settle();
  const late: (number | null)[] = [];
  lost.onEnd((c) => late.push(c));
  assert.deepEqual(late, [null], 'told even when listening after the drop');
  lost.write('x');
  assert.equal(children[1].stdin.read(), null, 'nothing written to a link that is gone');
});

test('close detaches: ssh\'s stdin ends (the relay lets go), ssh ended only if it lingers', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { spawn, children } = spawner((c) => c.stdout.write(encodeFrames(FRAME.stdout)));
  const conn = await remoteConnectShell(spawn, SSH, 'web-1', ID, 'exec-7');
  const ends: (number | null)[] = [];
  conn.onEnd((c) => ends.push(c));
  conn.close();
  assert.equal(children[0].stdin.writableEnded, true);
  assert.deepEqual(children[0].killed, []);
  t.mock.timers.tick(2000);
  assert.deepEqual(children[0].killed, ['SIGTERM'], 'a relay that did not go is ended');
  await settle();
  assert.deepEqual(ends, [], 'a detach is not an end');

  const quick = await remoteConnectShell(spawn, SSH, 'web-1', ID, 'exec-9');
  quick.close();
  children[1].exit(0);
  await settle();
  t.mock.timers.tick(2000);
  assert.deepEqual(children[1].killed, [], 'gone by itself: not killed');
});

test('refused before it is up: the remote\'s error line, naming the host; ssh that cannot run too', async () => {
  const { spawn } = spawner((c) => {
    c.stderr.write('hutch: shell exec-7 of far: it has ended\n');
    c.exit(1);
  });
  await assert.rejects(remoteConnectShell(spawn, SSH, 'web-1', ID, 'exec-7'), { message: 'web-1: shell exec-7 of far: it has ended' });
  const down = spawner((c) => {
    c.stderr.write('ssh: connect to host web-1 port 22: Connection refused\n');
    c.exit(255);
  });
  await assert.rejects(remoteConnectShell(down.spawn, SSH, 'web-1', ID, 'exec-7'), { message: 'web-1: ssh: connect to host web-1 port 22: Connection refused' });
  const missing = spawner((c) => {
    c.emit('error', Object.assign(new Error('spawn ssh ENOENT'), { code: 'ENOENT' }));
    c.exit(-2);
  });
  await assert.rejects(remoteConnectShell(missing.spawn, SSH, 'web-1', ID, 'exec-7'), { message: 'web-1: cannot run ssh: spawn ssh ENOENT' });
});

test('ls, open and end: shell-serve\'s commands, JSON back; anything else named with the host', async () => {
  let out = '';
  const { spawn, children } = spawner((c) => {
    c.stdout.write(out);
    c.exit(0);
  });
  out = '[{"name":"exec-7","monitorPid":7}]\n';
  assert.deepEqual(await remoteListShells(spawn, SSH, 'web-1', ID), [{ name: 'exec-7', monitorPid: 7 }]);
  assert.equal(children.at(-1)!.args.at(-1), `hutch shell-serve ls ${ID}`);
  out = '{"name":"exec-9","monitorPid":9}\n';
  assert.deepEqual(await remoteOpenShell(spawn, SSH, 'web-1', ID, { rows: 30, cols: 100, term: 'xterm', argv: ['sh', '-c', 'echo a b'] }), { name: 'exec-9', monitorPid: 9 });
  assert.equal(children.at(-1)!.args.at(-1), `hutch shell-serve open --rows 30 --cols 100 --term xterm ${ID} -- sh -c 'echo a b'`);
  out = '';
  await remoteEndShell(spawn, SSH, 'web-1', ID, 'exec-9');
  assert.equal(children.at(-1)!.args.at(-1), `hutch shell-serve end ${ID} exec-9`);
  out = 'Usage: hutch COMMAND\n';
  await assert.rejects(remoteListShells(spawn, SSH, 'web-1', ID), /^Error: web-1: hutch shell-serve ls printed no JSON/);
});
