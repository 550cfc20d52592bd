// The pure parts of networking: -p parsing, subnets, leases, the network records,
// the rule set text and the /etc files a container gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkDuplicates, formatPortsColumn, parsePublish, portsAnnotation } from '../../src/engine/network/ports.js';
import { hostRoutes, overlaps, parseCidr } from '../../src/engine/network/subnet.js';
import { allocate, leases, release } from '../../src/engine/network/ipam.js';
import { defaultBridge, findNetwork, listNetworks, writeNewNetwork } from '../../src/engine/network/store.js';
import { fullTable, networkElements } from '../../src/engine/network/ruleset.js';
import { hostsFile, resolvConf } from '../../src/engine/network/etc-files.js';
import { MAX_EXTRA_ENDPOINTS, networkAnnotations, vethName } from '../../src/engine/network/endpoint.js';
import { ensureNetwork } from '../../src/engine/network/setup.js';
import { FakeNative } from '../../src/engine/native/fake.js';
import { resolvePaths } from '../../src/engine/paths.js';
import { Conflict, InvalidArgument } from '../../src/engine/errors.js';

test('-p: docker forms, ranges, protocols; errors name the bad part', () => {
  assert.deepEqual(parsePublish('8080:80'), [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1:5353:53/udp'), [{ hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' }]);
  assert.deepEqual(parsePublish('80'), [{ hostIp: '0.0.0.0', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1::80'), [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(
    parsePublish('8000-8002:9000-9002').map((p) => `${p.hostPort}:${p.containerPort}`),
    ['8000:9000', '8001:9001', '8002:9002'],
  );
  for (const [bad, msg] of [
    ['99999:80', /invalid hostPort: 99999/],
    ['abc', /invalid containerPort: abc/],
    ['80:80/sctpx', /invalid proto: sctpx/],
    ['0:80', /invalid hostPort: 0/],
    ['1:2:3:4', /invalid publish spec/],
    ['300.1.1.1:80:80', /invalid IP address/],
  ] as const)
    assert.throws(() => parsePublish(bad), (e: Error) => e instanceof InvalidArgument && msg.test(e.message), bad);
  assert.throws(() => checkDuplicates([...parsePublish('8080:80'), ...parsePublish('127.0.0.1:8080:81')]), /8080 failed: port is already allocated/);
  checkDuplicates([...parsePublish('8080:80'), ...parsePublish('8080:80/udp')]);
  assert.equal(formatPortsColumn(parsePublish('8080:80')), '0.0.0.0:8080->80/tcp');
  assert.equal(portsAnnotation(parsePublish('127.0.0.1:5353:53/udp')), 'udp:127.0.0.1:5353:53');
});

test('subnets: parse, overlap, host routes from /proc/net/route', () => {
  assert.throws(() => parseCidr('10.0.0.1/24'), /host bits are set \(did you mean 10.0.0.0\/24\?\)/);
  assert.throws(() => parseCidr('10.0.0.0/33'), InvalidArgument);
  assert.ok(overlaps(parseCidr('10.77.0.0/16'), parseCidr('10.77.3.0/24')));
  assert.ok(!overlaps(parseCidr('10.77.0.0/16'), parseCidr('10.78.0.0/24')));
  const route = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n' +
    'eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\n' + // default: ignored
    'eth0\t00004D0A\t00000000\t0001\t0\t0\t0\t0000FFFF\n'; // 10.77.0.0/16
  const r = hostRoutes('x', () => route);
  assert.deepEqual(r.map((c) => `${c.base >>> 24}.${(c.base >>> 16) & 255}/${c.prefix}`), ['10.77/16']);
});

function tmpPaths() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-net-unit-'));
  return { dir, paths: resolvePaths(dir) };
}

