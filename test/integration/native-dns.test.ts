// The monitor's embedded DNS server (native/PROTOCOL.md, "Names"): annotation
// run.hutch.dns, 127.0.0.11:53 inside the container's network namespace, names
// from a directory of symlinks, everything else forwarded to upstreams from the
// monitor's (host) namespace. Root only. As in native-net.test.ts, every test
// works in a scratch network namespace of its own (`unshare -n sleep infinity`):
// the fake upstream resolver listens there on 127.0.0.53, where a container
// could never reach it itself, and no packet leaves these namespaces.
//
// Queries are sent two ways: busybox nslookup inside the container (a real
// client: busybox 1.35 builds its own packets, unlike its wget, whose glibc
// resolver crashes when static), and a node client run in the container's
// network namespace (nsenter), which sends exact bytes (malformed ones,
// several per TCP connection) and reads flags and rcodes back.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BUSYBOX, WAIT_GO, bundle as busyboxBundle, killOnEnd, scratch, startMonitor as startIn, tmpDir as tmpDirFor, until, type Scratch } from './native-harness.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !BUSYBOX ? 'needs busybox-static' : false;

const tmpDir = (t: TestContext) => tmpDirFor(t, 'hutch-dns-');

/** A busybox bundle in a new network namespace (no /sys); the command waits for rootfs/tmp/go when asked to. */
const bundle = (dir: string, args: string[], annotations: Record<string, string>) =>
  busyboxBundle(dir, args, annotations, { applets: ['sh', 'ip', 'cat', 'sleep', 'true', 'nslookup'], sysfs: false });

const startMonitor = (t: TestContext, s: Scratch, b: string) => startIn(t, s, b, 'dns-test');

// ---- DNS messages ----

