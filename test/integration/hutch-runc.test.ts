// hutch-runc (issue 17) against Debian's runc: the same bundles (made with `runc spec`, then
// edited) under both, each with its own --root in a temp dir, and what each command prints and
// exits with compared: the lifecycle create/state/start/kill/delete, run's exit status, kill
// --all, delete --force, list, ps, features, spec, cgroup limits, and runc's error lines (with
// "hutch-runc" read as "runc"), nothing left in --root after a failed create. Root only.
// Seccomp and the console socket: hutch-runc-io.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxRootfsTar } from './helpers.js';
import { type Config, cgFile, cgPath, errMsg, bundle, leftovers, pureV2, rt, setup, skip, state, waitStatus } from './hutch-runc-fixture.js';

test('create, state, start, kill, delete: the same states, state keys and pid file under runc and hutch-runc', { skip }, async (t) => {
  const id = `life-${process.pid}`;
  const keys: Record<string, string[]> = {};
  const { dir, all } = setup(t, 'hutch-runc-life-', [id]);
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sleep', '100'];
      c.linux.cgroupsPath = cgPath(r, id);
      c.annotations = { 'org.example.k': 'v' };
    });
    const out = fs.openSync(path.join(dir, `${r.name}.out`), 'w');
    const pidFile = path.join(dir, `${r.name}.pid`);
    const c = rt(r, ['create', '--bundle', b, '--pid-file', pidFile, id], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    assert.equal(c.status, 0, `${r.name} create: ${fs.readFileSync(path.join(dir, `${r.name}.out`), 'utf8')}`);
    const created = state(r, id);
    assert.equal(created.status, 'created', r.name);
    assert.equal(created.id, id);
    assert.equal(created.bundle, b);
    assert.equal(created.rootfs, path.join(b, 'rootfs'));
    assert.deepEqual(created.annotations, { 'org.example.k': 'v' }, `${r.name} annotations`);
    assert.equal(fs.readFileSync(pidFile, 'utf8'), String(created.pid), `${r.name}: the pid file holds the init's pid, no newline`);
    keys[r.name] = Object.keys(created).sort();
    // the init is parked, not running the command yet
    assert.notEqual(fs.readFileSync(`/proc/${created.pid}/cmdline`, 'utf8').split('\0')[0], 'sleep', `${r.name}: parked before start`);

    assert.equal(rt(r, ['start', id]).status, 0, `${r.name} start`);
    assert.equal(await waitStatus(r, id, 'running'), 'running', r.name);
    const again = rt(r, ['start', id]);
    assert.equal(again.status, 1, `${r.name} start of a running container`);
    assert.equal(errMsg(again.stderr), 'cannot start an already running container', r.name);
    const del = rt(r, ['delete', id]);
    assert.equal(del.status, 1, `${r.name} delete of a running container`);
    assert.equal(errMsg(del.stderr), `cannot delete container ${id} that is not stopped: running`, r.name);

    assert.equal(rt(r, ['kill', id, 'KILL']).status, 0, `${r.name} kill`);
    assert.equal(await waitStatus(r, id, 'stopped'), 'stopped', r.name);
    assert.equal(state(r, id).pid, 0, `${r.name}: a stopped container's pid is 0`);
    const start2 = rt(r, ['start', id]);
    assert.equal(start2.status, 1);
    assert.equal(errMsg(start2.stderr), 'cannot start a container that has stopped', r.name);
    const kill2 = rt(r, ['kill', id]);
    assert.equal(kill2.status, 1);
    assert.equal(errMsg(kill2.stderr), 'container not running', r.name);

    assert.equal(rt(r, ['delete', id]).status, 0, `${r.name} delete`);
    const gone = rt(r, ['state', id]);
    assert.equal(gone.status, 1);
    assert.equal(errMsg(gone.stderr), 'container does not exist', r.name);
    assert.deepEqual(fs.readdirSync(r.root), [], `${r.name}: --root is empty after delete`);
    assert.equal(fs.existsSync(pureV2 ? `/sys/fs/cgroup${cgPath(r, id)}` : `/sys/fs/cgroup/memory${cgPath(r, id)}`), false, `${r.name}: cgroup removed`);
  }
  assert.deepEqual(keys['hutch-runc'], keys.runc, 'the same state keys');
});

