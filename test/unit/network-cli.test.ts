// `network` verbs, `port`, and the run flags of networking, against the fake engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';

test('network create / ls / inspect / rm / prune', async () => {
  const e = new FakeEngine();
  const c = await cli(['network', 'create', '--subnet', '10.90.0.0/24', '--label', 'team=web', '--internal', 'app'], e);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /^[0-9a-f]{64}\n$/);
  assert.deepEqual(e.callsOf('createNetwork'), [[{ name: 'app', subnet: '10.90.0.0/24', gateway: undefined, internal: true, labels: { team: 'web' } }]]);
  const ls = await cli(['network', 'ls'], e);
  assert.match(ls.out, /^NETWORK ID {5}NAME {6}DRIVER {4}SCOPE {5}SUBNET {9}INTERNAL\n[0-9a-f]{12} {3}app {7}bridge {4}local {5}10\.90\.0\.0\/24 {3}true\n$/);
  const insp = await cli(['network', 'inspect', 'app'], e);
  const [n] = JSON.parse(insp.out);
  assert.equal(n.Name, 'app');
  assert.deepEqual(n.IPAM.Config, [{ Subnet: '10.90.0.0/24', Gateway: '10.90.0.1' }]);
  assert.equal(n.Internal, true);
  assert.deepEqual(n.Labels, { team: 'web' });

  // In use: refused with one line; after the container goes, removed.
  const run = await cli(['run', '-d', '--name', 'db', '--network', 'app', '--ip', '10.90.0.9', 'host', 'sleep', '1'], e);
  assert.equal(run.code, 0, run.err);
  const inUse = await cli(['network', 'rm', 'app'], e);
  assert.equal(inUse.code, 125);
  assert.match(inUse.err, /^hutch: error while removing network: network app id [0-9a-f]{64} has active endpoints \(db\)\n$/);
  const withDb = JSON.parse((await cli(['network', 'inspect', 'app'], e)).out)[0];
  assert.deepEqual(Object.values(withDb.Containers).map((x) => (x as { Name: string; IPv4Address: string }).IPv4Address), ['10.90.0.9/24']);
  await cli(['rm', '-f', 'db'], e);
  assert.deepEqual(await cli(['network', 'rm', 'app'], e), { ...(await Promise.resolve({})), code: 0, out: 'app\n', err: '', opened: 1, signals: [], restored: 0 });

  await cli(['network', 'create', 'spare'], e);
  assert.equal((await cli(['network', 'prune', '-f'], e)).out, 'Deleted Networks:\nspare\n');
});

test('network bad input: one line, exit 125, nothing made', async () => {
  const e = new FakeEngine();
  await cli(['network', 'create', '--subnet', '10.90.0.0/24', 'a'], e);
  const cases: [string[], RegExp][] = [
    [['network', 'create', '--subnet', '10.90.0.0/16', 'b'], /^hutch: invalid pool request: Pool overlaps with other one on this address space/],
    [['network', 'create', '--subnet', '10.91.0.0/24', '--gateway', '10.92.0.1', 'b'], /^hutch: invalid gateway 10\.92\.0\.1: not a host address of subnet 10\.91\.0\.0\/24\n$/],
    [['network', 'create', '--gateway', '10.92.0.1', 'b'], /^hutch: every ip-range or gateway must have a corresponding subnet\n$/],
    [['network', 'create', 'a'], /^hutch: network with name a already exists\n$/],
    [['network', 'create', '-d', 'overlay', 'b'], /^hutch: plugin "overlay" not found/],
    [['network', 'rm', 'nosuch'], /^hutch: network nosuch not found\n$/],
    [['run', '--network', 'nosuch', 'host'], /^hutch: network nosuch not found\n$/],
    [['run', '--network', 'a', '--ip', '10.99.0.5', 'host'], /^hutch: invalid address 10\.99\.0\.5: it is not a free host address of network a/],
    [['run', '--network', 'none', '-p', '80:80', 'host'], /^hutch: conflicting options: port publishing and the container type network mode none\n$/],
  ];
  for (const [argv, msg] of cases) {
    const r = await cli(argv, e);
    assert.equal(r.code, 125, argv.join(' '));
    assert.match(r.err, msg, argv.join(' '));
    assert.equal(r.err.split('\n').length, 2, `one line: ${r.err}`);
  }
  assert.deepEqual((await e.networks()).map((n) => n.name), ['a']);
  assert.equal(e.containers.length, 0);
});

