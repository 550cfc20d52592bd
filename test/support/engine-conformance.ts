// The EngineApi contract as one suite, registered against each implementation (as
// containerd runs one suite against every snapshotter): the fake always
// (test/unit/engine-conformance-fake.test.ts), the real engine as root with real
// containers on the `host` image (test/integration/engine-conformance-real.test.ts).
// Errors are part of the contract: the same class, exit code and message from each.
//
// The commands are ones both can agree on: `sleep` runs until signalled, the `sh`
// below ends with 143 on SIGTERM (a `sleep` as the container's init would ignore it),
// and the missing and non-executable ones are looked up in the host image the way the
// fake does it (fake-commands.ts).
import { afterEach, after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerInfo, ContainerSpec, EngineApi, NetworkMode } from '../../src/engine/types.js';
import { CommandError, Conflict, EngineError, InvalidArgument, NotFound, SystemError } from '../../src/engine/errors.js';
import { NAME_RE } from '../../src/engine/ids.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

export interface EngineUnderTest {
  engine: EngineApi;
  /** Removes whatever the suite left (its state root, cgroups). */
  cleanup(): Promise<void>;
}

const SLEEP = ['sleep', '1000'];
// Ready once /tmp/ready exists: a SIGTERM before the trap would be ignored (the init of a
// pid namespace ignores signals it has no handler for).
const TERM_EXITS = ['sh', '-c', 'trap "exit 143" TERM; touch /tmp/ready; while :; do sleep 0.1; done'];
const MISSING = '/usr/bin/hutch-conformance-no-such-command';
const NOT_EXECUTABLE = '/etc/passwd';
const MiB = 1024 * 1024;

type ErrorClass = new (...args: never[]) => EngineError;