test('run: output and exit status passed through, the container deleted after; run -d leaves it running', { skip }, (t) => {
  const id = `run-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-run-', [id, `${id}-d`]);
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sh', '-c', 'echo out; echo err >&2; exit 7'];
      c.linux.cgroupsPath = cgPath(r, id);
    });
    const res = rt(r, ['run', '--bundle', b, id]);
    assert.equal(res.status, 7, `${r.name} run: ${res.stderr}`);
    assert.equal(res.stdout, 'out\n', r.name);
    assert.equal(res.stderr, 'err\n', r.name);
    assert.equal(rt(r, ['state', id]).status, 1, `${r.name}: deleted after run`);

    const bd = bundle(dir, `bd-${r.name}`, (c) => {
      c.process.args = ['sleep', '100'];
      c.linux.cgroupsPath = cgPath(r, `${id}-d`);
    });
    const d = rt(r, ['run', '-d', '--bundle', bd, `${id}-d`], { stdio: 'ignore' });
    assert.equal(d.status, 0, `${r.name} run -d`);
    assert.equal(state(r, `${id}-d`).status, 'running', r.name);
  }
});

test('kill --all reaches every process; delete --force removes a running container and its cgroup', { skip }, async (t) => {
  const a = `all-${process.pid}`;
  const f = `force-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-kill-', [a, f]);
  for (const r of all) {
    // sh as pid 1 has no TERM handler, so only the sleeps' deaths (kill --all) end it
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sh', '-c', 'sleep 100 & sleep 100 & wait'];
      c.linux.cgroupsPath = cgPath(r, a);
    });
    assert.equal(rt(r, ['run', '-d', '--bundle', b, a], { stdio: 'ignore' }).status, 0, `${r.name} run -d`);
    for (let i = 0; i < 50 && JSON.parse(rt(r, ['ps', '--format', 'json', a]).stdout || '[]').length < 3; i++) await new Promise((res) => setTimeout(res, 50));
    const pids = JSON.parse(rt(r, ['ps', '--format', 'json', a]).stdout) as number[];
    assert.equal(pids.length, 3, `${r.name} ps --format json: sh and two sleeps: ${JSON.stringify(pids)}`);
    assert.ok(pids.includes(state(r, a).pid), `${r.name}: ps lists the init`);
    const table = rt(r, ['ps', a]);
    assert.match(table.stdout.split('\n')[0]!, /\bPID\b/, `${r.name} ps table header`);
    assert.equal(table.stdout.trim().split('\n').length, 4, `${r.name} ps table: header and 3 rows:\n${table.stdout}`);
    assert.equal(rt(r, ['kill', '--all', a, 'TERM']).status, 0, `${r.name} kill --all`);
    assert.equal(await waitStatus(r, a, 'stopped'), 'stopped', `${r.name}: kill --all TERM stopped it`);
    assert.equal(rt(r, ['delete', a]).status, 0);

    const bf = bundle(dir, `bf-${r.name}`, (c) => {
      c.process.args = ['sleep', '100'];
      c.linux.cgroupsPath = cgPath(r, f);
    });
    assert.equal(rt(r, ['run', '-d', '--bundle', bf, f], { stdio: 'ignore' }).status, 0);
    const pid = state(r, f).pid as number;
    assert.equal(rt(r, ['delete', '--force', f]).status, 0, `${r.name} delete --force`);
    assert.equal(rt(r, ['state', f]).status, 1, `${r.name}: gone`);
    assert.equal(fs.existsSync(`/proc/${pid}/cmdline`) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'), false, `${r.name}: the init was killed`);
    assert.equal(fs.existsSync(pureV2 ? `/sys/fs/cgroup${cgPath(r, f)}` : `/sys/fs/cgroup/pids${cgPath(r, f)}`), false, `${r.name}: cgroup removed`);
    assert.equal(rt(r, ['delete', '--force', f]).status, 0, `${r.name}: delete --force of an unknown id is no error`);
  }
});