test('network records: default pool skips host routes; user networks get /24s; checks', () => {
  const { dir, paths } = tmpPaths();
  const routes = path.join(dir, 'route');
  fs.writeFileSync(routes, 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth0\t00004D0A\t00000000\t0001\t0\t0\t0\t0000FFFF\n');
  try {
    const def = writeNewNetwork(paths, { name: 'bridge' }, routes);
    assert.equal(def.subnet, '10.79.0.0/16', '10.77/16 is a host route here');
    assert.match(def.bridge, /^hutchd[0-9a-f]{9}$/, 'a root of its own: a default bridge of its own');
    assert.equal(defaultBridge({ ...paths, cgroupParent: 'hutch' }), 'hutch0', 'the default root: hutch0');
    assert.equal(def.gateway, '10.79.0.1');
    assert.equal(def.dns, false);
    const app = writeNewNetwork(paths, { name: 'app' }, routes);
    assert.equal(app.subnet, '10.78.0.0/24');
    assert.match(app.bridge, /^hutchbr[0-9a-f]{8}$/);
    assert.ok(app.bridge.length <= 15);
    const app2 = writeNewNetwork(paths, { name: 'app2' }, routes);
    assert.equal(app2.subnet, '10.78.1.0/24');
    assert.throws(() => writeNewNetwork(paths, { name: 'app' }, routes), (e: Error) => e instanceof Conflict && /already exists/.test(e.message));
    assert.throws(() => writeNewNetwork(paths, { name: 'x', subnet: '10.78.0.0/16' }, routes), /Pool overlaps/);
    assert.throws(() => writeNewNetwork(paths, { name: 'x', subnet: '10.90.0.0/24', gateway: '10.91.0.1' }, routes), /not a host address/);
    assert.throws(() => writeNewNetwork(paths, { name: 'none' }, routes), /reserved/);
    assert.throws(() => writeNewNetwork(paths, { name: 'bad name' }, routes), /invalid network name/);
    const custom = writeNewNetwork(paths, { name: 'c', subnet: '10.90.0.0/24', gateway: '10.90.0.254', internal: true }, routes);
    assert.equal(custom.gateway, '10.90.0.254');
    assert.deepEqual(listNetworks(paths).map((n) => n.name), ['app', 'app2', 'bridge', 'c']);
    assert.equal(findNetwork(paths, app.id.slice(0, 6))?.name, 'app');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('leases: first free address, the gateway skipped, --ip checked, released by owner only', () => {
  const { dir, paths } = tmpPaths();
  try {
    const n = writeNewNetwork(paths, { name: 'small', subnet: '10.90.0.0/29' }, '/nonexistent');
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    assert.equal(allocate(paths, n, a), '10.90.0.2');
    assert.equal(allocate(paths, n, b), '10.90.0.3');
    assert.throws(() => allocate(paths, n, 'c'.repeat(64), '10.90.0.3'), /Address already in use/);
    assert.throws(() => allocate(paths, n, 'c'.repeat(64), '10.90.0.1'), /not a free host address/);
    assert.throws(() => allocate(paths, n, 'c'.repeat(64), '10.90.0.7'), /not a free host address/, 'broadcast');
    release(paths, n, '10.90.0.2', b); // not b's
    assert.equal(leases(paths, n).get('10.90.0.2'), a);
    release(paths, n, '10.90.0.2', a);
    assert.equal(allocate(paths, n, 'd'.repeat(64)), '10.90.0.2');
    for (let i = 0; i < 3; i++) allocate(paths, n, String(i).repeat(64));
    assert.throws(() => allocate(paths, n, 'e'.repeat(64)), /no available IPv4 addresses/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rule set: one table, guard and NAT chains, networks as elements', () => {
  const { dir, paths } = tmpPaths();
  try {
    const n = writeNewNetwork(paths, { name: 'app', subnet: '10.90.0.0/24', internal: true }, '/nonexistent');
    const t = fullTable([n], [{ port: parsePublish('8080:80')[0], containerIp: '10.90.0.2' }, { port: parsePublish('127.0.0.1:53:53/udp')[0], containerIp: '10.90.0.3' }]);
    assert.match(t, /^add table ip hutch\ndelete table ip hutch\ntable ip hutch \{/);
    assert.match(t, /ip daddr 127\.0\.0\.0\/8 iifname != "lo" drop/);
    assert.match(t, /ct status & dnat == 0 drop/);
    assert.match(t, /add element ip hutch internal \{ "hutchbr/);
    assert.match(t, /add element ip hutch pub_any \{ tcp \. 8080 : 10\.90\.0\.2 \. 80 \}/);
    assert.match(t, /add element ip hutch pub_ip \{ 127\.0\.0\.1 \. udp \. 53 : 10\.90\.0\.3 \. 53 \}/);
    assert.match(networkElements([n], 'delete'), /^delete element ip hutch bridges/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureNetwork: nothing done when all is there; a lost table is rebuilt; a missing bridge made', () => {
  const native = new FakeNative();
  const net = { id: 'f'.repeat(64), name: 'app', driver: 'bridge' as const, bridge: 'hutchbrffffffff', subnet: '10.90.0.0/24', gateway: '10.90.0.1', internal: false, labels: {}, created: '', dns: true };
  const deps = { native, networks: () => [net], activePorts: () => [] };
  ensureNetwork(deps, net);
  assert.equal(native.nftScripts.length, 1);
  assert.match(native.nftScripts[0], /^add table ip hutch/);
  assert.ok(native.linkExists('hutchbrffffffff'));
  assert.deepEqual([...native.sysctls], [['net.ipv4.conf.hutchbrffffffff.route_localnet', '1'], ['net.ipv4.ip_forward', '1']]);
  ensureNetwork(deps, net);
  assert.equal(native.nftScripts.length, 1, 'no nft run when the table and bridge exist');
  native.deleteLink('hutchbrffffffff');
  ensureNetwork(deps, net);
  assert.match(native.nftScripts[1], /^add element ip hutch bridges/, 'only the elements when the table exists');
});

test('/etc/hosts, /etc/resolv.conf and the monitor annotations', () => {
  const e = { network: 'app', networkId: 'x', ipAddress: '10.90.0.2', prefixLen: 24, gateway: '10.90.0.1', macAddress: '02:42:0a:5a:00:02', veth: 'hutchv123456789', ifname: 'eth0', bridge: 'hutchbr1', aliases: [] };
  assert.equal(hostsFile('web', e, ['db:10.0.0.9']), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.9\tdb\n10.90.0.2\tweb\n');
  assert.match(hostsFile('web', undefined), /127\.0\.1\.1\tweb\n$/);
  const host = 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n';
  const upstream = 'nameserver 192.168.1.1\n';
  assert.equal(resolvConf({}, host, upstream), 'search lan\nnameserver 192.168.1.1\noptions edns0 trust-ad\n');
  assert.equal(resolvConf({}, 'nameserver 127.0.0.1\n', ''), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  assert.equal(resolvConf({ dns: ['1.1.1.1'], dnsSearch: ['x.y'] }, host, upstream), 'search x.y\nnameserver 1.1.1.1\noptions edns0 trust-ad\n');
  assert.deepEqual(networkAnnotations([e], parsePublish('8080:80'), () => false), {
    'run.hutch.networks': 'bridge=hutchbr1,veth=hutchv123456789,ifname=eth0,address=10.90.0.2/24,gateway=10.90.0.1,mac=02:42:0a:5a:00:02',
    'run.hutch.ports': 'tcp:0.0.0.0:8080:80',
  });
  assert.doesNotMatch(networkAnnotations([e], [], () => true)['run.hutch.networks'], /gateway/, 'internal: no default route');
  const e1 = { ...e, network: 'b', ifname: 'eth1', veth: 'hutchv12345601', ipAddress: '10.91.0.2' };
  assert.equal(
    networkAnnotations([e, e1], [], (x) => x.network === 'b')['run.hutch.networks'],
    'bridge=hutchbr1,veth=hutchv123456789,ifname=eth0,address=10.90.0.2/24,gateway=10.90.0.1,mac=02:42:0a:5a:00:02;bridge=hutchbr1,veth=hutchv12345601,ifname=eth1,address=10.91.0.2/24,mac=02:42:0a:5a:00:02',
  );
});

test('names on a DNS network: one link per alias, first come first served, removed by owner; the monitor annotation; upstreams', async () => {
  const { registerNames, unregisterNames, namesDir, dnsAnnotation, upstreams } = await import('../../src/engine/network/names.js');
  const { dir, paths } = tmpPaths();
  try {
    const e = { network: 'app', networkId: 'n1', ipAddress: '10.90.0.2', prefixLen: 24, gateway: '10.90.0.1', macAddress: '', veth: '', ifname: 'eth0', bridge: '', aliases: ['Web', 'abc123', 'db.internal', '../x', 'bad/name'] };
    registerNames(paths, e);
    const d = namesDir(paths, 'n1');
    assert.deepEqual(fs.readdirSync(d).sort(), ['abc123', 'db.internal', 'web']);
    assert.equal(fs.readlinkSync(path.join(d, 'web')), '10.90.0.2');
    const other = { ...e, ipAddress: '10.90.0.3', aliases: ['web', 'second'] };
    registerNames(paths, other);
    assert.equal(fs.readlinkSync(path.join(d, 'web')), '10.90.0.2', 'a taken name stays its owner\'s');
    unregisterNames(paths, other);
    assert.equal(fs.readlinkSync(path.join(d, 'web')), '10.90.0.2');
    assert.ok(!fs.existsSync(path.join(d, 'second')));
    unregisterNames(paths, e);
    assert.deepEqual(fs.readdirSync(d), []);
    const nets = (id: string) => (id === 'n1' ? { dns: true } : { dns: false }) as never;
    assert.deepEqual(dnsAnnotation(paths, [e], nets, ['192.168.1.1']), { 'run.hutch.dns': `names=${d},upstream=192.168.1.1` });
    assert.deepEqual(dnsAnnotation(paths, [{ ...e, networkId: 'n2' }], nets, ['1.1.1.1']), {}, 'the default network has no names');
    assert.deepEqual(upstreams({}, 'nameserver 127.0.0.53\n', 'nameserver 10.0.0.1\nnameserver 10.0.0.2\n'), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(upstreams({}, 'nameserver 127.0.0.1\n', ''), ['127.0.0.1'], 'loopback servers are reachable from the monitor');
    assert.deepEqual(upstreams({ dns: ['9.9.9.9'] }, 'nameserver 127.0.0.1\n', ''), ['9.9.9.9']);
    assert.equal(resolvConf({}, 'nameserver 1.2.3.4\nsearch lan\noptions ndots:2 edns0\n', '', true), 'search lan\nnameserver 127.0.0.11\noptions ndots:0 edns0\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('coexistence: drop-policy forward chains found (DOCKER-USER preferred), hutch rules added once', async () => {
  const { dropChains, allowForward } = await import('../../src/engine/network/coexist.js');
  const chains = JSON.stringify({ nftables: [
    { metainfo: {} },
    { chain: { family: 'ip', table: 'filter', name: 'FORWARD', hook: 'forward', policy: 'drop' } },
    { chain: { family: 'ip', table: 'filter', name: 'DOCKER-USER' } },
    { chain: { family: 'inet', table: 'fw', name: 'fwd', hook: 'forward', policy: 'drop' } },
    { chain: { family: 'inet', table: 'ok', name: 'fwd', hook: 'forward', policy: 'accept' } },
    { chain: { family: 'ip', table: 'hutch', name: 'filter_fwd', hook: 'forward', policy: 'drop' } },
  ] });
  assert.deepEqual(dropChains(chains).map((c) => `${c.family} ${c.table} ${c.name}`), ['ip filter DOCKER-USER', 'inet fw fwd']);
  const native = new FakeNative();
  native.nftListings.set('chains', chains);
  native.nftListings.set('chain inet fw fwd', JSON.stringify({ nftables: [{ rule: { family: 'inet', table: 'fw', chain: 'fwd', comment: 'hutch' } }] }));
  assert.deepEqual(allowForward(native), ['ip filter DOCKER-USER']);
  assert.equal(native.nftScripts.length, 1);
  assert.match(native.nftScripts[0], /^insert rule ip filter DOCKER-USER oifname "hutch\*" accept comment "hutch"\ninsert rule ip filter DOCKER-USER iifname "hutch\*" accept comment "hutch"\n$/);
});

test('-P publishes every exposed port to a free host port; -p for the same port wins', async () => {
  const { resolvePorts } = await import('../../src/engine/network/endpoint.js');
  const ports = await resolvePorts({ image: 'x', publishAll: true, ports: parsePublish('127.0.0.1:18777:80') }, ['80/tcp', '53/udp', '8443']);
  assert.equal(ports.length, 3);
  assert.deepEqual(ports[0], { hostIp: '127.0.0.1', hostPort: 18777, containerPort: 80, protocol: 'tcp' });
  assert.deepEqual(ports.slice(1).map((p) => `${p.containerPort}/${p.protocol}`), ['53/udp', '8443/tcp']);
  for (const p of ports.slice(1)) assert.ok(p.hostPort >= 1024 && p.hostPort <= 65535, String(p.hostPort));
});

test("veth names: 15 characters, an ethN's never any container's eth0's (an id with \"01\" as its 8th and 9th digits once gave eth0 and eth1 one name)", () => {
  const id = '647d05401' + 'ab'.repeat(27) + 'cd';
  const names = Array.from({ length: MAX_EXTRA_ENDPOINTS + 1 }, (_, i) => vethName(id, i));
  assert.equal(names[0], 'hutchv647d05401');
  assert.equal(names[1], 'hutchv647d054g0');
  assert.equal(new Set(names).size, names.length, 'one name per interface');
  for (const n of names) assert.ok(n.length <= 15, n);
  for (const n of names.slice(1)) assert.doesNotMatch(n, /^hutchv[0-9a-f]{9}$/, `${n} looks like an eth0 name`);
  // gc finds every one of them by the id's first 7 digits (network/gc.ts).
  for (const n of names) assert.match(n, /^hutchv647d054[0-9a-z]{2}$/);
  assert.throws(() => vethName(id, MAX_EXTRA_ENDPOINTS + 1), /at most 721 networks/);
});
