import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli, NOW } from '../support/cli-inproc.js';

const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

test('run -d creates, starts and prints the full id', async () => {
  const e = new FakeEngine();
  const r = await cli(
    ['run', '-d', '--name', 'web', '-m', '256m', '--cpus', '0.5', '--pids-limit', '100', '-e', 'A=1', '-e', 'FROM_HOST',
      '-e', 'UNSET', '-w', '/tmp', '--hostname', 'box', '--network', 'host', 'host', 'sleep', '1000'],
    e,
  );
  assert.equal(r.code, 0);
  assert.equal(r.err, '');
  assert.match(r.out, /^[0-9a-f]{64}\n$/);
  assert.equal(r.out, `${e.containers[0].id}\n`);
  assert.deepEqual(e.callsOf('create'), [[{
    image: 'host', name: 'web', cmd: ['sleep', '1000'], env: ['A=1', 'FROM_HOST=yes'], workdir: '/tmp',
    hostname: 'box', network: 'host', memory: 256 * 1024 ** 2, cpus: 0.5, pidsLimit: 100,
  }]]);
  assert.deepEqual(e.callsOf('start'), [[e.containers[0].id, { attach: false, signals: undefined }]]);
  assert.deepEqual(r.signals, []);
});

test('foreground run attaches, waits and exits with the container status', async () => {
  const e = new FakeEngine();
  e.waitResult = { exitCode: 3, oomKilled: false };
  const r = await cli(['run', '--rm', '-it', 'host', 'sh', '-c', 'exit 3'], e);
  assert.equal(r.code, 3);
  assert.equal(r.out, '');
  assert.equal(r.err, '');
  assert.deepEqual(e.callsOf('create'), [[{ image: 'host', cmd: ['sh', '-c', 'exit 3'], tty: true, interactive: true, autoRemove: true }]]);
  assert.equal(e.callsOf('start').length, 1);
  const [id, startOpts] = e.callsOf('start')[0] as [string, { attach: boolean; signals: unknown }];
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.equal(startOpts.attach, true);
  assert.ok(startOpts.signals, 'the relayed signals go to the engine');
  assert.deepEqual(e.callsOf('wait'), [[id]]);
  assert.deepEqual(e.containers, [], 'the --rm container is gone once its status was read');
  assert.deepEqual(r.signals, [['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH']]);
  assert.equal(r.restored, 1);
});

test('run -it refuses a stdin that is not a terminal', async () => {
  const e = new FakeEngine();
  const r = await cli(['run', '-it', 'host'], e, { stdinIsTTY: false });
  assert.equal(r.code, 125);
  assert.equal(r.err, 'hutch: the input device is not a TTY\n');
  assert.equal(e.calls.length, 0);
});

test('a command that cannot be run exits 127 with one line', async () => {
  const e = new FakeEngine();
  const r = await cli(['run', 'host', 'nope'], e);
  assert.equal(r.code, 127);
  assert.equal(r.err, 'hutch: exec: "nope": executable file not found in $PATH\n');
  assert.equal(r.restored, 1);
});

test('engine errors on run exit 125', async () => {
  const e = new FakeEngine();
  const web = e.add({ name: 'web' });
  const r = await cli(['run', '--name', 'web', 'host'], e);
  assert.equal(r.code, 125);
  assert.equal(
    r.err,
    `hutch: Conflict. The container name "/web" is already in use by container "${web.id}". You have to remove (or rename) that container to be able to reuse that name.\n`,
  );
});

test('invalid limits are one-line errors and open no engine', async () => {
  const cases: [string[], string][] = [
    [['-m', '12x'], 'hutch: invalid memory value: "12x"\n'],
    [['--cpus', '8'], 'hutch: range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available\n'],
    [['--cpus', '0'], 'hutch: range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available\n'],
    [['--cpus', 'abc'], 'hutch: invalid argument "abc" for "--cpus" flag: not a number\n'],
    [['--pids-limit', '1.5'], 'hutch: invalid argument "1.5" for "--pids-limit" flag: not an integer\n'],
    [['--network', ''], 'hutch: invalid network mode "": give a network name, none, host or container:NAME\n'],
    [['-p', '99999:80'], 'hutch: invalid hostPort: 99999\n'],
    [['-p', 'abc'], 'hutch: invalid containerPort: abc\n'],
    [['-p', '80:80/sctpx'], 'hutch: invalid proto: sctpx\n'],
    [['-p', '8000-8002:80-81'], 'hutch: invalid ranges specified for container and host Ports: 80-81 and 8000-8002\n'],
    [['-p', '1.2.3:80:80'], 'hutch: invalid IP address: 1.2.3\n'],
    [['-w', 'rel'], "hutch: the working directory 'rel' is invalid, it needs to be an absolute path\n"],
    [['-e', '=x'], 'hutch: invalid environment variable: =x\n'],
  ];
  for (const [flags, err] of cases) {
    const r = await cli(['run', ...flags, 'host']);
    assert.equal(r.err, err, flags.join(' '));
    assert.equal(r.code, 125);
    assert.equal(r.opened, 0);
  }
});

