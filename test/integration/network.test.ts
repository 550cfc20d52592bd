// Bridge networks end to end, as root, inside a fake host namespace with an
// "outside" machine on an uplink (netns.ts): reachability (research
// next-capabilities §1.3's matrix), port reservation, restarts, removal, gc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { labSuite, fetchVia, UPLINK_HOST, UPLINK_OUTSIDE } from './netns.js';

const net = labSuite('hutch-net-');
const { hutch, ok, info, fromCtr } = net;
/** A container serving `hello-NAME` over HTTP on port 80 (busybox httpd); its address. */
function server(name: string, ...flags: string[]): string {
  net.server(name, ...flags);
  return ipOf(name);
}
function ipOf(name: string): string {
  return info(name).endpoints[0].ipAddress;
}
/** Waits until url answers from the fake host (the server starts after `run` returns). */
async function ready(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (fetchVia(net.lab.inHost, url) !== null) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never answered`);
}

test('reachability: published ports from the host (also 127.0.0.1) and outside; 127-only stays local; networks isolated', async () => {
  ok('network', 'create', '--subnet', '10.90.1.0/24', 'app');
  ok('network', 'create', '--subnet', '10.90.2.0/24', 'other');
  const web = server('web', '--network', 'app', '-p', '8080:80', '-p', '127.0.0.1:8081:80');
  server('peer', '--network', 'app');
  server('stranger', '--network', 'other');
  await ready(`http://127.0.0.1:8080/`);
  assert.equal(fetchVia(net.lab.inHost, 'http://127.0.0.1:8080/'), 'hello-web\n', 'host → 127.0.0.1:P');
  assert.equal(fetchVia(net.lab.inHost, 'http://127.0.0.1:8081/'), 'hello-web\n', 'host → 127.0.0.1-only port');
  assert.equal(fetchVia(net.lab.inHost, `http://${UPLINK_HOST}:8080/`), 'hello-web\n', 'host → its uplink address');
  assert.equal(fetchVia(net.lab.inOutside, `http://${UPLINK_HOST}:8080/`), 'hello-web\n', 'outside → uplink:P');
  assert.equal(fetchVia(net.lab.inOutside, `http://${UPLINK_HOST}:8081/`), null, 'outside → a 127.0.0.1-only port is refused');
  assert.equal(fromCtr('peer', `http://${web}/`), 'hello-web\n', 'same network, by address');
  assert.equal(fromCtr('stranger', `http://${web}/`), null, 'another network cannot reach the container');
  assert.equal(fromCtr('stranger', `http://${UPLINK_HOST}:8080/`), 'hello-web\n', 'another network, through the published port');
  assert.equal(fromCtr('peer', `http://${UPLINK_HOST}:8080/`), 'hello-web\n', 'hairpin');
  assert.equal(fromCtr('web', `http://${UPLINK_HOST}:8080/`), 'hello-web\n', 'self-hairpin');
  // Outside routes straight at the container's subnet: the guard drops it.
  net.lab.inOutside(['ip', 'route', 'add', '10.90.1.0/24', 'via', UPLINK_HOST]);
  assert.equal(fetchVia(net.lab.inOutside, `http://${web}/`), null, 'outside → container address directly');
});

test('a LAN machine sending to 127.0.0.1 cannot reach a 127.0.0.1-only port (moby #41872); without the guard chain it could', () => {
  const mac = JSON.parse(net.lab.inHost(['ip', '-j', 'link', 'show', 'hutchtup']).stdout)[0].address as string;
  // A SYN in an Ethernet frame to the host's uplink MAC, IP destination 127.0.0.1:8081.
  const probe = () => net.lab.inOutside(['python3', path.join(import.meta.dirname, 'raw-syn.py'), 'eth0', mac, UPLINK_OUTSIDE, '8081']).stdout.trim();
  assert.equal(probe(), 'none');
  // The control: with the guard's rules gone, DNAT (before the routing code's martian
  // check) sends the packet on to the container, which answers.
  assert.equal(net.lab.inHost(['nft', 'flush', 'chain', 'ip', 'hutch', 'guard']).status, 0);
  try {
    assert.equal(probe(), 'synack', 'the probe really reaches the container without the guard');
  } finally {
    const r = net.lab.inHost(['nft', '-f', '-'], {
      input: 'add rule ip hutch guard ip daddr 127.0.0.0/8 iifname != "lo" drop\nadd rule ip hutch guard ip daddr @subnets iifname != @bridges iifname != "lo" drop\n',
    });
    assert.equal(r.status, 0, r.stderr);
  }
  assert.equal(probe(), 'none');
});

test('outbound NAT; --internal has no way out', async () => {
  // A server on the outside machine.
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-net-www-'));
  fs.writeFileSync(path.join(www, 'index.html'), 'outside\n');
  // nsenter execs httpd (a net namespace needs no fork): the pid is the server's.
  const srv = spawn('nsenter', [`--net=/proc/${net.lab.outsidePid}/ns/net`, '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www], { stdio: 'ignore' });
  try {
    ok('network', 'create', '--internal', '--subnet', '10.90.3.0/24', 'sealed');
    server('out', '--network', 'app');
    server('in', '--network', 'sealed');
    let reached: string | null = null;
    for (let i = 0; i < 40 && reached === null; i++) reached = fromCtr('out', `http://${UPLINK_OUTSIDE}/`);
    assert.equal(reached, 'outside\n', 'a container reaches the outside machine');
    assert.equal(fromCtr('in', `http://${UPLINK_OUTSIDE}/`), null, '--internal: no route out');
  } finally {
    srv.kill('SIGKILL');
    fs.rmSync(www, { recursive: true, force: true });
  }
});

test('a published port is reserved: a second -p fails in one line and leaves nothing', () => {
  const before = ok('ps', '-aq').split('\n').filter(Boolean).length;
  const r = hutch('run', '-d', '--network', 'app', '-p', '8080:80', 'host', 'sleep', '100');
  assert.equal(r.status, 125);
  assert.equal(r.stderr, 'hutch: Bind for 0.0.0.0:8080 failed: port is already allocated\n');
  assert.equal(ok('ps', '-aq').split('\n').filter(Boolean).length, before, 'no container left');
  const leases = JSON.parse(ok('network', 'inspect', 'app'))[0].Containers;
  assert.equal(Object.keys(leases).length, 3, 'no lease left (web, peer, out)');
});

test('restart keeps the address and the ports; network rm refused while used; rm -f leaves nothing', async () => {
  const ip = ipOf('web');
  ok('restart', '-t', '1', 'web');
  assert.equal(ipOf('web'), ip);
  await ready('http://127.0.0.1:8080/');
  assert.equal(fetchVia(net.lab.inHost, 'http://127.0.0.1:8080/'), 'hello-web\n');
  const rm = hutch('network', 'rm', 'app');
  assert.equal(rm.status, 125);
  assert.match(rm.stderr, /^hutch: error while removing network: network app id [0-9a-f]{64} has active endpoints \(/);
  const veth = JSON.parse(ok('inspect', 'web'))[0].Hutch.endpoints[0].veth;
  ok('rm', '-f', 'web');
  assert.equal(net.lab.inHost(['ip', 'link', 'show', veth]).status !== 0, true, 'the veth is gone');
  const maps = net.lab.inHost(['nft', 'list', 'table', 'ip', 'hutch']).stdout;
  assert.doesNotMatch(maps, /8080/, 'no port element left');
  assert.equal(fetchVia(net.lab.inHost, 'http://127.0.0.1:8080/'), null);
});
