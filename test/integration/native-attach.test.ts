// hutch-monitor net-attach / net-detach (native/PROTOCOL.md): one more interface
// for a running container (`hutch network connect`), and taking it off again.
// Root only. As native-net.test.ts, every test works in a scratch network
// namespace of its own (`unshare -n sleep infinity`, entered with nsenter), so
// the host's links are never touched and everything dies with the sleep, which
// is killed by pid even when a test fails. (Its helpers are repeated here, not
// imported: importing a test file would register its tests in this one.)
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './helpers.js';
import { loadNative } from '../../src/engine/native/real.js';

const MONITOR = loadNative().monitorPath;
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
const skip = process.getuid?.() !== 0 ? 'needs root' : !BUSYBOX ? 'needs busybox-static' : false;

interface Scratch {
  pid: number;
  sh(argv: string[], opts?: { allowFail?: boolean }): string;
  /** argv in the scratch namespace, whatever its status. */
  run(argv: string[]): SpawnSyncReturns<string>;
  addon(code: string): unknown;
  enter: string[];
}

async function scratch(t: TestContext): Promise<Scratch> {
  const child = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const pid = child.pid!;
  const own = fs.readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 200; i++) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/ns/net`) !== own && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep') break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/net`), own, 'scratch namespace');
  const enter = ['nsenter', `--net=/proc/${pid}/ns/net`];
  const run = (argv: string[]) => spawnSync(enter[0]!, [...enter.slice(1), ...argv], { encoding: 'utf8' });
  const sh = (argv: string[], opts: { allowFail?: boolean } = {}): string => {
    const r = run(argv);
    if (r.status !== 0 && !opts.allowFail) throw new Error(`${argv.join(' ')}: ${r.status} ${r.stderr}`);
    return r.stdout;
  };
  const addon = (code: string): unknown => {
    const js = `const {addon: a} = require('@hutch/native'); const r = (() => { ${code} })(); process.stdout.write(JSON.stringify(r === undefined ? null : r));`;
    const r = spawnSync(enter[0]!, [...enter.slice(1), process.execPath, '-e', js], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`addon: ${r.stderr}`);
    return JSON.parse(r.stdout) as unknown;
  };
  sh(['ip', 'link', 'set', 'lo', 'up']);
  return { pid, sh, run, addon, enter };
}

function tmpDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-attach-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const WAIT_GO = 'while [ ! -e /tmp/go ]; do sleep 0.02; done';

/** A busybox bundle on one bridge network that waits for rootfs/tmp/go. */
function bundle(dir: string, networks: string): string {
  const b = path.join(dir, `bundle-${Math.random().toString(16).slice(2, 8)}`);
  const rootfs = path.join(b, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(BUSYBOX!, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'ip', 'ping', 'cat', 'sleep']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
  const config = {
    ociVersion: '1.0.2',
    root: { path: 'rootfs' },
    hostname: 'c',
    process: { args: ['/bin/sh', '-c', `echo READY; ${WAIT_GO}`], env: ['PATH=/bin'], cwd: '/' },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
    ],
    linux: { namespaces: ['mount', 'pid', 'uts', 'ipc', 'network'].map((type) => ({ type })) },
    annotations: { 'run.hutch.networks': networks },
  };
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(config));
  return b;
}

interface Container {
  bundle: string;
  pid: string;
  /** hutch-monitor exec of argv in the container. */
  exec(argv: string[]): SpawnSyncReturns<string>;
  /** Lets the container exit; resolves to the monitor's status. */
  stop(): Promise<number | null>;
}