test('list: table, json and -q alike; pause and resume', { skip }, (t) => {
  const id = `list-${process.pid}`;
  const tables: Record<string, string[]> = {};
  const { dir, all } = setup(t, 'hutch-runc-list-', [id]);
  for (const r of all) {
    assert.equal(rt(r, ['list']).stdout, 'ID          PID         STATUS      BUNDLE      CREATED     OWNER\n', `${r.name}: empty list (no root yet)`);
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sleep', '100'];
      c.linux.cgroupsPath = cgPath(r, id);
    });
    assert.equal(rt(r, ['create', '--bundle', b, id], { stdio: 'ignore' }).status, 0);
    const st = state(r, id);
    const lines = rt(r, ['list']).stdout.split('\n');
    tables[r.name] = lines[0]!.split(/\s+/);
    assert.deepEqual(lines[1]!.split(/\s+/), [id, String(st.pid), 'created', b, st.created, 'root'], `${r.name} list row`);
    const json = JSON.parse(rt(r, ['list', '--format', 'json']).stdout) as Record<string, unknown>[];
    assert.equal(json.length, 1);
    assert.deepEqual(json[0], { ...st, owner: 'root' }, `${r.name} list json`);
    assert.equal(rt(r, ['list', '-q']).stdout, `${id}\n`);
    assert.equal(rt(r, ['start', id]).status, 0);
    assert.equal(rt(r, ['pause', id]).status, 0, `${r.name} pause`);
    assert.equal(state(r, id).status, 'paused', r.name);
    assert.equal(rt(r, ['resume', id]).status, 0, `${r.name} resume`);
    assert.equal(state(r, id).status, 'running', r.name);
  }
  assert.deepEqual(tables['hutch-runc'], tables.runc);
});

test('memory, pids and cpu limits of linux.resources are in the container\'s cgroup, and update changes them', { skip }, (t) => {
  const id = `res-${process.pid}`;
  const seen: Record<string, string[]> = {};
  const { dir, all } = setup(t, 'hutch-runc-res-', [id]);
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sleep', '100'];
      c.linux.cgroupsPath = cgPath(r, id);
      c.linux.resources = { ...c.linux.resources, memory: { limit: 64 << 20 }, pids: { limit: 42 }, cpu: { quota: 50000, period: 100000 } };
    });
    assert.equal(rt(r, ['run', '-d', '--bundle', b, id], { stdio: 'ignore' }).status, 0, `${r.name} run -d`);
    const cg = cgPath(r, id);
    seen[r.name] = [
      cgFile(cg, ['memory', 'memory.limit_in_bytes'], 'memory.max'),
      cgFile(cg, ['pids', 'pids.max'], 'pids.max'),
      pureV2 ? cgFile(cg, ['cpu', ''], 'cpu.max') : cgFile(cg, ['cpu', 'cpu.cfs_quota_us'], ''),
    ];
    assert.deepEqual(seen[r.name]!.slice(0, 2), [String(64 << 20), '42'], r.name);
    // update: a LinuxResources object on stdin (containerd's shim), then a flag over it
    const up = rt(r, ['update', '--resources', '-', id], { input: JSON.stringify({ memory: { limit: 32 << 20 }, pids: { limit: 17 } }) });
    assert.equal(up.status, 0, `${r.name} update -r -: ${up.stderr}`);
    assert.equal(rt(r, ['update', '--pids-limit', '9', id]).status, 0, `${r.name} update --pids-limit`);
    seen[r.name]!.push(cgFile(cg, ['memory', 'memory.limit_in_bytes'], 'memory.max'), cgFile(cg, ['pids', 'pids.max'], 'pids.max'));
    assert.deepEqual(seen[r.name]!.slice(3), [String(32 << 20), '9'], `${r.name} after update`);
  }
  assert.deepEqual(seen['hutch-runc'], seen.runc);
});

