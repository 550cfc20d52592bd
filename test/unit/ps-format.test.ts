// ps --format, --filter, -n/-l against the fake engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli, NOW } from '../support/cli-inproc.js';
import type { ContainerSpec } from '../../src/engine/types.js';

const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const spec = (s: Partial<ContainerSpec> & { labels?: Record<string, string> }) => ({ image: 'host', ...s }) as ContainerSpec;

function fixture(): FakeEngine {
  const e = new FakeEngine();
  e.add({
    id: 'f1e2d3c4b5a6'.repeat(5) + 'abcd', name: 'job', image: 'alpine', imageId: 'sha256:' + 'aa'.repeat(32), status: 'exited', exitCode: 3,
    command: ['sh', '-c', 'exit 3'], created: ago(2 * 3_600_000), startedAt: ago(2 * 3_600_000), finishedAt: ago(3000),
    spec: spec({ image: 'alpine', labels: { tier: 'batch' } }),
  });
  e.add({
    id: '0123456789ab'.repeat(5) + 'cdef', name: 'web', status: 'running', command: ['sleep', '1000'],
    created: ago(10 * 60_000), startedAt: ago(5 * 60_000), spec: spec({ labels: { tier: 'front', team: 'web' } }),
    ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    endpoints: [{ network: 'app', networkId: 'beef'.repeat(16), ipAddress: '10.78.0.2', prefixLen: 24, gateway: '10.78.0.1', macAddress: '', veth: '', ifname: 'eth0', bridge: '', aliases: [] }],
    mounts: [{ type: 'volume', name: 'data', source: '/var/lib/hutch/volumes/data/_data', destination: '/srv', rw: true, propagation: '', mode: '' }],
  });
  e.add({ id: 'abcdef012345'.repeat(5) + '0000', name: 'db', status: 'created', created: ago(60_000), startedAt: '', spec: spec({ network: 'none' }) });
  return e;
}

const run = async (argv: string[], e = fixture()) => cli(['ps', ...argv], e);

test('ps --format: placeholders, table header, json', async () => {
  assert.equal((await run(['--format', '{{.Names}}'])).out, 'web\n');
  assert.equal((await run(['-a', '--format', '{{.ID}}: {{.Command}}'])).out, 'abcdef012345: "sleep infinity"\n0123456789ab: "sleep 1000"\nf1e2d3c4b5a6: "sh -c exit 3"\n');
  assert.equal(
    (await run(['-a', '--format', 'table {{.Names}}\\t{{.State}}\\t{{.Networks}}\\t{{.Label "tier"}}'])).out,
    // docker heads a label's column with the key's last part, as written.
    'NAMES     STATE     NETWORKS   tier\n' +
    'db        created   none       \n' +
    'web       running   app        front\n' +
    'job       exited               batch\n',
  );
  assert.equal((await run(['--format', '{{.Labels}}|{{.Mounts}}|{{.LocalVolumes}}|{{.Ports}}|{{.Status}}|{{.RunningFor}}|{{.CreatedAt}}'])).out,
    'team=web,tier=front|data|1|0.0.0.0:8080->80/tcp|Up 5 minutes|10 minutes ago|2024-01-01 11:50:00 +0000 UTC\n');
  assert.equal((await run(['--no-trunc', '--format', '{{.ID}}'])).out, `${'0123456789ab'.repeat(5)}cdef\n`);
  const [json] = (await run(['--format', 'json'])).out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(json, {
    Command: '"sleep 1000"', CreatedAt: '2024-01-01 11:50:00 +0000 UTC', ID: '0123456789ab', Image: 'host', Labels: 'team=web,tier=front', LocalVolumes: '1',
    Mounts: 'data', Names: 'web', Networks: 'app', Ports: '0.0.0.0:8080->80/tcp', RunningFor: '10 minutes ago', Size: '0B', State: 'running', Status: 'Up 5 minutes',
  });
  assert.equal((await run(['--format', '{{json .}}'])).out, (await run(['--format', 'json'])).out);
  // 'table' and '' are the default table; -q wins over --format, as docker.
  assert.equal((await run(['--format', 'table'])).out, (await run([])).out);
  assert.equal((await run(['-q', '--format', '{{.Names}}'])).out, '0123456789ab\n');
});