function query(id: number, name: string, type = 1, flags = 0x0100): Buffer {
  const labels = name === '' ? [] : name.split('.');
  const parts = [Buffer.from([id >> 8, id & 255, flags >> 8, flags & 255, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'latin1'));
  parts.push(Buffer.from([0, type >> 8, type & 255, 0, 1]));
  return Buffer.concat(parts);
}

interface Answer {
  id: number;
  qr: boolean;
  aa: boolean;
  tc: boolean;
  rcode: number;
  qd: number;
  addrs: string[];
  ttls: number[];
}

/** The header and the A records (names skipped, compressed or not). */
function parse(b: Buffer): Answer {
  const skipName = (i: number): number => {
    for (;;) {
      const l = b[i]!;
      if (l === 0) return i + 1;
      if ((l & 0xc0) === 0xc0) return i + 2;
      i += l + 1;
    }
  };
  const qd = b.readUInt16BE(4);
  const an = b.readUInt16BE(6);
  let i = 12;
  for (let k = 0; k < qd; k++) i = skipName(i) + 4;
  const addrs: string[] = [];
  const ttls: number[] = [];
  for (let k = 0; k < an; k++) {
    i = skipName(i);
    const type = b.readUInt16BE(i);
    const len = b.readUInt16BE(i + 8);
    if (type === 1 && len === 4) {
      addrs.push([...b.subarray(i + 10, i + 14)].join('.'));
      ttls.push(b.readUInt32BE(i + 4));
    }
    i += 10 + len;
  }
  return { id: b.readUInt16BE(0), qr: (b[2]! & 0x80) !== 0, aa: (b[2]! & 4) !== 0, tc: (b[2]! & 2) !== 0, rcode: b[3]! & 15, qd, addrs, ttls };
}

// Runs in the container's network namespace: sends each packet (hex) to
// 127.0.0.11:53 and prints one JSON array of answers (hex, or "timeout" after `wait` ms
// (udp), or an error code).
// tcp: all packets in one write, each with its length prefix; answers in arrival order.
const CLIENT = String.raw`
const dgram = require('node:dgram'), net = require('node:net');
const [mode, wait, ...hex] = process.argv.slice(1);
const pkts = hex.map((h) => Buffer.from(h, 'hex'));
const done = (r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); };
if (mode === 'udp') {
  const out = [];
  const s = dgram.createSocket('udp4');
  let timer;
  const next = () => {
    if (out.length === pkts.length) return done(out);
    s.send(pkts[out.length], 53, '127.0.0.11');
    timer = setTimeout(() => { out.push('timeout'); next(); }, Number(wait));
  };
  s.on('message', (m) => { clearTimeout(timer); out.push(m.toString('hex')); next(); });
  s.on('error', (e) => { clearTimeout(timer); out.push(e.code); next(); });
  s.connect(53, '127.0.0.11', next);
} else {
  const out = [];
  let buf = Buffer.alloc(0);
  const c = net.connect(53, '127.0.0.11', () => c.write(Buffer.concat(pkts.map((p) => Buffer.concat([Buffer.from([p.length >> 8, p.length & 255]), p])))));
  c.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)).toString('hex'));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
    if (out.length === Number(mode.slice(3) || pkts.length)) done(out);
  });
  c.on('error', (e) => done([...out, e.code]));
  c.on('close', () => done([...out, 'closed']));
  setTimeout(() => done([...out, 'timeout']), 8000);
}
`;

/** Sends packets from inside the container's network namespace; raw answers. */
function ask(initPid: number, mode: string, pkts: Buffer[], wait = 6000): (Buffer | string)[] {
  const r = spawnSync('nsenter', [`--net=/proc/${initPid}/ns/net`, process.execPath, '-e', CLIENT, mode, String(wait), ...pkts.map((p) => p.toString('hex'))], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`client: ${r.status} ${r.stderr}`);
  return (JSON.parse(r.stdout) as string[]).map((x) => (/^[0-9a-f]+$/.test(x) && x.length >= 24 ? Buffer.from(x, 'hex') : x));
}

function one(initPid: number, mode: 'udp' | 'tcp', pkt: Buffer): Answer {
  const [a] = ask(initPid, mode, [pkt]);
  assert.ok(Buffer.isBuffer(a), `an answer (got ${String(a)})`);
  return parse(a);
}

// The fake upstream resolver, in the scratch (host) namespace: ext.example -> 192.0.2.77,
// drop.example is never answered, everything else NXDOMAIN. Logs "<name> <type> <from>".
const UPSTREAM = String.raw`
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => {
  const labels = []; let i = 12;
  while (m[i]) { labels.push(m.subarray(i + 1, i + 1 + m[i]).toString('latin1')); i += m[i] + 1; }
  const name = labels.join('.').toLowerCase(), type = m.readUInt16BE(i + 1);
  process.stdout.write(name + ' ' + type + ' ' + r.address + '\n');
  if (name === 'drop.example') return;
  const q = m.subarray(0, i + 5);
  const h = Buffer.from(q.subarray(0, 12)); h[2] = 0x81; h[3] = name === 'ext.example' ? 0x80 : 0x83;
  h.writeUInt16BE(1, 4); h.writeUInt16BE(name === 'ext.example' && type === 1 ? 1 : 0, 6); h.writeUInt32BE(0, 8);
  const a = name === 'ext.example' && type === 1 ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 77]) : Buffer.alloc(0);
  s.send(Buffer.concat([h, q.subarray(12), a]), r.port, r.address);
});
s.bind(53, '127.0.0.53', () => process.stdout.write('LISTENING\n'));
`;

async function upstream(t: TestContext, s: Scratch): Promise<() => string> {
  const child = spawn(s.enter[0]!, [...s.enter.slice(1), process.execPath, '-e', UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
  killOnEnd(t, child);
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d));
  await until('the fake upstream', () => log.includes('LISTENING'));
  return () => log;
}

function namesDir(dir: string, names: Record<string, string>): string {
  const d = path.join(dir, 'names');
  fs.mkdirSync(d);
  for (const [n, a] of Object.entries(names)) fs.symlinkSync(a, path.join(d, n));
  return d;
}

test('dns: names and aliases answered (busybox nslookup too), AAAA empty, the rest forwarded from the host namespace, names added and removed live', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  const log = await upstream(t, s);
  s.sh(['ip', 'link', 'add', 'hn-dns', 'type', 'bridge']);
  s.sh(['ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'hn-dns']);
  s.sh(['ip', 'link', 'set', 'hn-dns', 'up']);
  const names = namesDir(dir, { web: '10.99.0.5', 'alias.one': '10.99.0.6' });
  const other = path.join(dir, 'other');
  fs.mkdirSync(other);
  fs.symlinkSync('10.98.0.9', path.join(other, 'db'));
  // 127.0.0.54 has nobody: refused at once, the next upstream answers.
  const b = bundle(dir, ['/bin/sh', '-c', `nslookup web 127.0.0.11; nslookup alias.one 127.0.0.11; nslookup ext.example 127.0.0.11; echo READY; ${WAIT_GO}`], {
    'run.hutch.networks': 'bridge=hn-dns,veth=hutchdns0,address=10.99.0.5/24,gateway=10.99.0.1',
    'run.hutch.dns': `names=${names},names=${other},upstream=127.0.0.54,upstream=127.0.0.53:53,ttl=30`,
  });
  const m = startMonitor(t, s, b);
  await until('the container to report', () => m.out().includes('READY'), 10_000);
  const out = m.out();
  assert.match(out, /Name:\s+web\nAddress:\s+10\.99\.0\.5\n/, out);
  assert.match(out, /Name:\s+alias\.one\nAddress:\s+10\.99\.0\.6\n/, out);
  assert.match(out, /Name:\s+ext\.example\nAddress:\s+192\.0\.2\.77\n/, out);
  const pid = m.pid();

  const web = one(pid, 'udp', query(0x1234, 'web'));
  assert.deepEqual([web.id, web.qr, web.aa, web.rcode, web.addrs, web.ttls], [0x1234, true, true, 0, ['10.99.0.5'], [30]]);
  // Case-insensitive, a trailing root label is the same name, the second directory is asked too.
  assert.deepEqual(one(pid, 'udp', query(2, 'WeB')).addrs, ['10.99.0.5']);
  assert.deepEqual(one(pid, 'udp', query(3, 'db')).addrs, ['10.98.0.9']);
  assert.deepEqual(one(pid, 'udp', query(4, 'alias.one', 255)).addrs, ['10.99.0.6']);
  const aaaa = one(pid, 'udp', query(5, 'web', 28));
  assert.deepEqual([aaaa.rcode, aaaa.aa, aaaa.addrs.length, aaaa.qd], [0, true, 0, 1]);

  // Forwarded: the client's ID comes back; the upstream saw it from the host's side.
  const before = log();
  const ext = one(pid, 'udp', query(0xbeef, 'ext.example'));
  assert.deepEqual([ext.id, ext.rcode, ext.aa, ext.addrs], [0xbeef, 0, false, ['192.0.2.77']]);
  // (the log arrives while we wait: ask() blocks this process's event loop)
  await until('the upstream to log it', () => log().length > before.length);
  assert.match(log().slice(before.length), /^ext\.example 1 127\.0\.0\.1\n/);
  assert.equal(one(pid, 'udp', query(6, 'nope.example')).rcode, 3);
  // The search domain appended by a resolver is not ours to strip: forwarded.
  assert.equal(one(pid, 'udp', query(7, 'web.lan')).rcode, 3);

  // Added after start: answered at once; removed: forwarded (NXDOMAIN upstream).
  fs.symlinkSync('10.99.0.7', path.join(names, 'late'));
  assert.deepEqual(one(pid, 'udp', query(8, 'late')).addrs, ['10.99.0.7']);
  fs.unlinkSync(path.join(names, 'web'));
  const gone = one(pid, 'udp', query(9, 'web'));
  assert.deepEqual([gone.rcode, gone.addrs], [3, []]);
  await until('the upstream to log web', () => /^web 1 127\.0\.0\.1$/m.test(log()));

  // TCP: several queries on one connection (glibc sends A and AAAA so), local and forwarded.
  const tcp = ask(pid, 'tcp', [query(10, 'late'), query(11, 'late', 28), query(12, 'ext.example')]).map((a) => (Buffer.isBuffer(a) ? parse(a) : a));
  assert.equal(tcp.length, 3, JSON.stringify(tcp));
  const byId = new Map(tcp.map((a) => [(a as Answer).id, a as Answer]));
  assert.deepEqual(byId.get(10)!.addrs, ['10.99.0.7']);
  assert.deepEqual([byId.get(11)!.rcode, byId.get(11)!.addrs], [0, []]);
  assert.deepEqual(byId.get(12)!.addrs, ['192.0.2.77']);

  fs.writeFileSync(path.join(b, 'rootfs', 'tmp', 'go'), '');
  assert.equal(await m.exited, 0);
});

test('dns: malformed queries get FORMERR, REFUSED or nothing, and the monitor keeps answering', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  const names = namesDir(dir, { web: '10.99.0.5', 'not-an-address': 'x/../../etc', plain: '10.1.1' });
  fs.writeFileSync(path.join(names, 'file'), '10.1.1.1');
  const b = bundle(dir, ['/bin/sh', '-c', `echo READY; ${WAIT_GO}`], { 'run.hutch.dns': `names=${names}` });
  const m = startMonitor(t, s, b);
  await until('the container to start', () => m.out().includes('READY'));
  const pid = m.pid();
  const ptr = Buffer.concat([query(20, 'web').subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
  const two = Buffer.from(query(21, 'web'));
  two.writeUInt16BE(2, 4);
  const cut = query(22, 'web').subarray(0, 15);
  const slash = query(23, 'a/b');
  const dots = Buffer.concat([query(24, '').subarray(0, 12), Buffer.from([2, 0x2e, 0x2e, 0, 0, 1, 0, 1])]);
  const long = Buffer.concat([query(25, 'web').subarray(0, 12), Buffer.from(Array(5).fill([63, ...Buffer.alloc(63, 97)]).flat()), Buffer.from([0, 0, 1, 0, 1])]);
  const notQuery = query(26, 'web', 1, 0x2100); // opcode 4 (NOTIFY)
  const response = query(27, 'web', 1, 0x8100);
  const big = Buffer.concat([query(28, 'web'), Buffer.alloc(600)]);
  const answers = ask(pid, 'udp', [Buffer.from([1, 2, 3]), ptr, two, cut, slash, dots, long, notQuery, response, big, query(29, 'web')], 1000);
  const rc = answers.map((a) => (Buffer.isBuffer(a) ? parse(a).rcode : a));
  assert.deepEqual(rc, ['timeout', 1, 1, 1, 5, 5, 1, 4, 'timeout', 1, 0]);
  assert.deepEqual(parse(answers[10] as Buffer).addrs, ['10.99.0.5']);
  // Entries that are no address, or no symlink, are not names: with no upstream, SERVFAIL.
  for (const n of ['not-an-address', 'plain', 'file', 'x'.repeat(63)]) assert.equal(one(pid, 'udp', query(30, n)).rcode, 2, n);
  // A TCP length that is no query closes the connection; the next one is served.
  const r = spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, '-e', `const c=require('net').connect(53,'127.0.0.11',()=>c.write(Buffer.from([0xff,0xff,1,2,3])));c.on('close',()=>process.stdout.write('closed'));c.on('data',()=>{});`], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.stdout, 'closed');
  assert.deepEqual(one(pid, 'tcp', query(31, 'web')).addrs, ['10.99.0.5']);
  assert.equal(m.out(), 'READY\n');
  fs.writeFileSync(path.join(b, 'rootfs', 'tmp', 'go'), '');
  assert.equal(await m.exited, 0);
});

test('dns: a silent upstream times out to the next, then SERVFAIL', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  const log = await upstream(t, s);
  const names = namesDir(dir, {});
  const b = bundle(dir, ['/bin/sh', '-c', `echo READY; ${WAIT_GO}`], { 'run.hutch.dns': `names=${names},upstream=127.0.0.53,upstream=127.0.0.53` });
  const m = startMonitor(t, s, b);
  await until('the container to start', () => m.out().includes('READY'));
  const t0 = Date.now();
  const a = one(m.pid(), 'udp', query(40, 'drop.example'));
  const took = Date.now() - t0;
  assert.deepEqual([a.id, a.rcode, a.qd], [40, 2, 1]);
  // (took includes starting the client: a second or so at most)
  assert.ok(took >= 4000 && took < 6000, `two upstreams of 2 s each (${took} ms)`);
  await until('the upstream to log twice', () => log().split('\n').filter((l) => l.startsWith('drop.example')).length === 2);
  fs.writeFileSync(path.join(b, 'rootfs', 'tmp', 'go'), '');
  assert.equal(await m.exited, 0);
});

