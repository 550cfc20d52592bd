// The shell pane and the detail view on a remote container, over the ssh stand-in
// (test/support/ssh-standin.ts: the remote command runs here with the "remote" host's
// own state root, so the shell's exec monitor, its socket and `hutch shell-serve` are
// that host's): a shell opened through the composite engine, `echo hi` seen, resized
// (`stty size` inside agrees), detached and reconnected with its history, ended; the
// pane (`E`) on the remote row with the detail view beside it showing the remote
// container's processes and config; a signal to one of them; and a host that is down
// named in the pane and the status line, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HUTCH } from './helpers.js';
import { Screen } from '../../src/ui/screen.js';
import type { ContainerInfo, ShellConnection } from '../../src/engine/types.js';
import { remoteController, remoteDashboard, until, web1Fixture } from './remote-fixture.js';

const fx = web1Fixture('hutch-it-remote-shell-');

/** Everything a connection has received, and a wait for a pattern in it. */
function reader(conn: ShellConnection) {
  const r = { text: '', exit: undefined as number | null | undefined };
  conn.onData((d) => (r.text += d.toString('utf8')));
  conn.onEnd((c) => (r.exit = c));
  return Object.assign(r, {
    until: (re: RegExp, what: string) =>
      until(what, () => re.exec(r.text), 15_000).catch((e: Error) => {
        throw new Error(`${e.message}; got ${JSON.stringify(r.text.slice(-300))}`);
      }),
  });
}