test('run -p publishes; port lists; host network drops ports with docker\'s warning', async () => {
  const e = new FakeEngine();
  const r = await cli(['run', '-d', '--name', 'web', '--network', 'bridge', '-p', '8080:80', '-p', '127.0.0.1::53/udp', 'host', 'sleep', '1'], e);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(e.callsOf('create')[0][0], {
    image: 'host',
    name: 'web',
    cmd: ['sleep', '1'],
    network: 'bridge',
    ports: [
      { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 0, containerPort: 53, protocol: 'udp' },
    ],
  });
  // `port` shows the host ports the engine chose.
  assert.equal((await cli(['port', 'web'], e)).out, '80/tcp -> 0.0.0.0:8080\n53/udp -> 127.0.0.1:49153\n');
  const h = await cli(['run', '-d', '--network', 'host', '-p', '80:80', 'host', 'sleep', '1'], e);
  assert.equal(h.code, 0);
  assert.equal(h.err, 'WARNING: Published ports are discarded when using host network mode\n');
  assert.equal((e.callsOf('create')[1][0] as { ports?: unknown }).ports, undefined);

  const b = await cli(['run', '-d', '--name', 'b', '--network', 'bridge', '-p', '8081:80', '-p', '5353:53/udp', 'host', 'sleep', '1'], e);
  assert.equal(b.code, 0, b.err);
  assert.equal((await cli(['port', 'b'], e)).out, '80/tcp -> 0.0.0.0:8081\n53/udp -> 0.0.0.0:5353\n');
  assert.equal((await cli(['port', 'b', '53/udp'], e)).out, '0.0.0.0:5353\n');
  const none = await cli(['port', 'b', '99'], e);
  assert.equal(none.code, 125);
  assert.equal(none.err, "hutch: No public port '99/tcp' published for b\n");
});

test('network connect / disconnect: a second endpoint; bad requests are one line', async () => {
  const e = new FakeEngine();
  await cli(['network', 'create', '--subnet', '10.90.0.0/24', 'a'], e);
  await cli(['network', 'create', '--subnet', '10.91.0.0/24', 'b'], e);
  await cli(['run', '-d', '--name', 'c', '--network', 'a', 'host', 'sleep', '1'], e);
  const r = await cli(['network', 'connect', '--ip', '10.91.0.7', '--alias', 'db', 'b', 'c'], e);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(e.callsOf('connectNetwork'), [['b', 'c', { ip: '10.91.0.7', aliases: ['db'] }]]);
  const nets = JSON.parse((await cli(['inspect', 'c'], e)).out)[0].NetworkSettings.Networks;
  assert.deepEqual(Object.keys(nets), ['a', 'b']);
  assert.equal(nets.b.IPAddress, '10.91.0.7');
  const again = await cli(['network', 'connect', 'b', 'c'], e);
  assert.equal(again.code, 125);
  assert.equal(again.err, 'hutch: endpoint with name c already exists in network b\n');
  assert.equal((await cli(['network', 'disconnect', 'b', 'c'], e)).code, 0);
  const off = await cli(['network', 'disconnect', 'b', 'c'], e);
  assert.equal(off.err, 'hutch: container c is not connected to network b\n');
  await cli(['run', '-d', '--name', 'n', '--network', 'none', 'host', 'sleep', '1'], e);
  assert.equal((await cli(['network', 'connect', 'a', 'n'], e)).err, 'hutch: container n cannot be connected to networks: its network mode is none\n');
  assert.equal((await cli(['network', 'connect', 'nosuch', 'c'], e)).err, 'hutch: network nosuch not found\n');
});
