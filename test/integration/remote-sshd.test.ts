// Several hosts over a real sshd (Debian's openssh-server) and the real ssh client:
// sshd runs in a network namespace this test makes, on a veth address
// (198.51.100.2, TEST-NET-2), with its own host key, a key made for the test and
// AuthorizedKeysFile in a temp dir; never the machine's sshd. The client reaches it
// through an ssh_config entry (as a user's ~/.ssh/config would: a host alias, its
// address, port, user and key; StrictHostKeyChecking=no with a temp known_hosts),
// given with -F by a two-line wrapper on PATH. The dashboard's composite shows the
// remote container's row through it and stops it on the remote side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { HUTCH, sandbox, type Sandbox } from './helpers.js';
import type { ContainerInfo } from '../../src/engine/types.js';
import { remoteDashboard, secondRoot, until, type SecondRoot } from './remote-fixture.js';

const HERE = '198.51.100.1';
const THERE = '198.51.100.2';
const PORT = 2222;

let sb: Sandbox;
let remote1: SecondRoot;
let tmp: string;
let holder: ChildProcess | undefined;
let sshd: ChildProcess | undefined;
let madeRunSshd = false;
let sshdLog = '';

function must(argv: string[], what: string): void {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${what}: ${argv.join(' ')}: exit ${r.status}: ${r.stderr}${r.error ?? ''}`);
}

before(async () => {
  sb = await sandbox();
  remote1 = await secondRoot('hutch-it-sshd-root-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-it-sshd-'));
  // The remote machine's network: a namespace held by a sleep, a veth from ours to it.
  holder = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  const ours = fs.readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 500; i++) {
    let ns = '';
    try {
      ns = fs.readlinkSync(`/proc/${holder.pid}/ns/net`);
    } catch {
      // not there yet
    }
    if (ns && ns !== ours) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const inThere = (argv: string[]) => ['nsenter', `--net=/proc/${holder!.pid}/ns/net`, '--', ...argv];
  must(['ip', 'link', 'add', 'hutchssh0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(holder.pid)], 'veth');
  must(['ip', 'addr', 'add', `${HERE}/24`, 'dev', 'hutchssh0'], 'address here');
  must(['ip', 'link', 'set', 'hutchssh0', 'up'], 'veth up here');
  must(inThere(['ip', 'addr', 'add', `${THERE}/24`, 'dev', 'eth0']), 'address there');
  must(inThere(['ip', 'link', 'set', 'eth0', 'up']), 'veth up there');
  must(inThere(['ip', 'link', 'set', 'lo', 'up']), 'lo up there');
  // Its own host key, a key for the test, authorized in a file of the test's.
  must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path.join(tmp, 'host_key')], 'host key');
  must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path.join(tmp, 'id')], 'client key');
  fs.copyFileSync(path.join(tmp, 'id.pub'), path.join(tmp, 'authorized_keys'));
  fs.writeFileSync(
    path.join(tmp, 'sshd_config'),
    [
      `ListenAddress ${THERE}:${PORT}`,
      `HostKey ${path.join(tmp, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(tmp, 'authorized_keys')}`,
      `PidFile ${path.join(tmp, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The temp dir is world-writable (/tmp): sshd's check of the key file's directories would refuse it.
      'StrictModes no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  // sshd insists on its privilege separation directory (compiled in); made only if missing, removed after.
  if (!fs.existsSync('/run/sshd')) {
    fs.mkdirSync('/run/sshd', { mode: 0o755 });
    madeRunSshd = true;
  }
  sshd = spawn('nsenter', [`--net=/proc/${holder.pid}/ns/net`, '--', '/usr/sbin/sshd', '-D', '-e', '-f', path.join(tmp, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd.stderr!.setEncoding('utf8').on('data', (d: string) => (sshdLog += d));
  for (let i = 0; i < 500 && !/Server listening/.test(sshdLog); i++) {
    if (sshd.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (!/Server listening/.test(sshdLog)) throw new Error(`sshd did not start: ${sshdLog}`);
  // The client's side: a host alias as in a user's ~/.ssh/config, through a wrapper that passes the file.
  fs.writeFileSync(
    path.join(tmp, 'ssh_config'),
    [
      'Host remote-1',
      `  HostName ${THERE}`,
      `  Port ${PORT}`,
      '  User root',
      `  IdentityFile ${path.join(tmp, 'id')}`,
      '  IdentitiesOnly yes',
      '  StrictHostKeyChecking no',
      `  UserKnownHostsFile ${path.join(tmp, 'known_hosts')}`,
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  fs.mkdirSync(path.join(tmp, 'bin'));
  fs.writeFileSync(path.join(tmp, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${path.join(tmp, 'ssh_config')} "$@"\n`, { mode: 0o755 });
});

after(async () => {
  await remote1?.cleanup();
  if (sshd?.pid && sshd.exitCode === null) sshd.kill('SIGTERM');
  if (holder?.pid && holder.exitCode === null) holder.kill('SIGKILL');
  if (madeRunSshd) fs.rmSync('/run/sshd', { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  await sb?.cleanup();
});

test('a real sshd on a veth: the remote container\'s row comes through ssh\'s master, and stop reaches it', async (t) => {
  const engine2 = remote1.engine;
  const there = await engine2.create({ image: 'host', name: 'over-ssh', network: 'none', cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1000 & wait'] });
  await engine2.start(there.id);
  const env = {
    ...process.env,
    PATH: `${path.join(tmp, 'bin')}:${process.env.PATH}`,
    // sshd runs the command with a login's environment: the remote hutch's root and cgroup parent said here.
    HUTCH_REMOTE_COMMAND: `env HUTCH_ROOT=${remote1.root} HUTCH_CGROUP_PARENT=${sb.cgroupParent} ${process.execPath} ${HUTCH}`,
  };
  const { ssh, remotes, stats, engine } = remoteDashboard(sb.engine, ['remote-1'], env);
  let rows: ContainerInfo[] = [];
  const off = stats.onSample((_s, _h, list) => (rows = list));
  stats.start(500);
  t.after(() => {
    off();
    stats.stop();
  });
  const row = () => rows.find((c) => c.name === 'over-ssh');
  await until(`the row over ssh (${remotes.hosts()[0].error ?? 'no error'}; sshd: ${sshdLog.slice(-300)})`, () => row()?.status === 'running', 30_000);
  assert.equal(row()!.host, 'remote-1');
  assert.equal(remotes.hosts()[0].state, 'up');
  // The master ssh made is in our private directory: the actions go through it.
  assert.equal(fs.readdirSync(ssh.controlDir).length, 1, 'one control socket');
  const logins = (sshdLog.match(/Accepted publickey/g) ?? []).length;
  await engine.stop(row()!.id, 5);
  assert.equal((await engine2.inspect(there.id)).status, 'exited');
  assert.equal((sshdLog.match(/Accepted publickey/g) ?? []).length, logins, 'no second login: the stop went over the master');
  await until('the stopped row', () => row()?.status === 'exited', 30_000);

  // The stream's ssh (a client of the master) killed: the host is down, then back through
  // the master, and the remote end of the dropped stream is gone (no hutch left behind).
  const host = remotes.host('remote-1')!;
  const pid = host.pid!;
  process.kill(pid, 'SIGKILL');
  await until('remote-1 down', () => remotes.hosts()[0].state === 'down', 30_000);
  await until('remote-1 back', () => remotes.hosts()[0].state === 'up' && host.pid !== pid, 15_000);
  // The remote ends: hutch's stats processes whose parent is not our ssh (its command line names them too).
  const streams = () =>
    spawnSync('pgrep', ['-a', '-f', `${HUTCH} stats --json`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((l) => l && !/ssh /.test(l));
  await until('one remote stream left', () => streams().length === 1, 15_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${streams().join(' | ')}`);
  });
});

test('a real sshd: the shell pane\'s shell on the remote container, detached by closing and reattached with its history', async (t) => {
  const c = await remote1.engine.create({ image: 'host', name: 'shell-over-ssh', network: 'none', cmd: ['sleep', '1000'] });
  await remote1.engine.start(c.id);
  const env = {
    ...process.env,
    PATH: `${path.join(tmp, 'bin')}:${process.env.PATH}`,
    HUTCH_REMOTE_COMMAND: `env HUTCH_ROOT=${remote1.root} HUTCH_CGROUP_PARENT=${sb.cgroupParent} ${process.execPath} ${HUTCH}`,
  };
  const { remotes, engine } = remoteDashboard(sb.engine, ['remote-1'], env);
  t.after(() => remotes.close());
  const id = `${c.id}@remote-1`;
  // The relays sshd runs (not our ssh client, whose command line names the remote command too).
  const relays = () =>
    spawnSync('pgrep', ['-a', '-f', `${HUTCH} shell-serve connect`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((l) => l.startsWith(`${l.split(' ')[0]} ${process.execPath} ${HUTCH} shell-serve connect`));
  const shell = await engine.openShell(id, { rows: 24, cols: 80 });
  const conn = await engine.connectShell(id, shell.name);
  let text = '';
  conn.onData((d) => (text += d.toString()));
  conn.resize(24, 80);
  conn.write('echo over-$((20+1)); stty size\n');
  await until(`the echo over sshd (got ${JSON.stringify(text.slice(-200))})`, () => /over-21\r?\n24 80/.test(text), 15_000);
  assert.equal(relays().length, 1, 'one relay on the remote side');
  // Closing detaches: ssh's stdin ends, the relay there lets go; the shell runs on.
  conn.close();
  await until('the remote relay gone', () => relays().length === 0, 10_000);
  assert.deepEqual((await engine.listShells(id)).map((s) => s.name), [shell.name]);
  const again = await engine.connectShell(id, shell.name);
  let text2 = '';
  again.onData((d) => (text2 += d.toString()));
  await until('the backlog over sshd', () => /over-21/.test(text2), 10_000);
  let exit: number | null | undefined;
  again.onEnd((code) => (exit = code));
  again.write('exit 7\n');
  await until('the shell\'s status over sshd', () => exit !== undefined, 10_000);
  assert.equal(exit, 7);
});