/** hutch-monitor run --attach in the scratch namespace, until the container runs. */
async function start(t: TestContext, s: Scratch, dir: string, networks: string): Promise<Container> {
  const b = bundle(dir, networks);
  const child: ChildProcess = spawn(
    s.enter[0]!,
    [...s.enter.slice(1), MONITOR, 'run', '--bundle', b, '--id', 'attach-test', '--log', path.join(b, 'log'), '--exit-file', path.join(b, 'exit'), '--attach', '--sync-fd', '3'],
    { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let sync = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (sync += d));
  const exited = once(child, 'close').then(([code]) => code as number | null);
  await until(`the container to start (${sync}${out})`, () => out.includes('READY'));
  const pid = /^pid (\d+)/.exec(sync)![1]!;
  return {
    bundle: b,
    pid,
    exec: (argv) => spawnSync(MONITOR, ['exec', '--pid', pid, '--bundle', b, '--', ...argv], { encoding: 'utf8', timeout: 10_000 }),
    stop: () => {
      fs.writeFileSync(path.join(b, 'rootfs', 'tmp', 'go'), '');
      return exited;
    },
  };
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** net-attach / net-detach in the scratch namespace, with the sync fd on stdout. */
function attach(s: Scratch, pid: string | number, spec: string): SpawnSyncReturns<string> {
  return s.run([MONITOR, 'net-attach', '--pid', String(pid), '--network', spec, '--sync-fd', '1']);
}
function detach(s: Scratch, pid: string | number, veth: string): SpawnSyncReturns<string> {
  return s.run([MONITOR, 'net-detach', '--pid', String(pid), '--veth', veth, '--sync-fd', '1']);
}

function links(c: Container): string {
  const r = c.exec(['ip', '-o', 'link']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('net-attach: eth1 on a second bridge is addressed and reaches its gateway; a taken name or a missing bridge leaves nothing; net-detach takes it off', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  s.sh(['ip', 'link', 'add', 'hn-bra', 'type', 'bridge']);
  s.sh(['ip', 'addr', 'add', '10.97.0.1/24', 'dev', 'hn-bra']);
  s.sh(['ip', 'link', 'set', 'hn-bra', 'up']);
  const c = await start(t, s, dir, 'bridge=hn-bra,veth=hutchat0,ifname=eth0,address=10.97.0.5/24,gateway=10.97.0.1');
  s.addon(`a.createBridge('hn-brb', '10.78.3.1/24')`);

  const spec = 'bridge=hn-brb,veth=hutchat1,ifname=eth1,address=10.78.3.4/24,gateway=10.78.3.1,mac=02:42:0a:4e:03:04,mtu=1400';
  const r = attach(s, c.pid, spec);
  assert.equal(r.stdout, 'ok\n', r.stderr);
  assert.equal(r.status, 0);
  const addr = c.exec(['ip', '-o', '-4', 'addr', 'show', 'eth1']);
  assert.match(addr.stdout, /eth1\s+inet 10\.78\.3\.4\/24 brd 10\.78\.3\.255/);
  assert.match(c.exec(['cat', '/sys/class/net/eth1/address', '/sys/class/net/eth1/mtu']).stdout, /^02:42:0a:4e:03:04\n1400\n$/);
  // The container had a default route: it keeps it.
  const routes = c.exec(['ip', 'route']).stdout;
  assert.match(routes, /^default via 10\.97\.0\.1 dev eth0/m);
  assert.doesNotMatch(routes, /default via 10\.78\.3\.1/);
  const ping = c.exec(['ping', '-c', '1', '-W', '2', '10.78.3.1']);
  assert.equal(ping.status, 0, ping.stdout + ping.stderr);
  const host = s.sh(['ip', '-d', '-o', 'link', 'show', 'dev', 'hutchat1']);
  assert.match(host, /master hn-brb/);
  assert.match(host, /hairpin on/);
  assert.match(host, /state UP/);

  // The same host name again: refused, and the pair that has it is untouched.
  const again = attach(s, c.pid, 'bridge=hn-brb,veth=hutchat1,ifname=eth2,address=10.78.3.5/24');
  assert.equal(again.stdout, 'error net EEXIST 17 veth hutchat1\n');
  assert.equal(again.status, 1);
  assert.doesNotMatch(links(c), /eth2/);
  assert.match(s.sh(['ip', '-o', 'link', 'show', 'dev', 'hutchat1']), /master hn-brb/);
  // The container's name taken: the new host end is not left behind.
  const taken = attach(s, c.pid, 'bridge=hn-brb,veth=hutchat2,ifname=eth1,address=10.78.3.5/24');
  assert.equal(taken.stdout, 'error net EEXIST 17 link eth1\n');
  assert.equal(s.addon(`return a.linkExists('hutchat2')`), false);
  // A missing bridge: no veth made.
  const nobr = attach(s, c.pid, 'bridge=hn-nope,veth=hutchat3,ifname=eth3,address=10.79.0.5/24');
  assert.equal(nobr.stdout, 'error net ENODEV 19 bridge hn-nope\n');
  assert.equal(nobr.status, 1);
  assert.deepEqual(s.addon(`return a.listLinks('hutchat').sort()`), ['hutchat0', 'hutchat1']);
  assert.doesNotMatch(links(c), /eth3/);
  assert.match(c.exec(['ip', '-o', '-4', 'addr', 'show', 'eth1']).stdout, /10\.78\.3\.4\/24/, 'eth1 survives the failures');
  // Two interfaces, or a malformed one: an argument error.
  assert.match(attach(s, c.pid, `${spec};${spec}`).stdout, /^error args EINVAL 22 --network /);
  assert.match(attach(s, c.pid, 'bridge=hn-brb,veth=hutchat3,address=10.78.3.9').stdout, /^error args EINVAL 22 --network /);

  // Without a sync fd: status 0 and nothing on stdout.
  const off = s.run([MONITOR, 'net-detach', '--pid', c.pid, '--veth', 'hutchat1']);
  assert.equal(off.status, 0, off.stderr);
  assert.equal(off.stdout, '');
  assert.equal(s.addon(`return a.linkExists('hutchat1')`), false);
  assert.doesNotMatch(links(c), /eth1/);
  assert.equal(detach(s, c.pid, 'hutchat1').stdout, 'error net ENODEV 19 veth hutchat1\n');
  // The names are free at once.
  assert.equal(attach(s, c.pid, spec).stdout, 'ok\n');
  assert.match(links(c), /eth1/);

  assert.equal(await c.stop(), 0);
});

test('net-attach: a default route when the container has none; net-detach refuses another container\'s veth; a dead pid is ESRCH', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  s.addon(`a.createBridge('hn-bra', '10.97.0.1/24'); a.createBridge('hn-brb', '10.78.3.1/24')`);
  const c1 = await start(t, s, dir, 'bridge=hn-bra,veth=hutchat4,address=10.97.0.5/24,gateway=10.97.0.1');
  // An --internal network: no default route until the attached one.
  const c2 = await start(t, s, dir, 'bridge=hn-bra,veth=hutchat5,address=10.97.0.6/24');
  assert.doesNotMatch(c2.exec(['ip', 'route']).stdout, /default/);
  assert.equal(attach(s, c2.pid, 'bridge=hn-brb,veth=hutchat6,ifname=eth1,address=10.78.3.6/24,gateway=10.78.3.1').stdout, 'ok\n');
  assert.match(c2.exec(['ip', 'route']).stdout, /^default via 10\.78\.3\.1 dev eth1/m);

  // c2's ends, or a link that is no veth, are not c1's to detach.
  for (const veth of ['hutchat5', 'hutchat6']) {
    const r = detach(s, c1.pid, veth);
    assert.equal(r.stdout, `error net EINVAL 22 veth ${veth} (its peer is not in the network namespace of ${c1.pid})\n`);
    assert.equal(r.status, 1);
    assert.equal(s.addon(`return a.linkExists('${veth}')`), true);
  }
  assert.equal(detach(s, c1.pid, 'hn-brb').stdout, 'error net EINVAL 22 veth hn-brb (not a veth)\n');
  assert.match(c2.exec(['ip', '-o', 'link']).stdout, /eth1/);
  // The scratch namespace is the caller's own: no container's.
  assert.equal(detach(s, s.pid, 'hutchat5').stdout, `error netns EINVAL 22 ${s.pid} (the caller's own network namespace)\n`);

  const dead = spawnSync('true').pid!;
  const r = attach(s, dead, 'bridge=hn-brb,veth=hutchat7,ifname=eth1,address=10.78.3.7/24');
  assert.equal(r.stdout, `error pid ESRCH 3 ${dead}\n`);
  assert.equal(r.status, 1);
  assert.equal(detach(s, dead, 'hutchat6').stdout, `error pid ESRCH 3 ${dead}\n`);
  assert.equal(s.addon(`return a.linkExists('hutchat7')`), false);

  assert.equal(detach(s, c2.pid, 'hutchat6').stdout, 'ok\n');
  assert.equal(await c1.stop(), 0);
  assert.equal(await c2.stop(), 0);
});
