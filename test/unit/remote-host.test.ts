// RemoteHost's supervision of its ssh child, with a fake spawn and a fake clock:
// the stream decoded, a drop marked down with ssh's reason and the last figures
// kept, reconnection after 1 s doubling to 30 s (back to 1 s once a stream starts),
// another stream version named, a quiet link given up, close() killing the child.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { RemoteHost, type SpawnFn } from '../../src/engine/remote/remote-host.js';
import { StatsStreamEncoder } from '../../src/engine/stats/stream.js';
import { FakeChild, FakeClock, SSH, container, fakeSpawn } from './remote-fakes.js';

const HOST = { cpu: 10, mem: 1, memTotal: 2, load: [0, 0, 0] as [number, number, number] };
const tick = () => new Promise((r) => setImmediate(r));
async function settle() {
  for (let i = 0; i < 5; i++) await tick();
}

test('the stream is decoded into the host\'s figures; the ssh command is the one documented', async () => {
  const { spawn, children } = fakeSpawn();
  const clock = new FakeClock();
  let changes = 0;
  const h = new RemoteHost('web-1', { ssh: SSH, intervalMs: 1000, spawn, clock, onChange: () => changes++ });
  h.start();
  const c = children[0];
  assert.equal(c.program, 'ssh');
  assert.deepEqual(c.args.slice(-3), ['--', 'web-1', 'hutch stats --json --interval 1000']);
  for (const o of ['BatchMode=yes', 'ControlMaster=auto', 'ControlPath=/nonexistent/hutch-ssh-test/%C']) assert.ok(c.args.includes(o), o);
  assert.equal(c.args[0], '-T');
  const enc = new StatsStreamEncoder();
  c.stdout.write(enc.header({ hutch: '0.1.0', host: 'web-1', interval: 1000 }));
  c.stdout.write(enc.frame(5, HOST, [container('a'), container('b')]));
  await settle();
  assert.equal(h.state, 'up');
  assert.deepEqual([...h.containers.keys()], ['a', 'b']);
  // Split across chunks: a line is taken once whole.
  const line = enc.frame(6, HOST, [container('a', { cpu: 50 }), container('b')]);
  c.stdout.write(line.slice(0, 10));
  await settle();
  c.stdout.write(line.slice(10));
  await settle();
  assert.equal(h.containers.get('a')!.cpu, 50);
  assert.equal(h.t, 6);
  assert.equal(changes, 2);
  h.close();
});

test('a drop: down with ssh\'s last error line, last figures kept, reconnect after 1, 2, 4 … 30 s; a new stream resets the wait', async () => {
  const { spawn, children } = fakeSpawn();
  const clock = new FakeClock();
  const h = new RemoteHost('web-1', { ssh: SSH, intervalMs: 1000, spawn, clock });
  h.start();
  const enc = new StatsStreamEncoder();
  children[0].stdout.write(enc.header({ hutch: '0.1.0', host: 'web-1', interval: 1000 }) + enc.frame(1, HOST, [container('a')]));
  await settle();
  children[0].stderr.write('Connection to web-1 closed by remote host.\n');
  children[0].exit(255);
  await settle();
  assert.equal(h.state, 'down');
  assert.equal(h.error, 'web-1: Connection to web-1 closed by remote host.');
  assert.deepEqual([...h.containers.keys()], ['a'], 'the last figures stay');
  const waits: number[] = [];
  for (let i = 0; i < 8; i++) {
    const [wait] = clock.pending().filter((w) => w <= 30_000);
    waits.push(wait);
    clock.advance(wait);
    assert.equal(children.length, i + 2, 'one new ssh per attempt');
    children.at(-1)!.stderr.write('ssh: connect to host web-1 port 22: Connection refused\n');
    children.at(-1)!.exit(255);
    await settle();
    assert.equal(h.error, 'web-1: ssh: connect to host web-1 port 22: Connection refused');
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  // It comes back: the stream's header resets the wait.
  clock.advance(clock.pending()[0]);
  const back = children.at(-1)!;
  const enc2 = new StatsStreamEncoder();
  back.stdout.write(enc2.header({ hutch: '0.1.0', host: 'web-1', interval: 1000 }) + enc2.frame(2, HOST, [container('b')]));
  await settle();
  assert.equal(h.state, 'up');
  assert.equal(h.error, undefined);
  assert.deepEqual([...h.containers.keys()], ['b']);
  back.exit(0);
  await settle();
  assert.equal(h.error, 'web-1: the stream ended');
  assert.deepEqual(clock.pending().filter((w) => w <= 30_000), [1000]);
  h.close();
  assert.deepEqual(clock.pending(), [], 'closed: no attempt left');
});

test('a remote speaking another stream version is named, and its ssh ended', async () => {
  const { spawn, children } = fakeSpawn();
  const clock = new FakeClock();
  const h = new RemoteHost('db-1', { ssh: SSH, intervalMs: 1000, spawn, clock });
  h.start();
  children[0].stdout.write('{"stream":"hutch-stats","version":2,"hutch":"9.0.0","host":"db-1","interval":1000}\n');
  await settle();
  assert.deepEqual(children[0].killed, ['SIGTERM']);
  await settle();
  assert.equal(h.state, 'down');
  assert.equal(h.error, 'db-1: hutch stats stream version 2 (this hutch reads 1)');
  h.close();
});

test('something else on stdout (a login banner, an old hutch) is not a stream', async () => {
  const { spawn, children } = fakeSpawn();
  const h = new RemoteHost('db-1', { ssh: SSH, intervalMs: 1000, spawn, clock: new FakeClock() });
  h.start();
  children[0].stdout.write('Welcome to db-1\n');
  await settle();
  await settle();
  assert.match(h.error ?? '', /^db-1: not a hutch stats stream \(Welcome to db-1\)$/);
  h.close();
});

test('a link that goes quiet is given up (ssh killed) and reported; close() kills the child and stops retrying', async () => {
  const { spawn, children } = fakeSpawn();
  const clock = new FakeClock();
  const h = new RemoteHost('web-1', { ssh: SSH, intervalMs: 1000, spawn, clock });
  h.start();
  const enc = new StatsStreamEncoder();
  children[0].stdout.write(enc.header({ hutch: '0.1.0', host: 'web-1', interval: 1000 }));
  await settle();
  clock.advance(15_000);
  assert.deepEqual(children[0].killed, ['SIGTERM']);
  await settle();
  assert.equal(h.error, 'web-1: no figures for 15 s');
  clock.advance(1000);
  assert.equal(children.length, 2);
  h.close();
  assert.deepEqual(children[1].killed, ['SIGTERM']);
  await settle();
  assert.deepEqual(clock.pending(), []);
  assert.equal(children.length, 2);
});

test('ssh that cannot be run at all (not on PATH) is a down host, not a crash', async () => {
  const clock = new FakeClock();
  const spawn: SpawnFn = () => {
    const c = new FakeChild('ssh', []);
    setImmediate(() => {
      c.emit('error', Object.assign(new Error('spawn ssh ENOENT'), { code: 'ENOENT' }));
      c.exit(-2);
    });
    return c as unknown as ChildProcess;
  };
  const h = new RemoteHost('web-1', { ssh: SSH, intervalMs: 1000, spawn, clock });
  h.start();
  await settle();
  assert.equal(h.error, 'web-1: cannot run ssh: spawn ssh ENOENT');
  h.close();
});
