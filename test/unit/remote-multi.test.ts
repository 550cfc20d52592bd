// The composite the dashboard talks to with --host: local rows first, each remote
// host's after them with `host` set and ids of their own; the sweep's samples and the
// history cover both; actions on a remote row become `ssh … HOST hutch VERB ID`
// (through the master's options), local ones stay with the local engine; what the
// remote side cannot do says so; logs come back as lines; host states reach the UI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { FakeEngine } from '../support/fake-engine.js';
import { FakeStats, sample } from '../ui/fakes.js';
import { Remotes, type HostStatus } from '../../src/engine/remote/remotes.js';
import { MultiHostStats } from '../../src/engine/remote/multi-stats.js';
import { multiHostEngine } from '../../src/engine/remote/multi-engine.js';
import { StatsStreamEncoder } from '../../src/engine/stats/stream.js';
import type { ContainerInfo, LogLine } from '../../src/engine/types.js';
import type { ContainerSample } from '../../src/engine/stats/types.js';
import { FakeChild, FakeClock, SSH, container } from './remote-fakes.js';

const HOST = { cpu: 10, mem: 1, memTotal: 2, load: [0, 0, 0] as [number, number, number] };
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function setup() {
  const children: FakeChild[] = [];
  /** What a non-stream call's ssh does: exit status and output. */
  let answer: (c: FakeChild) => void = (c) => c.exit(0);
  const spawn = (program: string, args: string[]) => {
    const c = new FakeChild(program, args);
    children.push(c);
    if (!args.at(-1)!.includes('stats --json')) setImmediate(() => answer(c));
    return c as unknown as ChildProcess;
  };
  const local = new FakeEngine();
  const mine = local.add({ name: 'here' });
  const stats = new FakeStats(local);
  const clock = new FakeClock();
  const remotes = new Remotes(['web-1', 'db-1', 'web-1'], { ssh: SSH, intervalMs: 1000, spawn, clock });
  const multi = new MultiHostStats(stats, remotes);
  const engine = multiHostEngine(local, remotes);
  const streams = () => children.filter((c) => c.args.at(-1)!.includes('stats --json'));
  return { children, streams, clock, local, mine, stats, remotes, multi, engine, setAnswer: (f: (c: FakeChild) => void) => (answer = f) };
}

/** The composite with web-1 up, running `api` (its dashboard id); cmd(): the last ssh's remote command. */
async function withApi() {
  const s = setup();
  s.multi.start(1000);
  const enc = new StatsStreamEncoder();
  s.streams()[0].stdout.write(enc.header({ hutch: '0.1.0', host: 'web-1', interval: 1000 }) + enc.frame(1, HOST, [container('a'.repeat(64), { name: 'api' })]));
  await settle();
  return { s, id: `${'a'.repeat(64)}@web-1`, cmd: () => s.children.at(-1)!.args.at(-1) };
}

test('rows: local first, then each host\'s with its name and an id of its own; samples and history follow', async (t) => {
  const s = setup();
  t.after(() => s.remotes.close());
  const seen: { samples: ReadonlyMap<string, ContainerSample>; rows: ContainerInfo[] }[] = [];
  s.multi.onSample((samples, _h, rows) => seen.push({ samples, rows }));
  s.multi.start(1000);
  assert.equal(s.stats.started, 1000);
  assert.equal(s.streams().length, 2, 'one stream per host, a host named twice once');
  const enc = new StatsStreamEncoder();
  const web = s.streams()[0];
  web.stdout.write(enc.header({ hutch: '0.1.0', host: 'web-1', interval: 1000 }) + enc.frame(1, HOST, [container('a'.repeat(64), { name: 'api', cpu: 12.5 }), container('b'.repeat(64), { name: 'old', state: 'exited', exitCode: 3 })]));
  await settle();
  s.stats.emit([sample(s.mine.id, { cpuPercent: 3 })]);
  const { rows, samples } = seen.at(-1)!;
  assert.deepEqual(rows.map((r) => [r.name, r.host, r.status]), [['here', undefined, 'running'], ['api', 'web-1', 'running'], ['old', 'web-1', 'exited']]);
  const api = rows[1];
  assert.equal(api.id, `${'a'.repeat(64)}@web-1`);
  assert.equal(api.id.slice(0, 12), 'a'.repeat(12), 'the short id is the container\'s own');
  assert.equal(samples.get(api.id)!.cpuPercent, 12.5);
  assert.equal(samples.get(s.mine.id)!.cpuPercent, 3);
  assert.equal(rows[2].exitCode, 3);
  web.stdout.write(enc.frame(2, HOST, [container('a'.repeat(64), { name: 'api', cpu: 40 }), container('b'.repeat(64), { name: 'old', state: 'exited', exitCode: 3 })]));
  await settle();
  assert.deepEqual(s.multi.history(api.id).cpu, [12.5, 40]);
  assert.deepEqual(s.multi.cpuTail(api.id, 1), [40]);
  assert.deepEqual(s.multi.history(s.mine.id).cpu, [3], 'a local id: the local history');
  // The engine's list: the same rows (exited remote ones only with all).
  assert.deepEqual((await s.engine.list({ all: true })).map((c) => c.name), ['here', 'api', 'old']);
  assert.deepEqual((await s.engine.list()).map((c) => c.name), ['here', 'api']);
  s.multi.stop();
  assert.ok(s.stats.stopped);
  assert.ok(s.streams().every((c) => c.killed.includes('SIGTERM')), 'every ssh killed at stop');
});

