// The native half of bridge networking (native/PROTOCOL.md, "Networking"): the
// addon's link and nftables functions, and hutch-monitor run with the networks
// and ports annotations and a network namespace by path. Root only. Every test
// works in a scratch network namespace of its own (`unshare -n sleep infinity`,
// entered with nsenter): the host's links and firewall are never touched, and
// the namespace (with its bridges, veths and nftables tables) dies with the
// sleep, which is killed by pid even when the test fails (native-harness.ts).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadNative } from '../../src/engine/native/real.js';
import { BUSYBOX, MONITOR, WAIT_GO, bundle as busyboxBundle, scratch, startMonitor as startIn, tmpDir as tmpDirFor, until, type Scratch } from './native-harness.js';

const HAVE_NFT = spawnSync('nft', ['--version']).status === 0;
const skip =
  process.getuid?.() !== 0
    ? 'needs root'
    : !BUSYBOX
      ? 'needs busybox-static'
      : !HAVE_NFT
        ? 'needs nftables (nft)'
        : false;

// The engine's table, reduced to what the monitor touches (research §1.3).
const TABLE = `table ip hutch {
  map pub_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
  map pub_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
  chain publish { dnat ip to ip daddr . meta l4proto . th dport map @pub_ip; dnat ip to meta l4proto . th dport map @pub_any; }
}
`;

const tmpDir = (t: TestContext) => tmpDirFor(t, 'hutch-net-');

/** A busybox bundle; the command waits for rootfs/tmp/go when asked to. */
const bundle = (dir: string, args: string[], annotations: Record<string, string>, netns?: string) =>
  busyboxBundle(dir, args, annotations, { applets: ['sh', 'ip', 'cat', 'sleep', 'true', 'test', '['], ...(netns ? { netns } : {}) });

const startMonitor = (t: TestContext, s: Scratch, b: string) => startIn(t, s, b, 'net-test');

test('addon: createBridge, linkExists, listLinks, deleteLink in the caller\'s namespace', { skip }, async (t) => {
  const s = await scratch(t);
  assert.deepEqual(s.addon(`return [a.linkExists('hn-t1'), a.linkExists('lo')]`), [false, true]);
  s.addon(`a.createBridge('hn-t1', '10.91.0.1/24', 1400)`);
  const show = s.sh(['ip', '-d', '-o', 'addr', 'show', 'dev', 'hn-t1']);
  assert.match(show, /inet 10\.91\.0\.1\/24 brd 10\.91\.0\.255/);
  const link = s.sh(['ip', '-d', '-o', 'link', 'show', 'dev', 'hn-t1']);
  assert.match(link, /mtu 1400/);
  assert.match(link, /bridge/);
  assert.match(link, /<[^>]*\bUP\b/);
  s.addon(`a.createBridge('hn-t2', '10.92.0.1/16')`);
  assert.deepEqual(s.addon(`return a.listLinks('hn-t').sort()`), ['hn-t1', 'hn-t2']);
  assert.deepEqual(s.addon(`return a.listLinks('nothing')`), []);
  assert.deepEqual(
    s.addon(`try { a.createBridge('hn-t1', '10.91.0.1/24'); return null } catch (e) { return [e.code, e.syscall, e.path] }`),
    ['EEXIST', 'RTM_NEWLINK', 'hn-t1'],
  );
  assert.deepEqual(s.addon(`try { a.createBridge('hn-t3', '10.91.0.1'); return null } catch (e) { return e.code }`), 'EINVAL');
  assert.equal(s.addon(`return a.linkExists('hn-t3')`), false);
  s.addon(`a.deleteLink('hn-t1')`);
  assert.equal(s.addon(`return a.linkExists('hn-t1')`), false);
  assert.deepEqual(s.addon(`try { a.deleteLink('hn-t1'); return null } catch (e) { return [e.code, e.errno] }`), ['ENODEV', -19]);
  assert.deepEqual(s.addon(`try { a.linkExists('x'.repeat(16)); return null } catch (e) { return e.code }`), 'EINVAL');
  // The host's namespace was not touched.
  assert.equal(loadNative().linkExists('hn-t2'), false);
});