/** `p` rejects with exactly this class, exit code and message. */
async function fails(p: Promise<unknown> | (() => Promise<unknown>), cls: ErrorClass, message: string, exitCode = 125): Promise<void> {
  await assert.rejects(typeof p === 'function' ? p : () => p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
    assert.equal(e.constructor, cls, `exactly ${cls.name}`);
    assert.equal(e.message, message);
    assert.equal(e.exitCode, exitCode, `exit code of ${cls.name}: ${e.message}`);
    return true;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function engineConformance(name: string, open: () => Promise<EngineUnderTest>): void {
  describe(`EngineApi conformance: ${name}`, () => {
    let target: EngineUnderTest | undefined;
    let e: EngineApi;
    before(async () => {
      target = await open();
      e = target.engine;
    });
    after(() => target?.cleanup());
    afterEach(async () => {
      for (const c of await e.list({ all: true })) await e.remove(c.id, { force: true });
      for (const v of await e.volumes()) await e.removeVolume(v.name);
    });
    const create = (n: string, cmd = SLEEP, more: Partial<ContainerSpec> = {}) => e.create({ image: 'host', name: n, cmd, ...more });
    const ours = async (all: boolean) => (await e.list({ all })).map((c) => c.name);

    test('create: a created container, in list -a only, inspected as created', async () => {
      const c = await create('cf-new');
      assert.match(c.id, /^[0-9a-f]{64}$/);
      assert.ok(!Number.isNaN(Date.parse(c.created)), c.created);
      assert.deepEqual(
        { name: c.name, image: c.image, command: c.command, status: c.status, pid: c.pid, monitorPid: c.monitorPid, exitCode: c.exitCode, startedAt: c.startedAt, finishedAt: c.finishedAt, oomKilled: c.oomKilled },
        { name: 'cf-new', image: 'host', command: SLEEP, status: 'created', pid: 0, monitorPid: 0, exitCode: null, startedAt: '', finishedAt: '', oomKilled: false },
      );
      assert.equal(c.spec.name, 'cf-new');
      assert.deepEqual(c.spec.cmd, SLEEP);
      assert.deepEqual(await e.inspect(c.id), c);
      assert.deepEqual(await ours(false), []);
      assert.deepEqual(await ours(true), ['cf-new']);
    });

    test('create without a name picks a free valid one', async () => {
      const a = await e.create({ image: 'host', cmd: SLEEP });
      const b = await e.create({ image: 'host', cmd: SLEEP });
      for (const c of [a, b]) assert.match(c.name, NAME_RE);
      assert.notEqual(a.name, b.name);
      assert.equal((await e.inspect(a.name)).id, a.id);
    });

    test('create: a name in use is a Conflict naming its owner; nothing else is made', async () => {
      const owner = await create('cf-taken');
      await fails(
        create('cf-taken'),
        Conflict,
        `Conflict. The container name "/cf-taken" is already in use by container "${owner.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
      assert.deepEqual(await ours(true), ['cf-taken']);
    });

    test('create: bad names and limits are InvalidArgument, checked before the image; an unknown image is NotFound', async () => {
      const long = 'x'.repeat(129);
      const cases: Array<[Partial<ContainerSpec>, string]> = [
        [{ name: '-x' }, 'Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
        [{ name: 'a b' }, 'Invalid container name (a b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
        [{ name: long }, `Invalid container name (${'x'.repeat(32)}…): 129 characters, at most 128 are allowed`],
        [{ memory: 1000 }, 'Minimum memory limit allowed is 6MB'],
        [{ memory: 6 * MiB - 1 }, 'Minimum memory limit allowed is 6MB'],
        [{ memory: 8.5 * MiB + 0.5 }, 'Minimum memory limit allowed is 6MB'],
        [{ cpus: 0 }, 'Range of CPUs is from 0.01 to the number of CPUs available'],
        [{ cpus: -1 }, 'Range of CPUs is from 0.01 to the number of CPUs available'],
        [{ pidsLimit: 0 }, 'invalid pids limit: 0'],
        [{ pidsLimit: 1.5 }, 'invalid pids limit: 1.5'],
        [{ network: 'none' as NetworkMode, ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }] }, 'conflicting options: port publishing and the container type network mode none'],
        [{ network: 'host' as NetworkMode, ip: '10.0.0.2' }, '--ip needs a user-defined or the default bridge network, not host'],
        [{ network: 'bridge' as NetworkMode, networkAliases: ['x'] }, 'network-scoped aliases are only supported for user-defined networks'],
        [{ ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 81, protocol: 'tcp' }], network: 'bridge' as NetworkMode }, 'Bind for 127.0.0.1:8080 failed: port is already allocated'],
        [{ hostname: '-box' }, 'invalid hostname "-box"'],
        [{ workdir: 'rel' }, "the working directory 'rel' is invalid, it needs to be an absolute path"],
        [{ env: ['=x'] }, 'invalid environment variable: =x'],
      ];
      for (const [bad, message] of cases) {
        await fails(e.create({ image: 'host', cmd: SLEEP, ...bad }), InvalidArgument, message);
        await fails(e.create({ image: 'cf-no-such-image', cmd: SLEEP, ...bad }), InvalidArgument, message);
      }
      await fails(e.create({ image: 'cf-no-such-image', name: 'cf-img', cmd: SLEEP }), NotFound, "Unable to find image 'cf-no-such-image' locally");
      await fails(e.create({ image: 'host', name: 'cf-net', cmd: SLEEP, network: 'cf-no-such-net' }), NotFound, 'network cf-no-such-net not found');
      assert.deepEqual(await ours(true), []);
      await create('cf-img'); // the name was not taken by the failed create
    });

    test('start: running with its pids; starting it again changes nothing', async () => {
      const c = await create('cf-start');
      const s = await e.start(c.id);
      assert.equal(s.status, 'running');
      assert.ok(s.pid > 0 && s.monitorPid > 0, `pids ${s.pid} ${s.monitorPid}`);
      assert.ok(!Number.isNaN(Date.parse(s.startedAt)), s.startedAt);
      assert.deepEqual([s.finishedAt, s.exitCode], ['', null]);
      const again = await e.start('cf-start');
      assert.deepEqual([again.status, again.pid, again.startedAt], ['running', s.pid, s.startedAt]);
      assert.deepEqual(await ours(false), ['cf-start']);
      assert.equal((await e.inspect(c.id)).pid, s.pid);
    });

    test('start: a command the image lacks is 127, one it cannot execute 126; the container stays created', async () => {
      await create('cf-missing', [MISSING]);
      await fails(e.start('cf-missing'), CommandError, `exec: "${MISSING}": executable file not found in $PATH`, 127);
      const c = await e.inspect('cf-missing');
      assert.deepEqual([c.status, c.exitCode, c.pid], ['created', null, 0]);
      await fails(e.start('cf-missing'), CommandError, `exec: "${MISSING}": executable file not found in $PATH`, 127);
      await create('cf-noexec', [NOT_EXECUTABLE]);
      await fails(e.start('cf-noexec'), CommandError, `exec: "${NOT_EXECUTABLE}": permission denied`, 126);
      assert.deepEqual(await ours(false), []);
    });

    test('stop: SIGTERM ends it with its status; a container not running is a Conflict', async () => {
      await fails(e.stop((await create('cf-stop-created')).id), Conflict, 'container cf-stop-created is not running');
      await create('cf-stop', TERM_EXITS);
      await e.start('cf-stop');
      for (let i = 0; (await e.exec('cf-stop', ['test', '-e', '/tmp/ready'], { stdio: 'pipe' })) !== 0; i++) {
        assert.ok(i < 100, 'the trap is set within 10 s');
        await sleep(100);
      }
      const s = await e.stop('cf-stop', 10);
      assert.deepEqual([s.status, s.exitCode, s.pid, s.monitorPid], ['exited', 143, 0, 0]);
      assert.ok(!Number.isNaN(Date.parse(s.finishedAt)), s.finishedAt);
      assert.deepEqual(await e.wait('cf-stop'), { exitCode: 143, oomKilled: false });
      await fails(e.stop('cf-stop'), Conflict, 'container cf-stop is not running');
      assert.deepEqual(await ours(false), []);
    });

    test('stop with a 0 s timeout kills at once: 137', async () => {
      await create('cf-stop0');
      await e.start('cf-stop0');
      const s = await e.stop('cf-stop0', 0);
      assert.deepEqual([s.status, s.exitCode], ['exited', 137]);
    });

    test('kill: a bad signal is InvalidArgument, a container not running a Conflict; SIGKILL ends it with 137', async () => {
      await create('cf-kill');
      for (const bad of ['FOO', 0, '65', 'SIG']) await fails(e.kill('cf-kill', bad), InvalidArgument, `invalid signal: ${bad}`);
      await fails(e.kill('cf-kill'), Conflict, 'Cannot kill container: cf-kill: container is not running');
      await e.start('cf-kill');
      await e.kill('cf-kill', 'WINCH'); // ignored by the command
      assert.equal((await e.inspect('cf-kill')).status, 'running');
      for (const bad of ['FOO', 0]) await fails(e.kill('cf-kill', bad), InvalidArgument, `invalid signal: ${bad}`);
      await e.kill('cf-kill');
      assert.deepEqual(await e.wait('cf-kill'), { exitCode: 137, oomKilled: false });
      const c = await e.inspect('cf-kill');
      assert.deepEqual([c.status, c.exitCode, c.pid], ['exited', 137, 0]);
      await fails(e.kill('cf-kill', 'TERM'), Conflict, 'Cannot kill container: cf-kill: container is not running');
    });

    test('remove: a running container is a Conflict unless forced; then it is gone, with its name', async () => {
      await e.remove((await create('cf-rm-created')).id);
      await create('cf-rm');
      await e.start('cf-rm');
      await fails(e.remove('cf-rm'), Conflict, 'cannot remove container "cf-rm": container is running: stop the container before removing or force remove');
      assert.equal((await e.inspect('cf-rm')).status, 'running');
      await e.remove('cf-rm', { force: true });
      await fails(e.inspect('cf-rm'), NotFound, 'No such container: cf-rm');
      await fails(e.remove('cf-rm', { force: true }), NotFound, 'No such container: cf-rm');
      assert.deepEqual(await ours(true), []);
      await create('cf-rm'); // the name is free again
    });

    test('list and inspect: running ones without all, newest first; a reference is a name, an id or its prefix', async () => {
      const a = await create('cf-a');
      await sleep(5); // creation times differ
      const b = await create('cf-b');
      await e.start(b.id);
      assert.deepEqual(await ours(false), ['cf-b']);
      assert.deepEqual(await ours(true), ['cf-b', 'cf-a']);
      for (const ref of ['cf-a', a.id, a.id.slice(0, 12)]) assert.equal((await e.inspect(ref)).id, a.id, ref);
      const listed = (await e.list({ all: true })).find((c) => c.id === a.id) as ContainerInfo;
      assert.deepEqual(listed, await e.inspect(a.id));
    });

    test('references: an ambiguous prefix is a Conflict, an unknown one NotFound for every verb', async () => {
      const made: ContainerInfo[] = [];
      let shared: string | undefined;
      for (let i = 0; !shared && i < 17; i++) {
        made.push(await e.create({ image: 'host', cmd: SLEEP }));
        const firsts = made.map((c) => c.id[0]);
        shared = firsts.find((d, j) => firsts.indexOf(d) !== j);
      }
      assert.ok(shared, 'two ids share a first digit');
      await fails(e.inspect(shared), Conflict, `multiple IDs found with provided prefix: ${shared}`);
      await fails(e.remove(shared, { force: true }), Conflict, `multiple IDs found with provided prefix: ${shared}`);
      const unknown = ['cf-nosuch', 'f'.repeat(64), 'zz'];
      const verbs: Array<[string, (ref: string) => Promise<unknown>]> = [
        ['start', (r) => e.start(r)],
        ['stop', (r) => e.stop(r, 0)],
        ['restart', (r) => e.restart(r, 0)],
        ['kill', (r) => e.kill(r)],
        ['remove', (r) => e.remove(r, { force: true })],
        ['inspect', (r) => e.inspect(r)],
        ['inspectContainer', (r) => e.inspectContainer(r)],
        ['wait', (r) => e.wait(r)],
        ['top', (r) => e.top(r)],
        ['runtimeConfig', (r) => e.runtimeConfig(r)],
        ['signalProcess', (r) => e.signalProcess(r, 1, 'TERM')],
        ['saveLogs', (r) => e.saveLogs([r], path.join(os.tmpdir(), 'hutch-conformance-never-written.log'))],
        ['exec', (r) => e.exec(r, ['true'], { stdio: 'pipe' })],
        [
          'logs',
          async (r) => {
            for await (const _ of e.logs(r)) void _;
          },
        ],
      ];
      for (const [verb, call] of verbs) {
        for (const ref of unknown) await fails(async () => call(ref), NotFound, `No such container: ${ref}`).catch((err) => assert.fail(`${verb} ${ref}: ${err.message}`));
        await fails(async () => call(''), NotFound, 'No such container: ').catch((err) => assert.fail(`${verb} '': ${err.message}`));
      }
      assert.equal((await e.list({ all: true })).length, made.length);
    });

    test('wait: a created container answers 0 at once; top and logs of it are empty', async () => {
      await create('cf-wait');
      assert.deepEqual(await e.wait('cf-wait'), { exitCode: 0, oomKilled: false });
      assert.deepEqual(await e.top('cf-wait'), []);
      const lines = [];
      for await (const l of e.logs('cf-wait')) lines.push(l);
      assert.deepEqual(lines, []);
      assert.equal((await e.inspect('cf-wait')).status, 'created');
    });

    test('exec: needs a command, an absolute directory and a running container; a missing command is 127', async () => {
      await create('cf-exec');
      await fails(e.exec('cf-exec', [], { stdio: 'pipe' }), InvalidArgument, 'exec: no command given');
      await fails(e.exec('cf-exec', ['true'], { stdio: 'pipe', cwd: 'rel' }), InvalidArgument, "the working directory 'rel' is invalid, it needs to be an absolute path");
      await fails(e.exec('cf-exec', ['true'], { stdio: 'pipe' }), Conflict, 'container cf-exec is not running');
      await e.start('cf-exec');
      await fails(e.exec('cf-exec', [MISSING], { stdio: 'pipe' }), CommandError, `exec: "${MISSING}": executable file not found in $PATH`, 127);
      await e.stop('cf-exec', 0);
      await fails(e.exec('cf-exec', ['true'], { stdio: 'pipe' }), Conflict, 'container cf-exec is not running');
    });

    test('attach: bad detach keys are InvalidArgument (checked first); a container not running is a Conflict, in docker\'s words', async () => {
      await create('cf-attach');
      const io = { stdin: null, stdout: new PassThrough(), stderr: new PassThrough() };
      await fails(e.attach('cf-attach', { ...io, detachKeys: 'ctrl-!' }), InvalidArgument, "Invalid detach keys (ctrl-!) provided: unknown character: 'ctrl-!'");
      await fails(e.attach('cf-attach', io), Conflict, 'You cannot attach to a stopped container, start it first');
      await fails(e.attach('cf-attach-none', io), NotFound, 'No such container: cf-attach-none');
    });

    test('restart: a created container starts; a running one runs again, anew', async () => {
      await create('cf-restart');
      const first = await e.restart('cf-restart', 0);
      assert.equal(first.status, 'running');
      const second = await e.restart('cf-restart', 0);
      assert.equal(second.status, 'running');
      assert.notEqual(second.pid, first.pid);
      assert.deepEqual([second.exitCode, second.finishedAt], [null, '']);
      await create('cf-restart-missing', [MISSING]);
      await fails(e.restart('cf-restart-missing'), CommandError, `exec: "${MISSING}": executable file not found in $PATH`, 127);
    });

    test('signalProcess: only to a process of the running container, checked then; SIGKILL to its init ends it with 137', async () => {
      await create('cf-sig');
      await fails(e.signalProcess('cf-sig', 1, 'TERM'), Conflict, 'container cf-sig is not running');
      await e.start('cf-sig');
      const { pid } = await e.inspect('cf-sig');
      for (const bad of ['FOO', 0]) await fails(e.signalProcess('cf-sig', pid, bad), InvalidArgument, `invalid signal: ${bad}`);
      for (const bad of [0, -1, 1.5]) await fails(e.signalProcess('cf-sig', bad, 'TERM'), InvalidArgument, `invalid pid: ${bad}`);
      // This test's own process and the host's init are alive, and not the container's.
      for (const other of [process.pid, 1]) await fails(e.signalProcess('cf-sig', other, 'KILL'), NotFound, `no process ${other} in container cf-sig`);
      assert.equal((await e.inspect('cf-sig')).status, 'running');
      await e.signalProcess('cf-sig', pid, 'WINCH'); // ignored by the command
      assert.equal((await e.inspect('cf-sig')).status, 'running');
      await e.signalProcess('cf-sig', pid, 'KILL');
      assert.deepEqual(await e.wait('cf-sig'), { exitCode: 137, oomKilled: false });
      await fails(e.signalProcess('cf-sig', pid, 'KILL'), Conflict, 'container cf-sig is not running');
    });

    test('saveLogs: a new file with the logs; never over an existing one; a bad path is one line', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-cf-logs-'));
      try {
        await create('cf-save');
        const file = path.join(dir, 'cf-save.log');
        assert.equal(await e.saveLogs(['cf-save'], file), 0);
        assert.equal(fs.readFileSync(file, 'utf8'), '');
        await fails(e.saveLogs(['cf-save'], file), SystemError, `cannot save logs to ${file}: the file exists (give another name)`);
        const missing = path.join(dir, 'no-such-dir', 'x.log');
        await fails(e.saveLogs(['cf-save'], missing), SystemError, `cannot save logs to ${missing}: no such directory`);
        await fails(e.saveLogs([], path.join(dir, 'none.log')), InvalidArgument, 'no container to save the logs of');
        assert.ok(!fs.existsSync(path.join(dir, 'none.log')));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('volumes: create (idempotent), list with filters, inspect; a missing one is NotFound', async () => {
      const made: string[] = [];
      try {
        const v = await e.createVolume({ name: 'cf-vol', labels: { team: 'web' } });
        made.push(v.name);
        assert.deepEqual([v.name, v.driver, v.labels, v.anonymous, v.containers], ['cf-vol', 'local', { team: 'web' }, false, []]);
        assert.match(v.mountpoint, /\/volumes\/cf-vol\/_data$/);
        assert.ok(!Number.isNaN(Date.parse(v.createdAt)), v.createdAt);
        assert.equal((await e.createVolume({ name: 'cf-vol' })).createdAt, v.createdAt, 'create of an existing name returns it');
        const anon = await e.createVolume();
        made.push(anon.name);
        assert.match(anon.name, /^[0-9a-f]{64}$/);
        assert.deepEqual((await e.volumes({ label: 'team=web' })).map((x) => x.name), ['cf-vol']);
        assert.deepEqual((await e.volumes({ label: 'team=db' })).map((x) => x.name), []);
        assert.deepEqual((await e.inspectVolume('cf-vol')).labels, { team: 'web' });
        await fails(e.inspectVolume('cf-novol'), NotFound, 'get cf-novol: no such volume');
        await fails(e.removeVolume('cf-novol'), NotFound, 'get cf-novol: no such volume');
        await e.removeVolume('cf-novol', { force: true });
        for (const [bad, message] of [
          [{ name: 'a/b' }, 'create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'],
          [{ name: 'x' }, 'create x: volume name is too short, names should be at least two alphanumeric characters'],
          [{ name: 'cf-o', options: { foo: 'bar' } }, 'invalid option key: "foo"'],
        ] as const)
          await fails(e.createVolume(bad), InvalidArgument, message);
      } finally {
        for (const n of made) await e.removeVolume(n, { force: true });
      }
      assert.deepEqual((await e.volumes()).map((x) => x.name), []);
    });

    test('volumes: refused while any container uses one, running or not; rm -v and --rm take anonymous ones; prune', async () => {
      const c = await create('cf-vuser', SLEEP, { mounts: [{ type: 'volume', source: 'cf-used', target: '/data' }, { type: 'volume', target: '/anon' }] });
      const anon = c.mounts?.find((m) => m.destination === '/anon')?.name ?? '';
      assert.match(anon, /^[0-9a-f]{64}$/);
      assert.deepEqual(
        c.mounts?.map((m) => [m.type, m.name, m.destination, m.rw, !!m.anonymous]),
        [['volume', 'cf-used', '/data', true, false], ['volume', anon, '/anon', true, true]],
      );
      assert.deepEqual((await e.inspectVolume('cf-used')).containers, [c.id]);
      assert.deepEqual((await e.volumes({ dangling: true })).map((v) => v.name), []);
      await fails(e.removeVolume('cf-used'), Conflict, `remove cf-used: volume is in use - [${c.id}]`);
      await fails(e.removeVolume('cf-used', { force: true }), Conflict, `remove cf-used: volume is in use - [${c.id}]`);
      // Another container with the first one's volumes: the anonymous volume outlives rm -v of its maker.
      const d = await create('cf-vfrom', SLEEP, { volumesFrom: ['cf-vuser:ro'] });
      assert.deepEqual(d.mounts?.map((m) => [m.name, m.destination, m.rw, !!m.anonymous]), [['cf-used', '/data', false, false], [anon, '/anon', false, false]]);
      await e.remove(c.id, { volumes: true });
      assert.deepEqual((await e.volumes()).map((v) => v.name).sort(), [anon, 'cf-used'].sort());
      await e.remove(d.id, { volumes: true });
      assert.deepEqual(await e.pruneVolumes(), { deleted: [anon], reclaimed: 0 });
      assert.deepEqual((await e.volumes({ dangling: true })).map((v) => v.name), ['cf-used']);
      await create('cf-vrm', SLEEP, { autoRemove: true, mounts: [{ type: 'volume', target: '/scratch' }] });
      assert.equal((await e.volumes()).length, 2);
      await e.remove('cf-vrm', { force: true });
      assert.deepEqual((await e.volumes()).map((v) => v.name), ['cf-used'], '--rm: anonymous volumes go with the container');
      assert.deepEqual(await e.pruneVolumes({ all: true }), { deleted: ['cf-used'], reclaimed: 0 });
    });

    test('mounts: bad requests are InvalidArgument and make nothing; --volumes-from needs a container', async () => {
      const cases: Array<[Partial<ContainerSpec>, string]> = [
        [{ mounts: [{ type: 'bind', source: 'rel', target: '/x' }] }, `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`],
        [{ mounts: [{ type: 'bind', source: '/tmp', target: 'rel' }] }, `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`],
        [{ mounts: [{ type: 'volume', source: 'a/b', target: '/x' }] }, 'create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'],
        [{ mounts: [{ type: 'volume', source: 'cf-v1', target: '/x' }, { type: 'tmpfs', target: '/x/' }] }, 'Duplicate mount point: /x'],
        [{ mounts: [{ type: 'volume', target: '/' }] }, `invalid mount config for type "volume": invalid specification: destination can't be '/'`],
        [{ mounts: [{ type: 'volume', target: '/x', subpath: '../up', source: 'cf-v1' }] }, 'invalid mount config for type "volume": subpath must be a relative path within the volume'],
        [{ mounts: [{ type: 'bind', source: '/hutch-cf-no-such-dir', target: '/x' }] }, 'invalid mount config for type "bind": bind source path does not exist: /hutch-cf-no-such-dir'],
        [{ volumesFrom: ['x:bogus'] }, 'invalid mode: bogus'],
      ];
      for (const [bad, message] of cases) await fails(e.create({ image: 'host', cmd: SLEEP, ...bad }), InvalidArgument, message);
      await fails(e.create({ image: 'host', name: 'cf-vf', cmd: SLEEP, mounts: [{ type: 'volume', source: 'cf-v2', target: '/x' }], volumesFrom: ['cf-nosuch'] }), NotFound, 'No such container: cf-nosuch');
      assert.deepEqual(await ours(true), []);
      assert.deepEqual((await e.volumes()).map((v) => v.name), [], 'no volume made by a failed create');
    });

    test('--rm: once its exit status is read, the container is gone', async () => {
      await create('cf-autorm', SLEEP, { autoRemove: true });
      await e.start('cf-autorm');
      await e.kill('cf-autorm');
      assert.deepEqual(await e.wait('cf-autorm'), { exitCode: 137, oomKilled: false });
      await fails(e.inspect('cf-autorm'), NotFound, 'No such container: cf-autorm');
    });
  });
}