test('actions route by the row\'s host: remote ones are hutch\'s commands over ssh, local ones stay local', async (t) => {
  const { s, id, cmd } = await withApi();
  t.after(() => s.remotes.close());
  const info = await s.engine.stop(id, 10);
  assert.equal(info.name, 'api');
  assert.equal(cmd(), `hutch stop -t 10 ${'a'.repeat(64)}`);
  assert.ok(s.children.at(-1)!.args.includes('ControlMaster=auto'), 'through the master');
  await s.engine.kill(id, 'KILL');
  assert.equal(cmd(), `hutch kill -s KILL ${'a'.repeat(64)}`);
  await s.engine.remove(id, { force: true });
  assert.equal(cmd(), `hutch rm -f ${'a'.repeat(64)}`);
  for (const v of ['start', 'pause', 'unpause'] as const) {
    await s.engine[v](id);
    assert.equal(cmd(), `hutch ${v} ${'a'.repeat(64)}`);
  }
  await s.engine.restart(id, 3);
  assert.equal(cmd(), `hutch restart -t 3 ${'a'.repeat(64)}`);
  assert.deepEqual(s.local.callsOf('stop'), [], 'nothing went to the local engine');
  await s.engine.stop(s.mine.id, 10);
  assert.deepEqual(s.local.callsOf('stop'), [[s.mine.id, 10]]);
  // A failure there is one line naming the host.
  s.setAnswer((c) => {
    c.stderr.write('hutch: No such container: aaaa\n');
    c.exit(1);
  });
  await assert.rejects(s.engine.stop(id, 10), { message: 'web-1: No such container: aaaa' });
  // What the remote side cannot do from here says so instead of asking the local engine.
  await assert.rejects(s.engine.diff(id), /diff: not available for web-1's containers/);
  assert.deepEqual(s.local.callsOf('diff'), []);
});

test('logs of a remote container: `hutch logs -t` lines back as log lines, stdout and stderr apart', async (t) => {
  const s = setup();
  t.after(() => s.remotes.close());
  s.setAnswer((c) => {
    c.stdout.write('2026-01-01T00:00:01.000000000Z hello\n2026-01-01T00:00:02.000000000Z world\n');
    c.stderr.write('2026-01-01T00:00:03.000000000Z oops\n');
    c.exit(0);
  });
  const lines: LogLine[] = [];
  for await (const l of s.engine.logs(`${'a'.repeat(64)}@db-1`, { tail: 50, follow: true })) lines.push(l);
  assert.equal(s.children.at(-1)!.args.at(-1), `hutch logs -t --tail 50 -f ${'a'.repeat(64)}`);
  assert.deepEqual(lines.map((l) => [l.stream, l.text, l.time]), [
    ['stdout', 'hello', '2026-01-01T00:00:01.000000000Z'],
    ['stdout', 'world', '2026-01-01T00:00:02.000000000Z'],
    ['stderr', 'oops', '2026-01-01T00:00:03.000000000Z'],
  ]);
  s.setAnswer((c) => {
    c.stderr.write('ssh: Could not resolve hostname db-1: Name or service not known\n');
    c.exit(255);
  });
  await assert.rejects(async () => {
    for await (const l of s.engine.logs(`${'a'.repeat(64)}@db-1`, {})) void l;
  }, { message: 'db-1: ssh: Could not resolve hostname db-1: Name or service not known' });
});

test('host states reach the UI: down with the error (again only when the reason changes), up again', async (t) => {
  const s = setup();
  t.after(() => s.remotes.close());
  const heard: HostStatus[][] = [];
  s.remotes.onHosts((h) => heard.push([...h]));
  s.multi.start(1000);
  const db = s.streams()[1];
  db.stderr.write('ssh: Could not resolve hostname db-1: Name or service not known\n');
  db.exit(255);
  await settle();
  assert.deepEqual(heard.at(-1)!.find((h) => h.name === 'db-1'), { name: 'db-1', state: 'down', error: 'db-1: ssh: Could not resolve hostname db-1: Name or service not known' });
  // The next attempts fail the same way: not news; another reason is.
  const clock = s.clock;
  const fail = async (msg: string) => {
    clock.advance(clock.pending()[0]);
    const c = s.streams().at(-1)!;
    c.stderr.write(`${msg}\n`);
    c.exit(255);
    await settle();
  };
  const before = heard.length;
  await fail('ssh: Could not resolve hostname db-1: Name or service not known');
  assert.equal(heard.length, before);
  await fail('ssh: connect to host db-1 port 22: Connection refused');
  assert.equal(heard.length, before + 1);
  assert.equal(heard.at(-1)!.find((h) => h.name === 'db-1')!.error, 'db-1: ssh: connect to host db-1 port 22: Connection refused');
  const enc = new StatsStreamEncoder();
  const n = heard.length;
  s.streams()[0].stdout.write(enc.header({ hutch: '0.1.0', host: 'web-1', interval: 1000 }) + enc.frame(1, HOST, []) + enc.frame(2, HOST, []));
  await settle();
  assert.equal(heard.length, n + 1, 'frames of a host that stays up are not news');
  assert.equal(heard.at(-1)!.find((h) => h.name === 'web-1')!.state, 'up');
});

test('the dashboard\'s status line names a remote that speaks another stream version; its rows greyed while down', async (t) => {
  const s = setup();
  const { Controller } = await import('../../src/ui/controller.js');
  const { defaultConfig } = await import('../../src/ui/config.js');
  const { loadTheme } = await import('../../src/ui/theme.js');
  const controller = new Controller({
    engine: s.engine,
    stats: s.multi,
    hosts: s.remotes,
    config: defaultConfig(),
    theme: loadTheme('mono'),
    intervalMs: 1000,
    handoff: () => Promise.resolve(),
    quit: () => {},
  });
  controller.start();
  t.after(() => controller.stop());
  const [web, db] = s.streams();
  const enc = new StatsStreamEncoder();
  web.stdout.write(enc.header({ hutch: '0.1.0', host: 'web-1', interval: 1000 }) + enc.frame(1, HOST, [container('a'.repeat(64), { name: 'api' })]));
  db.stdout.write('{"stream":"hutch-stats","version":2,"hutch":"2.0.0","host":"db-1","interval":1000}\n');
  await settle();
  await settle();
  assert.equal(controller.store.get().status?.text, 'db-1: hutch stats stream version 2 (this hutch reads 1)');
  assert.equal(controller.store.get().status?.level, 'error');
  s.stats.emit([]);
  assert.deepEqual(controller.store.get().containers.map((c) => [c.name, c.host]), [['here', undefined], ['api', 'web-1']]);
  // web-1 drops: its row stays, in the set of hosts that are down.
  web.stderr.write('Connection to web-1 closed by remote host.\n');
  web.exit(255);
  await settle();
  assert.deepEqual([...controller.store.get().hostsDown].sort(), ['db-1', 'web-1']);
  assert.equal(controller.store.get().status?.text, 'web-1: Connection to web-1 closed by remote host.');
  s.stats.emit([]);
  assert.ok(controller.store.get().containers.some((c) => c.name === 'api'), 'the last figures stay');
});

test('the detail view of a remote row: processes, inspect (merged into its row), signals and shells go to the host', async (t) => {
  const { s, id, cmd } = await withApi();
  t.after(() => s.remotes.close());
  let out = '';
  s.setAnswer((c) => {
    c.stdout.write(out);
    c.exit(0);
  });
  out = JSON.stringify([{ pid: 10, ppid: 1, state: 'S', rss: 4096, cpuSeconds: 0.5, cmd: 'sleep 1' }]);
  const [one, two] = await Promise.all([s.engine.top(id), s.engine.top(id)]);
  assert.equal(cmd(), `hutch top --format json ${'a'.repeat(64)}`);
  assert.equal(s.children.filter((c) => c.args.at(-1)!.includes('top --format')).length, 1, 'one call at a time per container');
  assert.deepEqual(one, two);
  assert.equal(one[0].cmd, 'sleep 1');

  out = JSON.stringify([
    {
      Id: 'a'.repeat(64),
      Path: 'sh',
      Args: ['-c', 'sleep 1'],
      State: { OOMKilled: false },
      Config: { Hostname: 'apihost' },
      Mounts: [{ Type: 'volume', Name: 'data', Source: '/v/data/_data', Destination: '/data', Driver: 'local', Mode: '', RW: true, Propagation: '' }],
      NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null } },
      Hutch: { spec: { image: 'old', name: 'old', env: ['A=1'], memory: 1024 }, endpoints: [] },
    },
  ]);
  assert.deepEqual(await s.engine.runtimeConfig(id), { hostname: 'apihost', mounts: [] });
  assert.equal(cmd(), `hutch inspect --type container ${'a'.repeat(64)}`);
  const info = await s.engine.inspect(id);
  assert.deepEqual(info.command, ['sh', '-c', 'sleep 1']);
  assert.deepEqual([info.spec.env, info.spec.memory, info.spec.name, info.host], [['A=1'], 1024, 'api', 'web-1'], "the stream's name stays");
  assert.deepEqual(info.mounts, [{ type: 'volume', name: 'data', source: '/v/data/_data', destination: '/data', rw: true, propagation: '', mode: '' }]);
  assert.deepEqual(info.ports, [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  // The row the dashboard lists carries it too, until the container goes.
  const listed = (await s.engine.list({ all: true })).find((c) => c.id === id)!;
  assert.deepEqual(listed.spec.env, ['A=1']);

  out = '';
  await s.engine.signalProcess(id, 10, 'KILL');
  assert.equal(cmd(), `hutch signal-process ${'a'.repeat(64)} 10 KILL`);
  assert.deepEqual(s.local.callsOf('signalProcess'), []);
  out = '[]';
  assert.deepEqual(await s.engine.listShells(id), []);
  assert.equal(cmd(), `hutch shell-serve ls ${'a'.repeat(64)}`);

  // An older hutch there: one line naming the host.
  s.setAnswer((c) => {
    c.stderr.write('hutch: unknown flag: --format\n');
    c.exit(125);
  });
  await assert.rejects(s.engine.top(id), { message: 'web-1: unknown flag: --format' });
});

test('the detail view of a remote row whose host cannot be reached: one line each naming the host, no crash', async (t) => {
  const { s, id } = await withApi();
  const { Controller } = await import('../../src/ui/controller.js');
  const { defaultConfig } = await import('../../src/ui/config.js');
  const { loadTheme } = await import('../../src/ui/theme.js');
  const controller = new Controller({ engine: s.engine, stats: s.multi, hosts: s.remotes, config: defaultConfig(), theme: loadTheme('mono'), intervalMs: 1000, handoff: () => Promise.resolve(), quit: () => {} });
  controller.start();
  t.after(() => controller.stop());
  s.stats.emit([]);
  assert.ok(controller.store.get().containers.some((c) => c.id === id));
  s.setAnswer((c) => {
    c.stderr.write('ssh: connect to host web-1 port 22: Connection refused\n');
    c.exit(255);
  });
  controller.nav.openDetail(id);
  for (let i = 0; i < 5; i++) await settle();
  const st = controller.store.get();
  assert.equal(st.view, 'detail');
  assert.equal(st.detail?.procsError, 'web-1: ssh: connect to host web-1 port 22: Connection refused');
  assert.equal(st.status?.text, `config of ${'a'.repeat(12)}: web-1: ssh: connect to host web-1 port 22: Connection refused`);
  assert.deepEqual(s.local.callsOf('top'), [], 'never the local engine');
});
