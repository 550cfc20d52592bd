// hutch-runc under the programs that drive runc (issue 17): containerd 1.6 (its runc v2 shim
// through `ctr --runc-binary`) and podman 4.3 (through conmon, `--runtime`), both Debian's,
// each started by the test with every root, state dir and socket under one temp dir. The
// image is an archive the engine saved (`saveImages`, what `hutch save` writes) of a busybox
// rootfs it imported. Root only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxRootfsTar, REPO, sandbox, type Sandbox } from './helpers.js';

const HUTCH_RUNC = path.join(REPO, 'bin', 'hutch-runc');
const have = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const skip = process.getuid?.() !== 0 ? 'needs root' : !have('containerd') || !have('ctr') ? 'needs containerd (Debian package containerd)' : !have('podman') ? 'needs podman' : false;
const IMAGE = 'localhost/hutch-runc-bb:1';

let sb: Sandbox;
let tmp: string;
let archive: string;
let containerd: ChildProcess | undefined;
// containerd's shim and ctr keep sockets and fifos under /run/containerd whatever the config
// says: removed after if this test made it
const RUN_CONTAINERD = '/run/containerd';
const hadRunContainerd = fs.existsSync(RUN_CONTAINERD);
// podman gives its runtime the state root /run/<runtime's name>: removed after if this test made it
const RUN_HUTCH_RUNC = '/run/hutch-runc';
const hadRunHutchRunc = fs.existsSync(RUN_HUTCH_RUNC);
// ctr's containers go in the cgroup /default/<id> of every hierarchy (a runtime removes
// <id>): /default goes too if this test made it
const cgDefaults = () => fs.readdirSync('/sys/fs/cgroup').map((h) => `/sys/fs/cgroup/${h}/default`);
const hadCgDefault = new Set(cgDefaults().filter((d) => fs.existsSync(d)));