test('ps --format errors are one line, exit 125, before the engine opens', async () => {
  const r = await run(['--format', '{{.Names']);
  assert.deepEqual([r.code, r.out, r.err, r.opened], [125, '', 'hutch: template parsing error: template: :1: unclosed action\n', 0]);
  const x = await run(['--format', '{{.Nope}}']);
  assert.equal(x.code, 125);
  assert.equal(x.out, '');
  assert.equal(x.err, `hutch: template parsing error: template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext\n`);
});

test('ps --filter: each key; one key repeated is OR, different keys AND', async () => {
  const names = async (...argv: string[]) => (await run([...argv, '--format', '{{.Names}}'])).out.trim().split('\n').filter(Boolean);
  assert.deepEqual(await names('--filter', 'status=exited'), ['job'], 'a status filter looks at every container');
  assert.deepEqual(await names('--filter', 'status=exited', '--filter', 'status=created'), ['db', 'job']);
  assert.deepEqual(await names('-a', '--filter', 'name=b'), ['db', 'web', 'job'], 'a part of the name matches');
  assert.deepEqual(await names('-a', '--filter', 'name=^/we'), ['web']);
  assert.deepEqual(await names('-a', '--filter', 'name=web', '--filter', 'name=job'), ['web', 'job']);
  assert.deepEqual(await names('-a', '--filter', 'name=web', '--filter', 'status=exited'), []);
  assert.deepEqual(await names('-a', '--filter', 'id=abcdef0'), ['db']);
  assert.deepEqual(await names('-a', '--filter', 'label=tier'), ['web', 'job']);
  assert.deepEqual(await names('-a', '--filter', 'label=tier=front'), ['web']);
  assert.deepEqual(await names('-a', '--filter', 'label=tier', '--filter', 'label=team=web'), ['web'], 'labels: every one must match');
  assert.deepEqual(await names('-a', '--filter', 'exited=3'), ['job']);
  assert.deepEqual(await names('-a', '--filter', 'exited=0'), []);
  assert.deepEqual(await names('-a', '--filter', 'ancestor=alpine'), ['job']);
  assert.deepEqual(await names('-a', '--filter', 'ancestor=docker.io/library/alpine:latest'), ['job']);
  assert.deepEqual(await names('-a', '--filter', 'ancestor=host'), ['db', 'web']);
  assert.deepEqual(await names('-a', '--filter', 'network=app'), ['web']);
  assert.deepEqual(await names('-a', '--filter', 'network=beefbeef'), ['web']);
  assert.deepEqual(await names('-a', '--filter', 'network=none'), ['db']);
  assert.deepEqual(await names('-a', '--filter', 'volume=data'), ['web']);
  assert.deepEqual(await names('-a', '--filter', 'volume=/srv'), ['web']);
  assert.deepEqual(await names('-a', '--filter', 'health=none'), ['db', 'web', 'job']);
  assert.deepEqual(await names('-a', '--filter', 'health=healthy'), []);
  assert.deepEqual(await names('-a', '--filter', 'before=web'), ['job']);
  assert.deepEqual(await names('-a', '--filter', 'since=job'), ['db', 'web']);
  assert.deepEqual(await names('--filter', 'since=job'), ['web'], 'without -a, only running ones');
});

test('ps -n/-l: the last created, in any state', async () => {
  const e = fixture();
  assert.equal((await cli(['ps', '-n', '2', '--format', '{{.Names}}'], e)).out, 'db\nweb\n');
  assert.equal((await cli(['ps', '-l', '-q'], e)).out, 'abcdef012345\n');
  assert.equal((await cli(['ps', '-n', 'x'], e)).code, 125);
});

test('bad filters: one line, exit 125, nothing opened', async () => {
  const cases: [string, string][] = [
    ['nope=1', "hutch: invalid filter 'nope'\n"],
    ['status=sleeping', "hutch: invalid filter 'status=sleeping'\n"],
    ['health=ok', "hutch: invalid filter 'health=ok'\n"],
    ['exited=x', "hutch: invalid filter 'exited=x'\n"],
    ['name', 'hutch: bad format of filter (expected name=value)\n'],
  ];
  for (const [f, err] of cases) {
    const r = await run(['--filter', f]);
    assert.deepEqual([r.code, r.out, r.err, r.opened], [125, '', err, 0], f);
  }
  const r = await run(['--filter', 'before=missing']);
  assert.deepEqual([r.code, r.err], [125, 'hutch: No such container: missing\n']);
});

