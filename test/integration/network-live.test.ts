// Bridge networks, continued (same fake host + outside namespaces as network.test.ts):
// names on user networks (the monitor's DNS on 127.0.0.11), none on the default
// bridge, connect/disconnect of a running container, --network container:NAME, and
// gc after the monitor was killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labSuite, UPLINK_OUTSIDE } from './netns.js';
import { spawn } from 'node:child_process';

const net = labSuite('hutch-netlive-');
const { hutch, ok, server, info, fromCtr } = net;
/** getent (glibc: /etc/hosts, then DNS through /etc/resolv.conf) inside the container: the address, or null. */
function resolve(name: string, host: string): string | null {
  const r = hutch('exec', name, 'getent', 'hosts', host);
  return r.status === 0 ? r.stdout.trim().split(/\s+/)[0] : null;
}
/** GET from inside a container, retried for 2 s (the server starts after `run` returns). */
async function get(from: string, url: string): Promise<string | null> {
  for (let i = 0; i < 20; i++) {
    const body = fromCtr(from, url);
    if (body !== null) return body;
    await new Promise((res) => setTimeout(res, 100));
  }
  return null;
}

test('a user network resolves names and aliases; the default bridge does not', () => {
  ok('network', 'create', '--subnet', '10.91.1.0/24', 'app');
  server('web', '--network', 'app', '--network-alias', 'www');
  server('peer', '--network', 'app');
  const webIp = info('web').endpoints[0].ipAddress;
  assert.equal(resolve('peer', 'web'), webIp);
  assert.equal(resolve('peer', 'www'), webIp, 'an alias');
  assert.equal(resolve('peer', 'WEB'), webIp, 'names are case-insensitive');
  assert.equal(resolve('peer', 'no-such-ctr'), null);
  assert.match(fs.readFileSync(path.join(info('peer').bundle, 'resolv.conf'), 'utf8'), /^nameserver 127\.0\.0\.11$/m);
  server('d1');
  server('d2');
  assert.equal(resolve('d2', 'd1'), null, 'no names on the default bridge (docker)');
});

test('connect and disconnect a running container', async () => {
  server('roamer');
  assert.equal(info('roamer').endpoints.length, 1);
  ok('network', 'connect', '--alias', 'rover', 'app', 'roamer');
  const eps = info('roamer').endpoints;
  assert.deepEqual(eps.map((e: { network: string; ifname: string }) => `${e.network}/${e.ifname}`), ['bridge/eth0', 'app/eth1']);
  const webIp = info('web').endpoints[0].ipAddress;
  assert.equal(await get('roamer', `http://${webIp}/`), 'hello-web\n', 'reaches the network it joined');
  assert.equal(resolve('peer', 'rover'), eps[1].ipAddress, 'its alias resolves for the others at once');
  assert.match(ok('exec', 'roamer', 'cat', '/proc/net/dev'), /eth1:/);
  ok('network', 'disconnect', 'app', 'roamer');
  assert.doesNotMatch(ok('exec', 'roamer', 'cat', '/proc/net/dev'), /eth1:/);
  assert.equal(resolve('peer', 'rover'), null, 'its names went with it');
  // Restart after connect: the interface comes back from config.json.
  ok('network', 'connect', 'app', 'roamer');
  ok('restart', '-t', '0', 'roamer');
  assert.match(ok('exec', 'roamer', 'cat', '/proc/net/dev'), /eth1:/);
});

test('--network container:NAME shares the namespace; a stopped one is refused in one line', () => {
  const webIp = info('web').endpoints[0].ipAddress;
  const out = ok('run', '--rm', '--network', 'container:web', 'host', 'sh', '-c', 'ip -4 -o addr show eth0');
  assert.match(out, new RegExp(`inet ${webIp.replace(/\./g, '\\.')}/`));
  ok('create', '--name', 'sleeper', 'host', 'true');
  const r = hutch('run', '--network', 'container:sleeper', 'host', 'true');
  assert.equal(r.status, 125);
  assert.equal(r.stderr, 'hutch: cannot join network namespace of a non running container: sleeper\n');
  const n = hutch('run', '--network', 'container:nosuch', 'host', 'true');
  assert.equal(n.stderr, 'hutch: No such container: nosuch\n');
});

