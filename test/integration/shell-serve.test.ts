// `hutch-monitor exec --tty --detach --serve DIR` (the dashboard's shell pane): the
// pty served on DIR/exec-<monitor pid>.sock with the attach socket's frames, a
// backlog for a client that comes later, and the socket gone once the shell ends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sandbox, REPO, type Sandbox } from './helpers.js';
import type { ShellConnection } from '../../src/engine/types.js';

const MONITOR = fs.realpathSync(path.join(REPO, 'native', 'build', 'Release', 'hutch-monitor'));

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

/** Everything a connection receives, and a wait for a pattern in it. */
function reader(conn: ShellConnection) {
  let text = '';
  let exit: number | null | undefined;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  conn.onData((d) => {
    text += d.toString('utf8');
    wake();
  });
  conn.onEnd((c) => {
    exit = c;
    wake();
  });
  const until = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(text.slice(-400))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return {
    get text() {
      return text;
    },
    get exit() {
      return exit;
    },
    waitFor: (re: RegExp) => until(() => re.test(text), String(re)),
    waitExit: () => until(() => exit !== undefined, 'the exit frame'),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

test('a served shell: the socket appears, frames flow both ways, resize, backlog on reconnect, gone after exit', async () => {
  const c = await sb.engine.create({ image: 'host', name: 'pane', cmd: ['sleep', '1000'] });
  await sb.engine.start(c.id);
  const bundle = path.join(sb.root, 'containers', c.id);
  const sh = await sb.engine.openShell(c.id, { argv: ['sh'] });
  assert.match(sh.name, /^exec-\d+$/);
  const sock = path.join(bundle, `${sh.name}.sock`);
  assert.ok(fs.statSync(sock).isSocket(), 'the socket is in the container directory');
  assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
  assert.deepEqual(await sb.engine.listShells(c.id), [sh]);

  const conn = await sb.engine.connectShell(c.id, sh.name);
  const r = reader(conn);
  conn.resize(31, 97);
  conn.write('stty size; echo "t=$TERM"; echo "v-$((6*7))"\r');
  await r.waitFor(/31 97\r\n/);
  await r.waitFor(/v-42/);
  assert.match(r.text, /t=xterm-256color/);

  // Detached: the shell runs on, and a new client gets what it printed first.
  conn.close();
  conn.write('ignored after close');
  const again = await sb.engine.connectShell(c.id, sh.name);
  const r2 = reader(again);
  await r2.waitFor(/v-42/);
  again.resize(20, 60);
  again.write('stty size\r');
  await r2.waitFor(/20 60\r\n/);
  again.write('exit 3\r');
  await r2.waitExit();
  assert.equal(r2.exit, 3);
  assert.equal(fs.existsSync(sock), false, 'the socket is removed when the shell ends');
  assert.deepEqual(await sb.engine.listShells(c.id), []);
  await assert.rejects(sb.engine.connectShell(c.id, sh.name), /has ended/);

  // endShell: SIGHUP to the shell through its monitor; the socket and the monitor go.
  const sh2 = await sb.engine.openShell(c.id, { argv: ['sh'] });
  const conn2 = await sb.engine.connectShell(c.id, sh2.name);
  const r3 = reader(conn2);
  conn2.write('echo ready\r');
  await r3.waitFor(/ready\r\n/);
  await sb.engine.endShell(c.id, sh2.name);
  await r3.waitExit();
  assert.equal(r3.exit, 129, 'sh ends on SIGHUP');
  for (let i = 0; i < 50 && alive(sh2.monitorPid); i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(alive(sh2.monitorPid), false, 'the monitor is gone');
  assert.equal(fs.existsSync(path.join(bundle, `${sh2.name}.sock`)), false);
  await sb.engine.stop(c.id, 1);
});

test('a shell nobody watches keeps its last 64 KiB of output for the next client', async () => {
  const c = await sb.engine.create({ image: 'host', name: 'flood', cmd: ['sleep', '1000'] });
  await sb.engine.start(c.id);
  const sh = await sb.engine.openShell(c.id, { argv: ['sh', '-c', 'i=0; while [ $i -lt 10000 ]; do echo "line $i"; i=$((i+1)); done; echo done-flood; exec sleep 1000'] });
  // Nobody is connected while it prints (about 120 KB: sh prints it in well under a second).
  await new Promise((res) => setTimeout(res, 1500));
  const bundle = path.join(sb.root, 'containers', c.id);
  const deadline = Date.now() + 10_000;
  let r: ReturnType<typeof reader> | undefined;
  while (Date.now() < deadline) {
    const conn = await sb.engine.connectShell(c.id, sh.name);
    r = reader(conn);
    await new Promise((res) => setTimeout(res, 200));
    conn.close();
    if (/done-flood/.test(r.text)) break;
  }
  assert.ok(r && /done-flood/.test(r.text), 'the backlog reached the end of the output');
  const bytes = Buffer.byteLength(r.text);
  assert.ok(bytes <= 64 << 10 && bytes > 60 << 10, `the backlog is the last 64 KiB (${bytes} bytes)`);
  assert.doesNotMatch(r.text, /line 0\r\n/, 'the oldest output is gone');
  await sb.engine.endShell(c.id, sh.name);
  for (let i = 0; i < 50 && fs.existsSync(path.join(bundle, `${sh.name}.sock`)); i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(fs.existsSync(path.join(bundle, `${sh.name}.sock`)), false);
  await sb.engine.stop(c.id, 1);
});

test('--serve needs --tty and --detach: a usage error (125), nothing started', () => {
  const r = spawnSync(MONITOR, ['exec', '--pid', String(process.pid), '--bundle', sb.root, '--serve', sb.root, '--', 'true'], { encoding: 'utf8' });
  assert.equal(r.status, 125);
  assert.match(r.stderr, /--serve needs --tty and --detach/);
  assert.deepEqual(fs.readdirSync(sb.root).filter((n) => n.endsWith('.sock')), []);
});
