// `hutch attach`, the detach keys and `run -a` (issue 16), with real containers: a
// detached `-dit` shell attached in a tmux pane (output, input, `stty size` after a
// resize, Ctrl-P Ctrl-Q leaves it running, its exit status passes through), `run -it`
// detached by the same keys, a `-di` container fed through two clients that both see
// its output, and the bad-input answers. Needs a build (dist) and tmux.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { HUTCH, sandbox, type Sandbox } from './helpers.js';
import { HUTCH_COMMAND, Tmux, missing, poll, sandboxEnv, withTmux } from '../e2e/tmux.js';
import { encodeFrames, FRAME, FrameDecoder } from '../../src/engine/container/attach-frames.js';

const skip = missing('attach tests');

let sb: Sandbox;
before(async () => {
  if (!skip) sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

/** A pane running `args`, then printing hutch's status, kept open to read it. */
function pane(tm: Tmux, args: string): void {
  tm.start({ command: `${HUTCH_COMMAND} ${args}; echo "hutch exited: $?"; sleep 3600`, env: sandboxEnv(sb), width: 120, height: 40 });
}

async function state(name: string): Promise<{ status: string; exitCode: number | null }> {
  const info = await sb.engine.inspect(name);
  return { status: info.status, exitCode: info.exitCode };
}

/** The sockets the container's monitor holds (its listener, DNS, clients). */
async function monitorSockets(name: string): Promise<number> {
  const { monitorPid } = await sb.engine.inspect(name);
  const dir = `/proc/${monitorPid}/fd`;
  return fs.readdirSync(dir).filter((f) => fs.readlinkSync(path.join(dir, f)).startsWith('socket:')).length;
}

/** Until `n` more clients than `base` are connected: keys typed before would be lost. */
async function clients(name: string, base: number, n = 1): Promise<void> {
  const end = Date.now() + 15_000;
  let now: number;
  while ((now = await monitorSockets(name)) < base + n) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${n} attach client(s): ${now - base} connected`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('attach to a -dit shell: output, input, resize, Ctrl-P Ctrl-Q leaves it running; attached again, its exit status is ours', { skip }, async () => {
  const r = sb.cli(['run', '-dit', '--name', 'tty', '--network', 'none', 'host', 'sh']);
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  const sock = path.join(sb.root, 'containers', id, 'attach');
  const st = fs.statSync(sock);
  assert.ok(st.isSocket(), 'the monitor serves <bundle>/attach');
  assert.equal(st.mode & 0o777, 0o600);

  const base = await monitorSockets('tty');
  await withTmux(async (tm) => {
    pane(tm, 'attach tty');
    await clients('tty', base);
    // The shell echoes what is typed; the answer proves input and output.
    tm.type('echo hi-$((6*7))');
    tm.keys('Enter');
    await tm.until('the echo', 'hi-42');
    tm.type('stty size');
    tm.keys('Enter');
    await tm.until('the pane size in the container', '40 120');
    tm.resize(100, 30);
    // The resize travels as SIGWINCH to hutch, then a frame to the monitor: ask until it is in.
    for (let i = 0; ; i++) {
      tm.type('stty size');
      tm.keys('Enter');
      const seen = await tm.until('the new size', '30 100', 1000).then(() => true, () => false);
      if (seen) break;
      if (i === 10) throw new Error(`the container's terminal was not resized:\n${tm.screen()}`);
    }
    tm.keys('C-p');
    tm.keys('C-q');
    await tm.until('hutch to exit 0 at the detach keys', 'hutch exited: 0');
  });
  assert.equal((await state('tty')).status, 'running', 'the container runs on');
  const actions = sb.cli(['events', '--since', '0', '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'container=tty', '--format', '{{.Action}}']);
  assert.deepEqual(actions.stdout.trim().split('\n').filter((a) => a === 'attach' || a === 'detach'), ['attach', 'detach'], actions.stdout + actions.stderr);

  await withTmux(async (tm) => {
    pane(tm, 'attach --detach-keys ctrl-a,x tty');
    await clients('tty', base);
    tm.type('echo back-$((2+3))');
    tm.keys('Enter');
    await tm.until('the second client', 'back-5');
    tm.type('exit 3');
    tm.keys('Enter');
    await tm.until("the container's status as hutch's", 'hutch exited: 3');
  });
  const end = await state('tty');
  assert.equal(end.status, 'exited');
  assert.equal(end.exitCode, 3);
  assert.equal(fs.existsSync(sock), false, 'the socket file goes with the monitor');

  const stopped = sb.cli(['attach', 'tty']);
  assert.equal(stopped.status, 125);
  assert.equal(stopped.stderr, 'hutch: You cannot attach to a stopped container, start it first\n');
});