test('dns: no annotation, no server; a missing names directory or a bad annotation fails the start', { skip }, async (t) => {
  const s = await scratch(t);
  const dir = tmpDir(t);
  const b = bundle(dir, ['/bin/sh', '-c', `echo READY; ${WAIT_GO}`], {});
  const m = startMonitor(t, s, b);
  await until('the container to start', () => m.out().includes('READY'));
  assert.deepEqual(ask(m.pid(), 'udp', [query(50, 'web')]), ['ECONNREFUSED']);
  fs.writeFileSync(path.join(b, 'rootfs', 'tmp', 'go'), '');
  assert.equal(await m.exited, 0);

  const missing = path.join(dir, 'nowhere');
  const m2 = startMonitor(t, s, bundle(dir, ['/bin/true'], { 'run.hutch.dns': `names=${missing},upstream=127.0.0.53` }));
  assert.equal(await m2.exited, 1);
  assert.equal(m2.sync(), `error dns ENOENT 2 names ${missing}\n`);
  for (const [ann, at] of [
    ['names=relative', 'names=relative'],
    ['upstream=::1', 'upstream=::1'],
    ['upstream=127.0.0.1:0', 'upstream=127.0.0.1:0'],
    ['ttl=-1', 'ttl=-1'],
    ['search=lan', 'search=lan'],
  ]) {
    const m3 = startMonitor(t, s, bundle(dir, ['/bin/true'], { 'run.hutch.dns': ann! }));
    assert.equal(await m3.exited, 1);
    assert.equal(m3.sync(), `error config EINVAL 22 run.hutch.dns (${at})\n`);
  }
});