test('features is the runtime-spec JSON; spec writes what runc spec writes (and runc runs it)', { skip }, (t) => {
  const { dir, all } = setup(t, 'hutch-runc-spec-', []);
  const [runc, ours] = all;
  const f = JSON.parse(rt(ours!, ['features']).stdout) as Config;
  for (const k of ['ociVersionMin', 'ociVersionMax', 'hooks', 'mountOptions', 'linux']) assert.ok(k in f, `features.${k}`);
  assert.ok((f.linux.namespaces as string[]).includes('pid'));
  for (const rootless of [false, true]) {
    const args = rootless ? ['spec', '--rootless'] : ['spec'];
    const a = path.join(dir, `runc${rootless}`);
    const b = path.join(dir, `ours${rootless}`);
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    assert.equal(rt(runc!, [...args, '--bundle', a]).status, 0);
    assert.equal(rt(ours!, [...args, '--bundle', b]).status, 0);
    assert.equal(fs.readFileSync(path.join(b, 'config.json'), 'utf8'), fs.readFileSync(path.join(a, 'config.json'), 'utf8'), `spec ${rootless ? '--rootless ' : ''}`);
    const again = rt(ours!, [...args, '--bundle', b]);
    assert.equal(again.status, 1);
    assert.match(errMsg(again.stderr), /^File .*config\.json exists\. Remove it first$/);
  }
  // runc runs the bundle hutch-runc's spec wrote (terminal off, a command of busybox's)
  const b = path.join(dir, 'oursfalse');
  fs.mkdirSync(path.join(b, 'rootfs'));
  assert.equal(spawnSync('tar', ['-C', path.join(b, 'rootfs'), '-xf', busyboxRootfsTar()]).status, 0);
  const c = JSON.parse(fs.readFileSync(path.join(b, 'config.json'), 'utf8')) as Config;
  c.process.terminal = false;
  c.process.args = ['true'];
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(c));
  const res = rt(runc!, ['run', '--bundle', b, `spec-${process.pid}`]);
  assert.equal(res.status, 0, `runc run of hutch-runc's spec: ${res.stderr}`);
  const v = rt(ours!, ['--version']).stdout.split('\n');
  assert.match(v[0]!, /^hutch-runc version \S+$/);
  assert.match(v[1]!, /^commit: /);
  assert.match(v[2]!, /^spec: 1\.\d+\.\d+/);
});