test('run -it: Ctrl-P Ctrl-Q gives the terminal back (cooked again), hutch exits 0, the container runs on', { skip }, async () => {
  await withTmux(async (tm) => {
    pane(tm, 'run -it --name rit --network none host sh');
    // The shell's prompt: the monitor copies the keys from now on.
    await tm.until('the shell', '#');
    tm.type('echo a-$((1+1))');
    tm.keys('Enter');
    await tm.until('the echo', 'a-2');
    // A lone Ctrl-P followed by another key is passed on: not a detach.
    tm.keys('C-p');
    tm.type('x');
    tm.keys('C-u');
    tm.type('echo still-$((3*3))');
    tm.keys('Enter');
    await tm.until('the shell after a lone Ctrl-P', 'still-9');
    tm.keys('C-p');
    tm.keys('C-q');
    await tm.until('hutch to exit 0', 'hutch exited: 0');
    const ev = sb.cli(['events', '--since', '0', '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'container=rit', '--format', '{{.Action}}']);
    assert.match(ev.stdout, /^detach$/m, 'docker\'s detach event');
    const stty = spawnSync('stty', ['-a', '-F', tm.tty()], { encoding: 'utf8' }).stdout;
    assert.match(stty, /(^|\s)icanon(\s|$)/, `the terminal is cooked again: ${stty}`);
    assert.match(stty, /(^|\s)echo(\s|$)/);
  });
  assert.equal((await state('rit')).status, 'running');
  // Its output still reaches the log after the detach.
  const e = sb.cli(['exec', 'rit', 'sh', '-c', 'echo via-exec > /proc/1/fd/1']);
  assert.equal(e.status, 0, e.stderr);
  await poll('the log after the detach', () => (sb.cli(['logs', 'rit']).stdout.includes('via-exec') ? true : undefined), 10_000);
  assert.equal(sb.cli(['rm', '-f', 'rit']).status, 0);
});

function client(args: string[]): { child: ChildProcessWithoutNullStreams; out: () => string; status: Promise<number | null> } {
  const child = spawn(process.execPath, [HUTCH, ...args], { env: sb.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  const status = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  return { child, out: () => out, status };
}

test('a -di container gets stdin through attach; two clients see the same output; stdin EOF ends it and both get its status', { skip }, async () => {
  const r = sb.cli(['run', '-di', '--name', 'cat', '--network', 'none', 'host', 'sh', '-c', 'cat; echo done >&2; exit 4']);
  assert.equal(r.status, 0, r.stderr);
  const base = await monitorSockets('cat');
  const watcher = client(['attach', '--no-stdin', 'cat']);
  const feeder = client(['attach', 'cat']);
  try {
    await clients('cat', base, 2);
    feeder.child.stdin.write('both-see-this\n');
    await poll('both clients', () => (watcher.out().includes('both-see-this') && feeder.out().includes('both-see-this') ? true : undefined), 10_000);
    feeder.child.stdin.end();
    assert.equal(await feeder.status, 4, feeder.out());
    assert.equal(await watcher.status, 4, watcher.out());
    assert.match(watcher.out(), /done\n$/, 'stderr too');
  } finally {
    feeder.child.kill('SIGKILL');
    watcher.child.kill('SIGKILL');
  }
  assert.equal((await state('cat')).exitCode, 4);
});

test('run -a names the streams attached; -a with -d, a bad --detach-keys: one line, 125, nothing created', { skip }, async () => {
  const cmd = ['host', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 2'];
  const out = sb.cli(['run', '--rm', '-a', 'stdout', '--network', 'none', ...cmd]);
  assert.equal(out.status, 2, out.stderr);
  assert.equal(out.stdout, 'to-out\n');
  assert.equal(out.stderr, '');
  const err = sb.cli(['run', '--rm', '-a', 'STDERR', '--network', 'none', ...cmd]);
  assert.equal(err.stdout, '');
  assert.equal(err.stderr, 'to-err\n');
  const before = (await sb.engine.list({ all: true })).length;
  const conflict = sb.cli(['run', '-d', '-a', 'stdout', ...cmd]);
  assert.equal(conflict.status, 125);
  assert.equal(conflict.stderr, 'hutch: Conflicting options: -a and -d\n');
  const keys = sb.cli(['run', '-d', '--detach-keys', 'ctrl-', ...cmd]);
  assert.equal(keys.status, 125);
  assert.equal(keys.stderr.split('\n').length, 2, keys.stderr);
  assert.equal((await sb.engine.list({ all: true })).length, before, 'nothing created');
  const running = sb.cli(['run', '-d', '--name', 'up', '--network', 'none', 'host', 'sleep', '1000']);
  assert.equal(running.status, 0, running.stderr);
  const bad = sb.cli(['attach', '--detach-keys', 'ctrl-?', 'up']);
  assert.equal(bad.status, 125);
  assert.equal(bad.stderr, "hutch: Invalid detach keys (ctrl-?) provided: unknown character: 'ctrl-?'\n");
  assert.equal((await state('up')).status, 'running');
});

/** A raw client of the container's attach socket (as the engine connects: through a dir fd). */
function rawClient(id: string): Promise<net.Socket> {
  const fd = fs.openSync(path.join(sb.root, 'containers', id), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  return new Promise((resolve, reject) => {
    const s = net.connect({ path: `/proc/self/fd/${fd}/attach` });
    s.once('connect', () => (fs.closeSync(fd), resolve(s)));
    s.once('error', (e) => (fs.closeSync(fd), reject(e)));
  });
}

test('the monitor never waits for a client: one that does not read is dropped, a ninth is refused; the container and its log go on', { skip }, async () => {
  // 12 MB in 120 pieces 10 ms apart: a sleeper falls 2 MiB behind within a second and
  // is dropped, while the reader (a node process that a loaded machine may stall for a
  // moment) is never 2 MiB behind, as it could be with the pipe's full speed.
  const flood = 'read go; i=0; while [ $i -lt 120 ]; do head -c 100000 /dev/zero | tr "\\0" x | fold -w 99; sleep 0.01; i=$((i+1)); done; echo end';
  const r = sb.cli(['run', '-di', '--name', 'flood', '--network', 'none', 'host', 'sh', '-c', flood]);
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  const base = await monitorSockets('flood');
  const socks: net.Socket[] = [];
  try {
    for (let i = 0; i < 8; i++) socks.push(await rawClient(id));
    await clients('flood', base, 8);
    const ninth = await rawClient(id);
    const ninthEnd = new Promise<void>((res) => ninth.on('close', () => res()));
    ninth.on('error', () => {});
    ninth.resume();
    await ninthEnd;
    // The first reads everything; the others never read (paused sockets).
    const reader = socks[0];
    let got = 0;
    const frames: number[] = [];
    const decoder = new FrameDecoder();
    reader.on('data', (b: Buffer) => {
      got += b.length;
      for (const f of decoder.push(b)) if (f.type === FRAME.exit) frames.push(Number(f.data.toString()));
    });
    const readerEnd = new Promise<void>((res) => reader.on('close', () => res()));
    for (const s of socks.slice(1)) {
      s.pause();
      s.on('error', () => {});
    }
    reader.write(encodeFrames(FRAME.stdin, Buffer.from('go\n')));
    await readerEnd;
    assert.deepEqual(frames, [0], `the reader got the exit frame (it had ${got} bytes)`);
    assert.ok(got > 12_000_000, `the reader got all the output (${got} bytes)`);
    const s = await state('flood');
    assert.equal(s.status, 'exited');
    assert.match(sb.cli(['logs', '--tail', '1', 'flood']).stdout, /end\n$/);
    // The sleepers were dropped long before the end: their sockets are closed.
    for (const sl of socks.slice(1)) assert.ok(sl.readableEnded || sl.destroyed || (await closedSoon(sl)), 'a stalled client is dropped');
  } finally {
    for (const s of socks) s.destroy();
  }
});

function closedSoon(s: net.Socket): Promise<boolean> {
  return new Promise((res) => {
    s.on('close', () => res(true));
    s.resume(); // read what was buffered: then the end
    setTimeout(() => res(false), 5000);
  });
}

test('sig-proxy: a signal sent to hutch attach goes to a container without a tty (its status is ours); --sig-proxy=false leaves the container alone', { skip }, async () => {
  const script = 'trap "echo got-usr1" USR1; trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.1; done';
  const r = sb.cli(['run', '-d', '--name', 'sigs', '--network', 'none', 'host', 'sh', '-c', script]);
  assert.equal(r.status, 0, r.stderr);
  const base = await monitorSockets('sigs');
  const a = client(['attach', 'sigs']);
  try {
    await clients('sigs', base);
    a.child.kill('SIGUSR1');
    await poll('SIGUSR1 in the container', () => (a.out().includes('got-usr1') ? true : undefined), 10_000, () => a.out());
    a.child.kill('SIGTERM');
    assert.equal(await a.status, 7, a.out());
    assert.match(a.out(), /got-term/);
  } finally {
    a.child.kill('SIGKILL');
  }
  assert.equal(sb.cli(['start', 'sigs']).status, 0);
  const b = client(['attach', '--sig-proxy=false', 'sigs']);
  try {
    await clients('sigs', base);
    b.child.kill('SIGTERM');
    await b.status;
    assert.equal(b.child.signalCode, 'SIGTERM', 'hutch itself ends');
    assert.equal((await state('sigs')).status, 'running', 'the container was not signalled');
    assert.equal(sb.cli(['logs', 'sigs']).stdout.split('got-term').length - 1, 1, 'only the first run got SIGTERM');
  } finally {
    b.child.kill('SIGKILL');
  }
});