test('gc after the monitor was killed: the port element and the lease of a removed container go', async () => {
  server('victim', '--network', 'app', '-p', '9090:80');
  const mon = info('victim').monitorPid;
  process.kill(mon, 'SIGKILL');
  for (let i = 0; i < 100 && fs.existsSync(`/proc/${mon}`); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(net.lab.inHost(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']).stdout, /9090/, 'a killed monitor leaves its element');
  const g = ok('gc');
  assert.match(g, /published port 0\.0\.0\.0:9090\/tcp/);
  assert.doesNotMatch(net.lab.inHost(['nft', 'list', 'map', 'ip', 'hutch', 'pub_any']).stdout, /9090/);
  // The container itself stays (exited); its lease until rm.
  const ip = info('victim').endpoints[0].ipAddress;
  ok('rm', '-f', 'victim');
  assert.ok(!Object.values(JSON.parse(ok('network', 'inspect', 'app'))[0].Containers).some((c) => (c as { IPv4Address: string }).IPv4Address.startsWith(`${ip}/`)));
});

test("beside a forward chain whose policy is drop (docker's): containers still get out, through rules hutch adds (to DOCKER-USER when there is one)", async () => {
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-netlive-www-'));
  fs.writeFileSync(path.join(www, 'index.html'), 'outside\n');
  const srv = spawn('nsenter', [`--net=/proc/${net.lab.outsidePid}/ns/net`, '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www], { stdio: 'ignore' });
  try {
    // docker's shape: ip filter FORWARD policy drop, jumping to DOCKER-USER first.
    const fw = net.lab.inHost(['nft', '-f', '-'], {
      input: 'table ip filter {\n chain DOCKER-USER {\n }\n chain FORWARD {\n  type filter hook forward priority filter; policy drop;\n  jump DOCKER-USER\n }\n}\n',
    });
    assert.equal(fw.status, 0, fw.stderr);
    ok('network', 'create', '--subnet', '10.91.5.0/24', 'guarded');
    server('behind', '--network', 'guarded');
    assert.equal(await get('behind', `http://${UPLINK_OUTSIDE}/`), 'outside\n');
    const user = net.lab.inHost(['nft', 'list', 'chain', 'ip', 'filter', 'DOCKER-USER']).stdout;
    assert.match(user, /iifname "hutch\*" accept comment "hutch"/);
    assert.match(user, /oifname "hutch\*" accept comment "hutch"/);
    assert.doesNotMatch(net.lab.inHost(['nft', 'list', 'chain', 'ip', 'filter', 'FORWARD']).stdout, /hutch/, 'FORWARD itself untouched');
    // A second network does not add the rules twice.
    ok('network', 'create', '--subnet', '10.91.6.0/24', 'guarded2');
    assert.equal(net.lab.inHost(['nft', 'list', 'chain', 'ip', 'filter', 'DOCKER-USER']).stdout.match(/comment "hutch"/g)?.length, 2);
  } finally {
    srv.kill('SIGKILL');
    net.lab.inHost(['nft', 'delete', 'table', 'ip', 'filter']);
    fs.rmSync(www, { recursive: true, force: true });
  }
});

test('bad network input: one line, exit 125, and no link, rule or lease left', () => {
  const links = () => net.lab.inHost(['ip', '-o', 'link', 'show']).stdout.split('\n').filter(Boolean).length;
  const rules = () => net.lab.inHost(['nft', 'list', 'table', 'ip', 'hutch']).stdout;
  const leases = () => ok('network', 'inspect', 'app');
  const before = { links: links(), rules: rules(), leases: leases(), ps: ok('ps', '-aq') };
  const cases: [string[], RegExp][] = [
    [['run', '-p', '99999:80', 'host', 'true'], /^hutch: invalid hostPort: 99999\n$/],
    [['run', '-p', 'abc', 'host', 'true'], /^hutch: invalid containerPort: abc\n$/],
    [['run', '-p', '80:80/sctpx', 'host', 'true'], /^hutch: invalid proto: sctpx\n$/],
    [['network', 'create', '--subnet', '10.91.1.128/25', 'x'], /^hutch: invalid pool request: Pool overlaps with other one on this address space/],
    [['network', 'create', '--subnet', '10.92.0.0/24', '--gateway', '10.93.0.1', 'x'], /^hutch: invalid gateway 10\.93\.0\.1: not a host address of subnet 10\.92\.0\.0\/24\n$/],
    [['network', 'create', 'app'], /^hutch: network with name app already exists\n$/],
    [['run', '--network', 'app', '--ip', '10.99.0.9', 'host', 'true'], /^hutch: invalid address 10\.99\.0\.9: it is not a free host address of network app/],
    [['run', '--network', 'app', '--ip', info('web').endpoints[0].ipAddress, 'host', 'true'], /^hutch: Address already in use: /],
    [['run', '--network', 'nosuch', 'host', 'true'], /^hutch: network nosuch not found\n$/],
  ];
  for (const [args, msg] of cases) {
    const r = hutch(...args);
    assert.equal(r.status, 125, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg, args.join(' '));
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  }
  assert.deepEqual({ links: links(), rules: rules(), leases: leases(), ps: ok('ps', '-aq') }, before);
});

test('gc after a create was killed between its lease and its bundle: the lease and the names go', () => {
  const app = JSON.parse(ok('network', 'inspect', 'app'))[0];
  const ghost = 'f'.repeat(64);
  const netDir = path.join(net.root, 'networks', app.Id);
  fs.symlinkSync(ghost, path.join(netDir, 'leases', '10.91.1.250'));
  fs.symlinkSync('10.91.1.250', path.join(netDir, 'names', 'ghost'));
  const g = ok('gc');
  assert.match(g, /lease 10\.91\.1\.250 on network app/);
  assert.match(g, /name ghost on network app/);
  assert.ok(!fs.readdirSync(path.join(netDir, 'leases')).includes('10.91.1.250'));
  assert.ok(!fs.readdirSync(path.join(netDir, 'names')).includes('ghost'));
  // (readdir, not existsSync: a name is a link whose target is an address, not a path)
  assert.ok(fs.readdirSync(path.join(netDir, 'names')).includes('web'), 'a live container keeps its names');
});