test('errors: runc\'s message shapes, exit status 1, nothing left in --root', { skip }, (t) => {
  const id = `err-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-err-', [id]);
  const none = path.join(dir, 'no-config');
  fs.mkdirSync(none);
  const notJson = path.join(dir, 'not-json');
  fs.mkdirSync(notJson);
  fs.writeFileSync(path.join(notJson, 'config.json'), '{bad');
  const noProc = path.join(dir, 'no-process');
  fs.mkdirSync(noProc);
  fs.writeFileSync(path.join(noProc, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', root: { path: 'rootfs' } }));
  for (const r of all) {
    const cases: [string[], RegExp | string][] = [
      [['create', '--bundle', none, id], 'runc create failed: JSON specification file config.json not found'],
      [['create', '--bundle', notJson, id], /^runc create failed: .+/],
      [['create', '--bundle', noProc, id], 'runc create failed: process property must not be empty'],
    ];
    for (const [args, want] of cases) {
      const res = rt(r, args);
      assert.equal(res.status, 1, `${r.name} ${args.join(' ')}`);
      if (typeof want === 'string') assert.equal(errMsg(res.stderr), want, `${r.name} ${args.join(' ')}`);
      else assert.match(errMsg(res.stderr), want, `${r.name} ${args.join(' ')}`);
      assert.deepEqual(leftovers(r.root), [], `${r.name}: nothing left in --root after ${args.join(' ')}`);
    }
    for (const args of [['state', 'nope'], ['start', 'nope'], ['kill', 'nope'], ['delete', 'nope'], ['ps', 'nope']]) {
      const res = rt(r, args);
      assert.equal(res.status, 1, `${r.name} ${args.join(' ')}`);
      assert.equal(errMsg(res.stderr), 'container does not exist', `${r.name} ${args.join(' ')}`);
    }
    const missingRoot = rt({ ...r, root: path.join(dir, `${r.name}-missing`) }, ['state', id]);
    assert.equal(missingRoot.status, 1);
    assert.equal(errMsg(missingRoot.stderr), 'container does not exist', `${r.name}: a missing root`);
    // --log-format json: the error as a JSON line in the log file, the message on stderr
    const log = path.join(dir, `${r.name}.log.json`);
    const j = spawnSync(r.bin, ['--root', r.root, '--log', log, '--log-format', 'json', 'state', 'nope'], { encoding: 'utf8' });
    assert.equal(j.status, 1);
    const line = JSON.parse(fs.readFileSync(log, 'utf8').trim().split('\n').pop()!) as Record<string, string>;
    assert.equal(line.level, 'error');
    assert.equal(line.msg, 'container does not exist');
    assert.match(line.time!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sleep', '100'];
      c.linux.cgroupsPath = cgPath(r, id);
    });
    assert.equal(rt(r, ['create', '--bundle', b, id], { stdio: 'ignore' }).status, 0);
    const dup = rt(r, ['create', '--bundle', b, id]);
    assert.equal(dup.status, 1);
    assert.equal(errMsg(dup.stderr), 'runc create failed: container with given ID already exists', r.name);
    assert.equal(state(r, id).status, 'created', `${r.name}: the first one is untouched`);
    assert.equal(rt(r, ['delete', id]).status, 0, `${r.name}: delete of a created container`);

    const nocmd = bundle(dir, `nocmd-${r.name}`, (c) => {
      c.process.args = ['no-such-command'];
      c.linux.cgroupsPath = cgPath(r, id);
    });
    const nc = rt(r, ['create', '--bundle', nocmd, id]);
    assert.equal(nc.status, 1, `${r.name}: a missing command fails create`);
    assert.match(errMsg(nc.stderr), /^runc create failed: unable to start container process: exec: .*no-such-command.*not found/, r.name);
    assert.deepEqual(leftovers(r.root), [], `${r.name}: nothing left after a failed exec lookup`);
  }
});

test('exec: args with --env/--cwd/--user, --process, --detach with --pid-file, exit status and errors alike', { skip }, async (t) => {
  const id = `exec-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-exec-', [id]);
  const seen: Record<string, string[]> = {};
  const proc = path.join(dir, 'process.json');
  fs.writeFileSync(proc, JSON.stringify({ args: ['sh', '-c', 'echo from-process $X; id -u'], env: ['PATH=/bin', 'X=y'], cwd: '/', user: { uid: 3, gid: 4 } }));
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sleep', '100'];
      c.linux.cgroupsPath = cgPath(r, id);
    });
    assert.equal(rt(r, ['run', '-d', '--bundle', b, id], { stdio: 'ignore' }).status, 0, `${r.name} run -d`);
    const out: string[] = (seen[r.name] = []);
    const e1 = rt(r, ['exec', id, 'sh', '-c', 'echo in; echo err >&2; exit 4']);
    assert.equal(e1.status, 4, `${r.name} exec: ${e1.stderr}`);
    out.push(e1.stdout, e1.stderr);
    const e2 = rt(r, ['exec', '--env', 'FOO=bar', '--cwd', '/tmp', '--user', '1:2', id, 'sh', '-c', 'echo $FOO; pwd; id']);
    assert.equal(e2.status, 0, `${r.name} exec with flags: ${e2.stderr}`);
    out.push(e2.stdout);
    const e3 = rt(r, ['exec', '--process', proc, id]);
    assert.equal(e3.status, 0, `${r.name} exec --process: ${e3.stderr}`);
    out.push(e3.stdout);
    const pidFile = path.join(dir, `${r.name}.exec.pid`);
    const e4 = rt(r, ['exec', '--detach', '--pid-file', pidFile, id, 'sleep', '30'], { stdio: 'ignore' });
    assert.equal(e4.status, 0, `${r.name} exec --detach`);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    // runc returns before its process's own execve may be done: give it a moment
    const cmd = () => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    for (let i = 0; i < 50 && pid > 0 && !cmd().startsWith('sleep'); i++) await new Promise((res) => setTimeout(res, 20));
    assert.ok(pid > 0 && cmd().startsWith('sleep'), `${r.name}: the pid file names the detached process`);
    for (let i = 0; i < 50 && !(JSON.parse(rt(r, ['ps', '--format', 'json', id]).stdout) as number[]).includes(pid); i++) await new Promise((res) => setTimeout(res, 20));
    assert.ok((JSON.parse(rt(r, ['ps', '--format', 'json', id]).stdout) as number[]).includes(pid), `${r.name}: in the container's cgroup`);
    const nf = rt(r, ['exec', id, 'no-such-command']);
    assert.equal(nf.status, 255, r.name);
    out.push(errMsg(nf.stderr));
    const unknown = rt(r, ['exec', 'nope', 'true']);
    assert.equal(unknown.status, 255, r.name);
    out.push(errMsg(unknown.stderr));
    assert.equal(rt(r, ['kill', id, 'KILL']).status, 0);
    assert.equal(await waitStatus(r, id, 'stopped'), 'stopped');
    const stopped = rt(r, ['exec', id, 'true']);
    assert.equal(stopped.status, 255, r.name);
    out.push(errMsg(stopped.stderr));
  }
  assert.deepEqual(seen['hutch-runc'], seen.runc);
  assert.deepEqual(seen.runc, [
    'in\n', 'err\n', 'bar\n/tmp\nuid=1 gid=2\n', 'from-process y\n3\n',
    'exec failed: unable to start container process: exec: "no-such-command": executable file not found in $PATH',
    'exec failed: container does not exist', 'exec failed: cannot exec in a stopped container',
  ]);
});