test('-m 0 and --pids-limit -1 mean unlimited', async () => {
  const e = new FakeEngine();
  await cli(['create', '-m', '0', '--pids-limit', '-1', 'host'], e);
  assert.deepEqual(e.callsOf('create'), [[{ image: 'host' }]]);
});

function psFixture(): FakeEngine {
  const e = new FakeEngine();
  e.add({
    id: 'f1e2d3c4b5a6'.repeat(5) + 'abcd', name: 'job', image: 'alpine', status: 'exited', exitCode: 3,
    command: ['sh', '-c', 'echo hello world; exit 3'], created: ago(2 * 3_600_000), startedAt: ago(2 * 3_600_000),
    finishedAt: ago(3000),
  });
  e.add({
    id: '0123456789ab'.repeat(5) + 'cdef', name: 'web', image: 'host', status: 'running', command: ['sleep', '1000'],
    created: ago(10 * 60_000), startedAt: ago(5 * 60_000),
    ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' }],
  });
  return e;
}

test('ps prints docker columns, newest first', async () => {
  const r = await cli(['ps', '-a'], psFixture());
  assert.equal(r.code, 0);
  assert.equal(
    r.out,
    'CONTAINER ID   IMAGE     COMMAND                  CREATED          STATUS                     PORTS                                          NAMES\n' +
      '0123456789ab   host      "sleep 1000"             10 minutes ago   Up 5 minutes               0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp   web\n' +
      'f1e2d3c4b5a6   alpine    "sh -c echo hello wo…"   2 hours ago      Exited (3) 3 seconds ago                                                  job\n',
  );
});

test('ps without -a lists running containers; -q ids; --no-trunc full', async () => {
  const e = psFixture();
  assert.equal(
    (await cli(['ps'], e)).out,
    'CONTAINER ID   IMAGE     COMMAND        CREATED          STATUS         PORTS                                          NAMES\n' +
      '0123456789ab   host      "sleep 1000"   10 minutes ago   Up 5 minutes   0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp   web\n',
  );
  assert.deepEqual(e.callsOf('list'), [[{ all: false }]]);
  assert.equal((await cli(['ps', '-aq'], e)).out, '0123456789ab\nf1e2d3c4b5a6\n');
  assert.equal((await cli(['ps', '-q', '--no-trunc'], e)).out, `${e.containers[1].id}\n`);
  assert.match((await cli(['ps', '-a', '--no-trunc'], e)).out, /"sh -c echo hello world; exit 3"/);
});

test('rm of a running container without -f prints the engine error and exits 1', async () => {
  const e = psFixture();
  const r = await cli(['rm', 'web'], e);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.equal(
    r.err,
    'hutch: cannot remove container "web": container is running: stop the container before removing or force remove\n',
  );
  const f = await cli(['rm', '-f', 'web'], e);
  assert.equal(f.code, 0);
  assert.equal(f.out, 'web\n');
  assert.deepEqual(e.callsOf('remove').at(-1), ['web', { force: true }]);
});

test('multi-container verbs act on each and exit 1 when any failed', async () => {
  const e = psFixture();
  const r = await cli(['rm', 'job', 'missing', 'f1e2'], e);
  assert.equal(r.out, 'job\n');
  assert.equal(r.err, 'hutch: No such container: missing\nhutch: No such container: f1e2\n');
  assert.equal(r.code, 1);
});

test('stop, restart, kill, start pass their options', async () => {
  const e = psFixture();
  assert.equal((await cli(['stop', '-t', '2', 'web'], e)).out, 'web\n');
  assert.deepEqual(e.callsOf('stop'), [['web', 2]]);
  assert.equal((await cli(['start', 'web', 'job'], e)).out, 'web\njob\n');
  assert.equal((await cli(['restart', 'web'], e)).code, 0);
  assert.deepEqual(e.callsOf('restart'), [['web', undefined]]);
  assert.equal((await cli(['kill', '-s', 'HUP', 'web'], e)).out, 'web\n');
  await cli(['kill', 'web'], e);
  await cli(['kill', '--signal=9', 'web'], e);
  assert.deepEqual(e.callsOf('kill'), [['web', 'HUP'], ['web', 'KILL'], ['web', 9]]);
  const bad = await cli(['stop', '-t', 'x', 'web'], e);
  assert.equal(bad.code, 125);
  assert.equal(bad.err, `hutch: invalid argument "x" for "--time" flag: not an integer (see 'hutch stop --help')\n`);
});

