// hutch-monitor net-attach / net-detach (native/PROTOCOL.md): one more interface
// for a running container (`hutch network connect`), and taking it off again.
// Root only. As native-net.test.ts, every test works in a scratch network
// namespace of its own (`unshare -n sleep infinity`, entered with nsenter), so
// the host's links are never touched and everything dies with the sleep, which
// is killed by pid even when a test fails (native-harness.ts).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BUSYBOX, MONITOR, WAIT_GO, bundle, scratch, startMonitor, tmpDir as tmpDirFor, until, type Scratch } from './native-harness.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !BUSYBOX ? 'needs busybox-static' : false;

const tmpDir = (t: TestContext) => tmpDirFor(t, 'hutch-attach-');

interface Container {
  bundle: string;
  pid: string;
  /** hutch-monitor exec of argv in the container. */
  exec(argv: string[]): SpawnSyncReturns<string>;
  /** Lets the container exit; resolves to the monitor's status. */
  stop(): Promise<number | null>;
}

/** hutch-monitor run --attach in the scratch namespace of a busybox bundle on one
 * bridge network that waits for rootfs/tmp/go, until the container runs. */
async function start(t: TestContext, s: Scratch, dir: string, networks: string): Promise<Container> {
  const b = bundle(dir, ['/bin/sh', '-c', `echo READY; ${WAIT_GO}`], { 'run.hutch.networks': networks }, { applets: ['sh', 'ip', 'ping', 'cat', 'sleep'] });
  const m = startMonitor(t, s, b, 'attach-test');
  await until(`the container to start (${m.sync()}${m.out()})`, () => m.out().includes('READY'));
  const pid = String(m.pid());
  return {
    bundle: b,
    pid,
    exec: (argv) => spawnSync(MONITOR, ['exec', '--pid', pid, '--bundle', b, '--', ...argv], { encoding: 'utf8', timeout: 10_000 }),
    stop: () => {
      fs.writeFileSync(path.join(b, 'rootfs', 'tmp', 'go'), '');
      return m.exited;
    },
  };
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