/** Waits for the remote container's shells to be gone (their monitors exit within a second of the SIGHUP). */
async function noShellLeft(id: string): Promise<void> {
  const end = Date.now() + 10_000;
  while ((await fx.web1.engine.listShells(id)).length > 0) {
    if (Date.now() > end) throw new Error('timed out waiting for the remote shells to end');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function dashboard(hosts: string[]) {
  const env = { ...process.env, PATH: `${fx.standin.dir}:${process.env.PATH}`, HUTCH_REMOTE_COMMAND: `${process.execPath} ${HUTCH}` };
  const d = remoteDashboard(fx.sb.engine, hosts, env);
  const controller = remoteController(d);
  return { ...d, controller };
}

test('a shell in a remote container over ssh: output, resize, detach and reconnect with its history, end', async (t) => {
  const c = await fx.web1.engine.create({ image: 'host', name: 'far', network: 'none', cmd: ['sleep', '1000'] });
  await fx.web1.engine.start(c.id);
  const { engine, remotes } = dashboard(['web-1']);
  t.after(() => remotes.close());
  const id = `${c.id}@web-1`;

  assert.deepEqual(await engine.listShells(id), []);
  const shell = await engine.openShell(id, { rows: 30, cols: 100 });
  assert.match(shell.name, /^exec-\d+$/);
  // The monitor is the remote host's: its socket is in that root's container directory.
  assert.deepEqual((await fx.web1.engine.listShells(c.id)).map((s) => s.name), [shell.name]);

  const conn = await engine.connectShell(id, shell.name);
  const r = reader(conn);
  // The pty takes the pane's size from the pane's first resize (as the local pane's does).
  conn.resize(30, 100);
  conn.write('echo hi-from-$((40+2))\n');
  await r.until(/hi-from-42/, 'the echo');
  conn.write('stty size\n');
  await r.until(/^30 100\r?$/m, 'the first size');
  conn.resize(41, 120);
  conn.write('stty size\n');
  await r.until(/^41 120\r?$/m, 'the size after the resize');

  // Detach: the shell runs on; a new connection gets its backlog (the history) first.
  conn.close();
  assert.deepEqual((await engine.listShells(id)).map((s) => s.name), [shell.name], 'detached, not ended');
  const again = await engine.connectShell(id, shell.name);
  const r2 = reader(again);
  await r2.until(/hi-from-42[\s\S]*41 120/, 'the backlog on reconnecting');
  again.write('echo still-here\n');
  await r2.until(/^still-here\r?$/m, 'the same shell answering');

  // End: the shell goes (its connection sees it), and so does its socket on the remote.
  await engine.endShell(id, shell.name);
  await until('the end seen by the connection', () => r2.exit !== undefined, 10_000);
  await noShellLeft(c.id);
  assert.deepEqual(await engine.listShells(id), []);
  // A shell that is gone: the error names the host.
  await assert.rejects(engine.connectShell(id, shell.name), /^Error: web-1: .*it has ended/);
});

test('the pane and the detail view on a remote row: processes, config, a signal; a host that is down named', async (t) => {
  // Two sleeps: the one signalled goes, the container runs on with the other.
  const c = await fx.web1.engine.create({ image: 'host', name: 'far2', network: 'none', env: ['MARK=remote-env'], cmd: ['sh', '-c', 'sleep 1001 & exec sleep 1002'] });
  await fx.web1.engine.start(c.id);
  const { controller } = dashboard(['web-1', 'down-1']);
  controller.start();
  t.after(() => controller.stop());
  const row = () => controller.store.get().containers.find((x) => x.name === 'far2');
  await until('the remote row', () => row()?.status === 'running');
  const screen = () => new Screen(controller, false).lines(controller.store.get(), { columns: 160, rows: 40 }).join('\n');

  // The detail view: the remote container's processes (its sleep) and its config from `hutch inspect` there.
  controller.nav.openDetail(row()!.id);
  await until('the remote processes', () => controller.store.get().detail?.procs.some((p) => p.cmd.includes('sleep 1001')), 15_000);
  await until('the remote config in the row', () => row()?.spec.env?.includes('MARK=remote-env'), 10_000);
  const text = await until('the detail view drawn', () => {
    const s = screen();
    return /sleep 1001/.test(s) && /MARK=remote-env/.test(s) && s;
  });
  assert.match(text, /command +sh -c sleep 1001 & exec sleep 1002/);
  assert.match(text, /hostname +[0-9a-f]{12}/);
  assert.equal(controller.store.get().detail?.procsError, undefined);

  // A signal to the sleep, through the remote engine's check of the cgroup.
  const sleeper = controller.store.get().detail!.procs.find((p) => p.cmd.includes('sleep 1001'))!;
  await controller.detail.send({ id: row()!.id, pid: sleeper.pid }, 'KILL');
  assert.equal(controller.store.get().status?.text, `sent SIGKILL to process ${sleeper.pid}`);
  const procs = () => controller.store.get().detail?.procs ?? [];
  await until('the killed sleep gone, the other there', () => !procs().some((p) => p.pid === sleeper.pid) && procs().some((p) => p.cmd.includes('sleep 1002')), 10_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(procs().map((p) => p.cmd))} ${controller.store.get().detail?.procsError ?? ''}`);
  });

  // The pane: a shell beside the remote detail view, output in it.
  await controller.shellPane.open(row() as ContainerInfo);
  assert.equal(controller.store.get().pane?.error, undefined);
  for (const ch of 'echo pane-$((6*7))') controller.handleKey(ch, {});
  controller.handleKey('\r', { return: true });
  await until('the echo in the pane', () => /pane-42/.test(screen()), 15_000);
  // Detached (the pane closed with n), then E again: the same shell, its screen from the backlog.
  const first = controller.store.get().pane!.shell;
  controller.shellPane.close();
  assert.deepEqual((await fx.web1.engine.listShells(c.id)).map((x) => x.name), [first]);
  await controller.shellPane.open(row() as ContainerInfo);
  assert.equal(controller.store.get().status?.text, `reattached to ${first} in far2`);
  await until('the history in the reattached pane', () => /pane-42/.test(screen()), 15_000);
  await controller.shellPane.end();
  await noShellLeft(c.id);

  // A container on a host that is down: one line naming it, the dashboard goes on.
  await until('down-1 down', () => controller.store.get().hostsDown.has('down-1'));
  const ghost = { ...row()!, id: `${c.id}@down-1`, host: 'down-1', name: 'ghost' } as ContainerInfo;
  await controller.shellPane.open(ghost);
  assert.match(controller.store.get().pane?.error ?? '', /^shell: down-1: ssh: Could not resolve hostname down-1/);
  assert.equal(controller.store.get().status?.level, 'error');
  assert.match(controller.store.get().status?.text ?? '', /^shell: down-1: ssh: Could not resolve hostname down-1/, 'the status line says it too');
  controller.shellPane.close();
});
