// exec -u (names from the container's own /etc/passwd), exec --privileged, exec --env-file.
import { StatsStreamDecoder } from '../../src/engine/stats/stream.js';
import { VERSION } from '../../src/cli/verbs/version.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
let id: string;
before(async () => {
  sb = await sandbox();
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '60'], network: 'none' });
  await sb.engine.start(c.id);
  id = c.id;
});
after(async () => {
  await sb?.cleanup();
});

const execOut = (args: string[]) => {
  const r = sb.cli(['exec', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

test('exec -u: a name from the container\'s passwd, uid:gid, and the container\'s user without it', () => {
  assert.equal(execOut(['-u', 'nobody', id, 'id', '-u']), '65534\n');
  assert.equal(execOut(['-u', '1234:4321', id, 'sh', '-c', 'echo $(id -u):$(id -g)']), '1234:4321\n');
  assert.equal(execOut([id, 'id', '-u']), '0\n');
  const bad = sb.cli(['exec', '-u', 'no-such-user-hutch', id, 'true']);
  assert.equal(bad.status, 125, bad.stderr);
  assert.match(bad.stderr.trim(), /no-such-user-hutch/);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
});

test('exec --privileged: every capability and no seccomp filter; without it, the container\'s', () => {
  const status = (args: string[]) => Object.fromEntries(execOut([...args, id, 'grep', '-E', '^(CapEff|Seccomp):', '/proc/self/status']).trim().split('\n').map((l) => l.split(/:\s+/)));
  const plain = status([]);
  const priv = status(['--privileged']);
  assert.equal(plain.Seccomp, '2');
  assert.equal(priv.Seccomp, '0');
  assert.ok(BigInt(`0x${priv.CapEff}`) > BigInt(`0x${plain.CapEff}`), `${priv.CapEff} vs ${plain.CapEff}`);
});

test('exec --env-file, then -e', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-it-envfile-'));
  try {
    fs.writeFileSync(path.join(d, 'env'), 'A=from-file\nB=file\n');
    assert.equal(execOut(['--env-file', path.join(d, 'env'), '-e', 'B=flag', id, 'sh', '-c', 'echo $A $B']), 'from-file flag\n');
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('stats --no-stream: the running container\'s row with its memory limit; --format; an unknown container is one line', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '60'], network: 'none', memory: 64 * 1024 * 1024, name: 'statsbox' });
  await sb.engine.start(c.id);
  const r = sb.cli(['stats', '--no-stream']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^CONTAINER ID\s+NAME\s+CPU %/);
  assert.match(r.stdout, new RegExp(`^${c.id.slice(0, 12)}\\s+statsbox\\s+\\d+\\.\\d\\d%\\s+\\S+ / 64MiB\\s+\\d+\\.\\d\\d%.*\\s1$`, 'm'));
  assert.equal(sb.cli(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'statsbox']).stdout, 'statsbox 1\n');
  const bad = sb.cli(['stats', '--no-stream', 'no-such-box']);
  assert.equal(bad.status, 125, bad.stderr);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  // --json: the stream's header, then the container whole, with its limit; a stopped one is listed too.
  await sb.engine.create({ image: 'host', cmd: ['true'], network: 'none', name: 'statsidle' });
  const j = sb.cli(['stats', '--json', '--no-stream']);
  assert.equal(j.status, 0, j.stderr);
  const dec = new StatsStreamDecoder();
  const lines = j.stdout.trim().split('\n');
  assert.equal(lines.length, 2, j.stdout);
  for (const l of lines) dec.push(l);
  assert.equal(dec.header!.hutch, VERSION);
  assert.equal(dec.header!.host, os.hostname());
  const box = dec.containers.get(c.id)!;
  assert.deepEqual([box.name, box.state, box.limit, box.pids, box.network, box.engine, box.health], ['statsbox', 'running', 64 * 1024 * 1024, 1, 'none', null, null]);
  assert.ok(box.mem > 0);
  assert.equal([...dec.containers.values()].find((x) => x.name === 'statsidle')!.state, 'created');
  assert.ok(dec.host!.memTotal > 0 && dec.host!.load.length === 3);
  // A stream follows: two objects a tenth of a second apart, the second with what changed only.
  const live = sb.cli(['stats', '--json', '--interval', '100', 'statsbox'], { timeout: 1500 });
  const objs = live.stdout.trim().split('\n').slice(1).map((l) => JSON.parse(l));
  assert.ok(objs.length >= 2, live.stdout + live.stderr);
  assert.equal(objs[0].containers.length, 1);
  assert.equal(objs[0].containers[0].id, c.id);
  const n = objs[0].containers[0].n;
  assert.ok(objs.slice(1).every((o) => o.containers.every((x: { n: number; id?: string; name?: string }) => x.n === n && x.id === undefined && x.name === undefined)), 'then only changes, by its number');
  for (const [args, msg] of [[['--json', '--interval', '5'], /at least 100/], [['--json', '--format', 'json'], /cannot be used together/]] as const) {
    const r2 = sb.cli(['stats', ...args]);
    assert.equal(r2.status, 125);
    assert.match(r2.stderr, msg);
  }
  await sb.engine.remove('statsidle', { force: true });
  await sb.engine.remove(c.id, { force: true });
});