test('logs split stdout/stderr, join partial lines, add timestamps', async () => {
  const e = psFixture();
  e.logLines.set(e.containers[1].id, [
    { time: '2024-01-01T00:00:01.000000001Z', stream: 'stdout', full: true, text: 'one' },
    { time: '2024-01-01T00:00:02.000000000Z', stream: 'stderr', full: true, text: 'oops' },
    { time: '2024-01-01T00:00:03.000000000Z', stream: 'stdout', full: false, text: 'par' },
    { time: '2024-01-01T00:00:04.000000000Z', stream: 'stdout', full: true, text: 'tial' },
  ]);
  const r = await cli(['logs', 'web'], e);
  assert.equal(r.out, 'one\npartial\n');
  assert.equal(r.err, 'oops\n');
  const t = await cli(['logs', '-t', '--tail', '3', 'web'], e);
  assert.equal(t.out, '2024-01-01T00:00:03.000000000Z partial\n');
  assert.equal(t.err, '2024-01-01T00:00:02.000000000Z oops\n');
  assert.deepEqual(e.callsOf('logs').at(-1), ['web', { follow: false, tail: 3 }]);
  await cli(['logs', '-f', '--tail=all', 'web'], e);
  assert.deepEqual(e.callsOf('logs').at(-1), ['web', { follow: true, tail: undefined }]);
  assert.equal((await cli(['logs', 'nope'], e)).err, 'hutch: No such container: nope\n');
});

test('exec exits with the command status and keeps the command flags', async () => {
  const e = psFixture();
  e.execResult = 42;
  const r = await cli(['exec', '-e', 'A=1', '-w', '/tmp', 'web', 'ls', '-la'], e);
  assert.equal(r.code, 42);
  const [[ref, argv, opts]] = e.callsOf('exec') as [[string, string[], Record<string, unknown>]];
  assert.deepEqual([ref, argv], ['web', ['ls', '-la']]);
  assert.ok(opts.signals, 'the relayed signals go to the engine');
  assert.deepEqual({ ...opts, signals: undefined }, { tty: false, interactive: false, detach: false, stdio: 'inherit', env: ['A=1'], cwd: '/tmp', signals: undefined });
  assert.deepEqual(r.signals, [['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH']]);
  const stopped = await cli(['exec', 'job', 'ls'], e);
  assert.equal(stopped.code, 125);
  assert.equal(stopped.err, 'hutch: container job is not running\n');
  const missing = await cli(['exec', 'web'], e);
  assert.equal(missing.code, 125);
  assert.equal(missing.err, `hutch: "hutch exec" requires at least 2 arguments (see 'hutch exec --help')\n`);
});

test('inspect prints a JSON array with 2-space indent', async () => {
  const e = psFixture();
  const r = await cli(['inspect', 'web'], e);
  assert.equal(r.code, 0);
  const [c] = JSON.parse(r.out);
  assert.equal(r.out, `${JSON.stringify([c], null, 2)}\n`);
  assert.deepEqual([c.Id, c.Name, c.State.Status], [e.containers[1].id, `/${e.containers[1].name}`, e.containers[1].status]);
  assert.deepEqual(c.NetworkSettings.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] });
  const m = await cli(['inspect', 'web', 'nope'], e);
  assert.equal(m.code, 1);
  assert.equal(m.out, r.out);
  assert.equal(m.err, 'Error: No such object: nope\n');
});

test('images, import, gc, wait', async () => {
  const e = psFixture();
  e.imageList = [
    { name: 'host', id: 'sha256:' + '9'.repeat(64), created: '', size: 0, kind: 'builtin', repository: 'host', tag: '-' },
    { name: 'alpine:latest', id: 'sha256:' + '1a'.repeat(32), created: ago(3 * 86_400_000), size: 7_340_032, kind: 'rootfs', repository: 'alpine', tag: 'latest' },
    { name: '2b2b2b2b2b2b', id: 'sha256:' + '2b'.repeat(32), created: ago(3600_000), size: 1000, kind: 'oci', repository: '<none>', tag: '<none>' },
  ];
  assert.equal(
    (await cli(['images'], e)).out,
    'REPOSITORY   TAG       IMAGE ID       CREATED             SIZE\n' +
      'host         -         999999999999   -                   -\n' +
      'alpine       latest    1a1a1a1a1a1a   3 days ago          7.34MB\n' +
      '<none>       <none>    2b2b2b2b2b2b   About an hour ago   1kB\n',
  );
  assert.equal((await cli(['images', '-q'], e)).out, '1a1a1a1a1a1a\n2b2b2b2b2b2b\n');
  assert.equal((await cli(['import', 'rootfs.tar', 'mine'], e)).out, `sha256:${'ab'.repeat(32)}\n`);
  assert.deepEqual(e.callsOf('importImage'), [['rootfs.tar', 'mine']]);
  e.gcResult = ['removed cgroup /sys/fs/cgroup/hutch/dead', 'removed /run/hutch/containers/dead'];
  assert.equal((await cli(['gc'], e)).out, 'removed cgroup /sys/fs/cgroup/hutch/dead\nremoved /run/hutch/containers/dead\n');
  const w = await cli(['wait', 'job', 'web'], e);
  assert.equal(w.out, '3\n0\n');
  assert.equal(w.code, 0);
});