test('addon: nftTableExists before and after nft -f; nftDeletePorts removes only this container\'s elements', { skip }, async (t) => {
  const s = await scratch(t);
  assert.equal(s.addon(`return a.nftTableExists('hutch')`), false);
  s.sh(['nft', '-f', '-'], { input: TABLE });
  assert.equal(s.addon(`return a.nftTableExists('hutch')`), true);
  assert.equal(s.addon(`return a.nftTableExists('other')`), false);
  s.sh(['nft', 'add', 'element', 'ip', 'hutch', 'pub_any', '{ tcp . 9090 : 10.91.0.3 . 80, udp . 9091 : 10.91.0.4 . 53 }']);
  s.sh(['nft', 'add', 'element', 'ip', 'hutch', 'pub_ip', '{ 127.0.0.1 . tcp . 9092 : 10.91.0.3 . 81 }']);
  // 9091 maps to another container: it stays; the missing 9093 is no error.
  s.addon(`a.nftDeletePorts('hutch', 'tcp:0.0.0.0:9090:80,udp:0.0.0.0:9091:53,tcp:127.0.0.1:9092:81,tcp:0.0.0.0:9093:80', '10.91.0.3')`);
  assert.doesNotMatch(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']), /9090/);
  assert.match(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']), /udp \. 9091 : 10\.91\.0\.4 \. 53/);
  assert.doesNotMatch(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_ip']), /9092/);
  // No table: nothing to delete, not an error (gc).
  s.addon(`a.nftDeletePorts('gone', 'tcp:0.0.0.0:9090:80', '10.91.0.3')`);
  assert.deepEqual(s.addon(`try { a.nftDeletePorts('hutch', 'sctp:0.0.0.0:1:1', '10.91.0.3'); return null } catch (e) { return e.code }`), 'EINVAL');
});

test('monitor: eth0 with address and default route, host end on the bridge with hairpin, ports reserved and published, all gone after exit', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  s.sh(['ip', 'link', 'add', 'hn-br', 'type', 'bridge']);
  s.sh(['ip', 'addr', 'add', '10.93.0.1/24', 'dev', 'hn-br']);
  s.sh(['ip', 'link', 'set', 'hn-br', 'up']);
  s.sh(['nft', '-f', '-'], { input: TABLE });
  const nets = 'bridge=hn-br,veth=hutchtest0,ifname=eth0,address=10.93.0.5/24,gateway=10.93.0.1,mac=02:42:0a:5d:00:05,mtu=1400';
  const ports = 'tcp:0.0.0.0:8080:80,udp:127.0.0.1:5353:53';
  const b = bundle(dir, ['/bin/sh', '-c', `ip -o -4 addr show eth0; ip route; cat /sys/class/net/eth0/address /sys/class/net/eth0/mtu; echo READY; ${WAIT_GO}`], {
    'run.hutch.networks': nets,
    'run.hutch.ports': ports,
  });
  const m = startMonitor(t, s, b);
  await until('the container to report', () => m.out().includes('READY'));
  const out = m.out();
  assert.match(out, /eth0\s+inet 10\.93\.0\.5\/24 brd 10\.93\.0\.255/);
  assert.match(out, /^default via 10\.93\.0\.1 dev eth0/m);
  assert.match(out, /02:42:0a:5d:00:05\n1400\n/);
  assert.match(m.sync(), /^pid \d+ \d+\n/);

  // exec joins the init's network namespace (through its pidfd).
  const initPid = /^pid (\d+)/.exec(m.sync())![1]!;
  const ex = spawnSync(MONITOR, ['exec', '--pid', initPid, '--bundle', b, '--', '/bin/ip', '-o', '-4', 'addr', 'show', 'eth0'], { encoding: 'utf8' });
  assert.equal(ex.status, 0, ex.stderr);
  assert.match(ex.stdout, /inet 10\.93\.0\.5\/24/);

  const host = s.sh(['ip', '-d', '-o', 'link', 'show', 'dev', 'hutchtest0']);
  assert.match(host, /master hn-br/);
  assert.match(host, /hairpin on/);
  assert.match(host, /state UP/);
  assert.match(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']), /tcp \. 8080 : 10\.93\.0\.5 \. 80/);
  assert.match(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_ip']), /127\.0\.0\.1 \. udp \. 5353 : 10\.93\.0\.5 \. 53/);

  // The port is held: a second container asking for it fails and leaves nothing.
  const b2 = bundle(dir, ['/bin/true'], {
    'run.hutch.networks': 'bridge=hn-br,veth=hutchtest1,address=10.93.0.6/24,gateway=10.93.0.1',
    'run.hutch.ports': 'tcp:0.0.0.0:9999:80,tcp:0.0.0.0:8080:80',
  });
  const m2 = startMonitor(t, s, b2);
  assert.equal(await m2.exited, 1);
  assert.equal(m2.sync(), 'error ports EADDRINUSE 98 tcp 0.0.0.0:8080\n');
  assert.equal(fs.existsSync(m2.exitFile), false);
  assert.equal(s.addon(`return a.linkExists('hutchtest1')`), false);
  const any = s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']);
  assert.doesNotMatch(any, /9999/);
  assert.match(any, /tcp \. 8080 : 10\.93\.0\.5 \. 80/, 'the first container keeps its element');

  fs.writeFileSync(path.join(b, 'rootfs', 'tmp', 'go'), '');
  assert.equal(await m.exited, 0);
  assert.equal(fs.readFileSync(m.exitFile, 'utf8'), '0\n');
  assert.match(m.sync(), /exit 0\n$/);
  // By the time the exit file exists: elements removed, host end deleted, ports free.
  assert.doesNotMatch(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']), /8080/);
  assert.doesNotMatch(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_ip']), /5353/);
  assert.equal(s.addon(`return a.linkExists('hutchtest0')`), false);
  // A restart with the same names and ports, right away, works.
  const again = startMonitor(t, s, bundle(dir, ['/bin/true'], { 'run.hutch.networks': nets, 'run.hutch.ports': ports }));
  assert.equal(await again.exited, 0, again.sync());
});

test('monitor: a stale element for the port is replaced; a missing table is reported', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  s.sh(['ip', 'link', 'add', 'hn-br', 'type', 'bridge']);
  s.sh(['ip', 'link', 'set', 'hn-br', 'up']);
  const nets = 'bridge=hn-br,veth=hutchtest2,address=10.94.0.5/24';
  const noTable = startMonitor(t, s, bundle(dir, ['/bin/true'], { 'run.hutch.networks': nets, 'run.hutch.ports': 'tcp:0.0.0.0:8081:80' }));
  assert.equal(await noTable.exited, 1);
  assert.equal(noTable.sync(), 'error nft ENOENT 2 table ip hutch\n');

  s.sh(['nft', '-f', '-'], { input: TABLE });
  s.sh(['nft', 'add', 'element', 'ip', 'hutch', 'pub_any', '{ tcp . 8081 : 10.1.1.1 . 99 }']);
  const b = bundle(dir, ['/bin/sh', '-c', `echo READY; ${WAIT_GO}`], { 'run.hutch.networks': nets, 'run.hutch.ports': 'tcp:0.0.0.0:8081:80', 'run.hutch.nft.table': 'hutch' });
  const m = startMonitor(t, s, b);
  await until('the container to start', () => m.out().includes('READY'));
  assert.match(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']), /tcp \. 8081 : 10\.94\.0\.5 \. 80/);
  fs.writeFileSync(path.join(b, 'rootfs', 'tmp', 'go'), '');
  assert.equal(await m.exited, 0);
  assert.doesNotMatch(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']), /8081/);
});

test('monitor: a missing bridge fails with error net ENODEV, leaving no veth and no element', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  s.sh(['ip', 'link', 'add', 'hn-br', 'type', 'bridge']);
  s.sh(['nft', '-f', '-'], { input: TABLE });
  // The first interface is made, the second fails: the first one's pair is deleted too.
  const b = bundle(dir, ['/bin/true'], {
    'run.hutch.networks': 'bridge=hn-br,veth=hutchtest3,address=10.95.0.5/24;bridge=hn-missing,veth=hutchtest4,ifname=eth1,address=10.96.0.5/24',
    'run.hutch.ports': 'tcp:0.0.0.0:8082:80',
  });
  const m = startMonitor(t, s, b);
  assert.equal(await m.exited, 1);
  assert.equal(m.sync(), 'error net ENODEV 19 bridge hn-missing\n');
  assert.deepEqual(s.addon(`return a.listLinks('hutchtest')`), []);
  assert.doesNotMatch(s.sh(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']), /8082/);

  // A taken veth name is reported, and the link that has it is left alone.
  s.sh(['ip', 'link', 'add', 'hutchtest5', 'type', 'bridge']);
  const m2 = startMonitor(t, s, bundle(dir, ['/bin/true'], { 'run.hutch.networks': 'bridge=hn-br,veth=hutchtest5,address=10.95.0.6/24' }));
  assert.equal(await m2.exited, 1);
  assert.equal(m2.sync(), 'error net EEXIST 17 veth hutchtest5\n');
  assert.equal(s.addon(`return a.linkExists('hutchtest5')`), true);

  const bad = startMonitor(t, s, bundle(dir, ['/bin/true'], { 'run.hutch.networks': 'bridge=hn-br,veth=hutchtest6,address=10.95.0.7' }));
  assert.equal(await bad.exited, 1);
  assert.match(bad.sync(), /^error config EINVAL 22 run\.hutch\.networks \(/);
});

test('monitor: a network namespace by path is joined (container:NAME); other types with a path are refused', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  s.sh(['ip', 'link', 'add', 'hn-seen', 'type', 'bridge']);
  const jb = bundle(dir, ['/bin/sh', '-c', `ip -o link show hn-seen && echo JOINED; ${WAIT_GO}`], {}, `/proc/${s.pid}/ns/net`);
  const m = startMonitor(t, s, jb);
  await until('the container to start', () => m.out().includes('JOINED'));
  const initPid = /^pid (\d+)/.exec(m.sync())![1]!;
  assert.equal(fs.readlinkSync(`/proc/${initPid}/ns/net`), fs.readlinkSync(`/proc/${s.pid}/ns/net`));
  const ex = spawnSync(MONITOR, ['exec', '--pid', initPid, '--bundle', jb, '--', '/bin/ip', '-o', 'link', 'show', 'hn-seen'], { encoding: 'utf8' });
  assert.equal(ex.status, 0, ex.stderr);
  fs.writeFileSync(path.join(jb, 'rootfs', 'tmp', 'go'), '');
  assert.equal(await m.exited, 0);

  const notNet = startMonitor(t, s, bundle(dir, ['/bin/true'], {}, `/proc/${s.pid}/ns/uts`));
  assert.equal(await notNet.exited, 1);
  assert.equal(notNet.sync(), `error netns EINVAL 22 /proc/${s.pid}/ns/uts\n`);

  const b = bundle(dir, ['/bin/true'], {});
  const cfg = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8')) as { linux: { namespaces: { type: string; path?: string }[] } };
  cfg.linux.namespaces[0] = { type: 'ipc', path: `/proc/${s.pid}/ns/ipc` };
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(cfg));
  const other = startMonitor(t, s, b);
  assert.equal(await other.exited, 1);
  assert.equal(other.sync(), 'error config EINVAL 22 namespaces.path\n');
});