function run(bin: string, args: string[], timeout = 60_000) {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout, env: { ...process.env, TMPDIR: tmp } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const ctr = (...args: string[]) => run('ctr', ['--address', path.join(tmp, 'ctd.sock'), ...args]);
const podmanArgs = () => ['--root', path.join(tmp, 'proot'), '--runroot', path.join(tmp, 'prun'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none', '--runtime', HUTCH_RUNC];
const podman = (...args: string[]) => run('podman', [...podmanArgs(), ...args]);
// podman's default rlimits are above this test process's own (peer-baseline #2)
const LIMITS = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

before(async () => {
  if (skip) return;
  sb = await sandbox();
  // podman refuses a runroot path of more than 50 characters: a short dir of our own
  tmp = fs.mkdtempSync('/tmp/hutch-test-hr-');
  await sb.engine.importImage(busyboxRootfsTar(), IMAGE);
  archive = path.join(tmp, 'bb.tar');
  await sb.engine.saveImages([IMAGE], archive);
});

after(async () => {
  if (skip) return;
  for (const id of ['ct-rm', 'ct-d']) {
    ctr('task', 'kill', '-s', 'KILL', id);
    ctr('task', 'rm', '-f', id);
    ctr('container', 'rm', id);
  }
  if (containerd?.pid) {
    containerd.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 500));
    containerd.kill('SIGKILL');
  }
  run('podman', [...podmanArgs(), 'system', 'reset', '-f']);
  spawnSync('umount', ['-R', path.join(tmp, 'ctd-root')], { stdio: 'ignore' });
  if (!hadRunContainerd) fs.rmSync(RUN_CONTAINERD, { recursive: true, force: true });
  if (!hadRunHutchRunc) fs.rmSync(RUN_HUTCH_RUNC, { recursive: true, force: true });
  for (const d of cgDefaults()) {
    if (hadCgDefault.has(d)) continue;
    try {
      fs.rmdirSync(d);
    } catch {
      /* not there, or not empty: not ours alone */
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  await sb.cleanup();
});

test('containerd: ctr run --runc-binary hutch-runc prints and exits as the command; task exec, ps, kill', { skip }, async () => {
  const cfg = path.join(tmp, 'containerd.toml');
  fs.writeFileSync(cfg, [
    'version = 2',
    `root = "${path.join(tmp, 'ctd-root')}"`,
    `state = "${path.join(tmp, 'ctd-state')}"`,
    '[grpc]',
    `  address = "${path.join(tmp, 'ctd.sock')}"`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    '  disable_tcp_service = true',
    '',
  ].join('\n'));
  containerd = spawn('containerd', ['--config', cfg], { stdio: ['ignore', 'ignore', fs.openSync(path.join(tmp, 'containerd.log'), 'w')] });
  for (let i = 0; i < 100 && ctr('version').status !== 0; i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal(ctr('version').status, 0, `containerd did not start: ${fs.readFileSync(path.join(tmp, 'containerd.log'), 'utf8').slice(-2000)}`);
  const imp = ctr('image', 'import', archive);
  assert.equal(imp.status, 0, `ctr image import: ${imp.stderr}`);

  const runc = ['--runc-binary', HUTCH_RUNC, '--runc-root', path.join(tmp, 'runc-root')];
  const r = ctr('run', ...runc, '--rm', IMAGE, 'ct-rm', 'sh', '-c', 'echo hi from hutch-runc; exit 6');
  assert.equal(r.stdout, 'hi from hutch-runc\n', r.stderr);
  assert.equal(r.status, 6, r.stderr);

  const d = ctr('run', '-d', ...runc, IMAGE, 'ct-d', 'sleep', '100');
  assert.equal(d.status, 0, d.stderr);
  const e = ctr('task', 'exec', '--exec-id', 'e1', 'ct-d', 'sh', '-c', 'echo exec; exit 3');
  assert.equal(e.stdout, 'exec\n', e.stderr);
  assert.equal(e.status, 3);
  const ls = ctr('task', 'ls');
  const line = ls.stdout.split('\n').find((l) => l.startsWith('ct-d '));
  assert.match(line ?? '', /^ct-d\s+(\d+)\s+RUNNING$/, ls.stdout);
  const pid = /^ct-d\s+(\d+)/.exec(line!)![1];
  assert.match(ctr('task', 'ps', 'ct-d').stdout, new RegExp(`^${pid}\\s`, 'm'), 'task ps lists the init');
  assert.equal(ctr('task', 'kill', '-s', 'KILL', 'ct-d').status, 0);
  let status = '';
  for (let i = 0; i < 50 && status !== 'STOPPED'; i++) {
    await new Promise((res) => setTimeout(res, 100));
    status = /^ct-d\s+\d+\s+(\w+)/m.exec(ctr('task', 'ls').stdout)?.[1] ?? '';
  }
  assert.equal(status, 'STOPPED');
  assert.equal(ctr('task', 'rm', 'ct-d').status, 0);
  assert.equal(ctr('container', 'rm', 'ct-d').status, 0);
});

test('podman --runtime hutch-runc: run --rm with its default seccomp profile, run -d, exec, stop, rm', { skip }, () => {
  const load = podman('load', '-i', archive);
  assert.equal(load.status, 0, `podman load: ${load.stderr}`);
  const r = podman('run', '--rm', ...LIMITS, IMAGE, 'sh', '-c', 'grep ^Seccomp: /proc/self/status; exit 5');
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stdout, /^Seccomp:\s+2$/m, 'podman\'s default profile applied');
  const d = podman('run', '-d', '--name', 'hr-d', ...LIMITS, IMAGE, 'sleep', '100');
  assert.equal(d.status, 0, d.stderr);
  const e = podman('exec', 'hr-d', 'sh', '-c', 'echo exec; exit 4');
  assert.equal(e.stdout, 'exec\n', e.stderr);
  assert.equal(e.status, 4);
  // sleep as pid 1 ignores SIGTERM: stop ends it with SIGKILL after -t
  assert.equal(podman('stop', '-t', '1', 'hr-d').status, 0);
  assert.match(podman('ps', '-a', '--format', '{{.Names}} {{.Status}}').stdout, /^hr-d Exited/m);
  assert.equal(podman('rm', 'hr-d').status, 0);
});