test('usage errors: one line, a hint, exit 125', async () => {
  const cases: [string[], string][] = [
    [['frobnicate'], `hutch: "frobnicate" is not a hutch command (see 'hutch --help')\n`],
    [['--frob'], `hutch: unknown flag: --frob (see 'hutch --help')\n`],
    [['ps', '--foo'], `hutch: unknown flag: --foo (see 'hutch ps --help')\n`],
    [['rm'], `hutch: "hutch rm" requires at least 1 argument (see 'hutch rm --help')\n`],
    [['ps', 'x'], `hutch: "hutch ps" accepts no arguments (see 'hutch ps --help')\n`],
    [['run'], `hutch: "hutch run" requires at least 1 argument (see 'hutch run --help')\n`],
    [['run', '--name'], `hutch: flag needs an argument: --name (see 'hutch run --help')\n`],
    [['help', 'nope'], `hutch: unknown command: "nope" (see 'hutch --help')\n`],
  ];
  for (const [argv, err] of cases) {
    const r = await cli(argv);
    assert.equal(r.err, err, argv.join(' '));
    assert.equal(r.code, 125);
    assert.equal(r.out, '');
    assert.equal(r.opened, 0);
  }
});

test('help and version never open the engine', async () => {
  for (const argv of [['--help'], ['-h'], ['help'], ['help', 'run'], ['rm', '--help'], ['ps', '-h'], ['run', '--help'],
    ['version'], ['--version']]) {
    const r = await cli(argv);
    assert.equal(r.code, 0, argv.join(' '));
    assert.equal(r.opened, 0);
    assert.equal(r.err, '');
    assert.ok(r.out.length > 0);
  }
  assert.match((await cli(["--help"])).out, /^Usage: {2}hutch \[--theme NAME\|PATH\] \[--interval DURATION\]\n {8}hutch COMMAND \[OPTIONS\]\n/);
  const rm = (await cli(['rm', '--help'])).out;
  assert.match(rm, /^Usage: {2}hutch rm \[OPTIONS\] CONTAINER \[CONTAINER\.\.\.\]\n/);
  assert.match(rm, /\n {2}-f, --force {5}Force the removal/);
  assert.match((await cli(['version'])).out, /^Client:\n Version: +\d+\.\d+\.\d+\n/);
  // run's -h is --hostname, as in docker; the command's --help is the command's.
  const e = new FakeEngine();
  await cli(['run', '-d', '-h', 'box', 'host', 'ls', '--help'], e);
  assert.deepEqual(e.callsOf('create'), [[{ image: 'host', hostname: 'box', cmd: ['ls', '--help'] }]]);
});

test('unexpected errors are one line; the stack only with HUTCH_DEBUG=1', async () => {
  const boom = async () => {
    throw new Error('boom\nsecond line');
  };
  const r = await cli(['ps'], new FakeEngine(), { openEngine: boom });
  assert.equal(r.code, 125);
  assert.equal(r.err, 'hutch: boom second line\n');
  const d = await cli(['ps'], new FakeEngine(), { openEngine: boom, env: { HUTCH_DEBUG: '1' } });
  assert.match(d.err, /^hutch: boom second line\nError: boom\n/);
  assert.match(d.err, /\n\s+at /);
});

test('no arguments opens the dashboard (engine first)', async () => {
  const r = await cli([], new FakeEngine(), {
    openEngine: async () => {
      throw new Error('cannot open /var/lib/hutch');
    },
  });
  assert.equal(r.code, 125);
  assert.equal(r.err, 'hutch: cannot open /var/lib/hutch\n');
});

test('without a terminal, no arguments print ps -a and a hint', async () => {
  const r = await cli([], psFixture());
  assert.equal(r.code, 0);
  assert.match(r.out, /^CONTAINER ID {3}IMAGE .*\n.* web\n.* job\n\n.*dashboard/s);
  // The flags are still checked.
  assert.match((await cli(['--interval', 'soon'], psFixture())).err, /invalid argument "soon" for "--interval" flag/);
});