test("ps --format '{{.Names}}' --filter status=running over 1000 containers is fast", async () => {
  const e = new FakeEngine();
  for (let i = 0; i < 1000; i++) e.add({ name: `c${i}`, status: i % 2 ? 'running' : 'exited', created: new Date(NOW.getTime() - i * 1000).toISOString() });
  const start = performance.now();
  const r = await cli(['ps', '--format', '{{.Names}}', '--filter', 'status=running'], e);
  const ms = performance.now() - start;
  assert.equal(r.out.split('\n').length - 1, 500);
  assert.equal(r.out.split('\n')[0], 'c1');
  assert.ok(ms < 400, `took ${ms.toFixed(0)} ms`);
});

test('a paused container is State paused and matches status=paused', async () => {
  const e = fixture();
  e.add({ name: 'frozen', status: 'running', paused: true, created: ago(1000), startedAt: ago(1000) });
  assert.equal((await cli(['ps', '--filter', 'status=paused', '--format', '{{.Names}} {{.State}} {{.Status}}'], e)).out, 'frozen paused Up 1 second (Paused)\n');
  assert.deepEqual((await cli(['ps', '--filter', 'status=running', '--format', '{{.Names}}'], e)).out, 'web\n');
});

test('ps -s and {{.Size}}: the container layer, and with its image (virtual)', async () => {
  const e = fixture();
  e.imageList.push({ name: 'alpine:latest', id: 'sha256:' + 'aa'.repeat(32), created: '2023-01-01T00:00:00Z', size: 7_000_000, kind: 'oci', repository: 'alpine', tag: 'latest' });
  e.containerSizes.set(e.containers[0].id, 2048);
  e.containerSizes.set(e.containers[1].id, 12);
  assert.equal((await cli(['ps', '-a', '--format', '{{.Names}} {{.Size}}'], e)).out, 'db 0B\nweb 12B\njob 2.05kB (virtual 7MB)\n');
  assert.equal(e.callsOf('diskUsage').length, 1);
  const table = (await cli(['ps', '-s'], e)).out.split('\n');
  assert.match(table[0], /NAMES {5}SIZE$/);
  assert.match(table[1], /web {7}12B$/);
  await cli(['ps', '--format', '{{.Names}}'], e);
  assert.equal(e.callsOf('diskUsage').length, 2, 'sizes are measured only when shown');
});

test('ps --filter publish/expose (a container port or range, tcp by default), is-task, isolation', async () => {
  const names = async (...f: string[]) => (await run(['-a', '--format', '{{.Names}}', ...f.flatMap((x) => ['--filter', x])])).out.trim().split('\n').filter(Boolean);
  assert.deepEqual(await names('publish=80'), ['web']);
  assert.deepEqual(await names('publish=80/udp'), []);
  assert.deepEqual(await names('expose=70-90/tcp'), ['web']);
  assert.deepEqual(await names('is-task=true'), []);
  assert.deepEqual(await names('is-task=false'), ['db', 'web', 'job']);
  assert.deepEqual(await names('isolation=default'), ['db', 'web', 'job']);
  const bad = await run(['--filter', 'publish=http']);
  assert.deepEqual([bad.code, bad.err, bad.opened], [125, "hutch: invalid filter 'publish=http'\n", 0]);
});

test('an image given by its id shows as the short id, in full with --no-trunc', async () => {
  const e = new FakeEngine();
  const id = 'sha256:' + 'ef'.repeat(32);
  e.add({ name: 'byid', image: id });
  assert.equal((await cli(['ps', '--format', '{{.Image}}'], e)).out, 'efefefefefef\n');
  assert.equal((await cli(['ps', '--no-trunc', '--format', '{{.Image}}'], e)).out, `${id}\n`);
  assert.match((await cli(['ps'], e)).out.split('\n')[1], /^[0-9a-f]{12} {3}efefefefefef {3}/);
});
