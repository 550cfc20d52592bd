// pause/unpause, update, rename (with its DNS name), top, wait --condition, info and
// system df on real containers: the freezer stops a counter, update's limits show in
// the cgroup and survive a restart, a renamed container answers to its new name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxRootfsTar, sandbox, type Sandbox } from './helpers.js';
import { EngineError } from '../../src/engine/errors.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Renamed into place: a read never sees the file truncated, half written.
const COUNTER = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n.t; mv /tmp/n.t /tmp/n; sleep 0.02; done'];

/** The counter the container writes, read from the host through its root. */
function counter(pid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/root/tmp/n`, 'utf8').trim() || 0);
}

/** An engine error: one line, exit status 125, and the message matched. */
async function refused(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.exitCode, 125);
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

function cgroupFile(paths: Record<string, string>, v1: [string, string], v2: string): string {
  return paths.unified && !paths[v1[0]] ? path.join(paths.unified, v2) : path.join(paths[v1[0]], v1[1]);
}

test('pause freezes the processes (a counter stops), unpause thaws them; exec refused while paused; stop works paused', async () => {
  const c = await sb.engine.create({ image: 'host', name: 'counter', cmd: COUNTER });
  const running = await sb.engine.start(c.id);
  for (let i = 0; i < 100 && !fs.existsSync(`/proc/${running.pid}/root/tmp/n`); i++) await sleep(20);
  await sleep(200);
  const paused = await sb.engine.pause('counter');
  assert.equal(paused.paused, true);
  assert.equal(paused.status, 'running');
  const n1 = counter(running.pid);
  await sleep(500);
  assert.equal(counter(running.pid), n1, 'the counter did not move while paused');
  const listed = (await sb.engine.list()).find((x) => x.id === c.id);
  assert.equal(listed?.paused, true, 'reconcile keeps paused');
  const state = paused.cgroupPaths.freezer ? path.join(paused.cgroupPaths.freezer, 'freezer.state') : path.join(paused.cgroupPaths.unified, 'cgroup.freeze');
  assert.match(fs.readFileSync(state, 'utf8').trim(), /^(FROZEN|1)$/);
  await refused(sb.engine.exec('counter', ['true'], { stdio: 'pipe' }), /^Container [0-9a-f]{64} is paused, unpause the container before exec$/);
  await refused(sb.engine.pause('counter'), /is already paused/);
  const thawed = await sb.engine.unpause('counter');
  assert.equal(thawed.paused, undefined);
  await sleep(300);
  assert.ok(counter(running.pid) > n1, 'the counter moves again');
  await refused(sb.engine.unpause('counter'), /is not paused/);
  // Paused again, then stopped: thawed first, so SIGTERM (then SIGKILL) lands.
  await sb.engine.pause('counter');
  const t0 = Date.now();
  const stopped = await sb.engine.stop('counter', 1);
  assert.ok(Date.now() - t0 < 8000);
  assert.equal(stopped.status, 'exited');
  assert.equal(stopped.paused, undefined);
  await refused(sb.engine.pause('counter'), /^Container [0-9a-f]{64} is not running$/);
  assert.equal((await sb.engine.inspect('counter')).paused, undefined, 'nothing changed');
});

test('kill and rm -f of a paused container end it at once', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '60'] });
  await sb.engine.start(c.id);
  await sb.engine.pause(c.id);
  await sb.engine.kill(c.id, 'KILL');
  assert.deepEqual(await sb.engine.wait(c.id), { exitCode: 137, oomKilled: false });
  const d = await sb.engine.create({ image: 'host', cmd: ['sleep', '60'] });
  await sb.engine.start(d.id);
  await sb.engine.pause(d.id);
  const t0 = Date.now();
  await sb.engine.remove(d.id, { force: true });
  assert.ok(Date.now() - t0 < 5000, `rm -f took ${Date.now() - t0} ms`);
  await assert.rejects(sb.engine.inspect(d.id), /No such container/);
});

test('update: limits written to the live cgroup, recorded, kept by a restart; a missing container is 125', async () => {
  const c = await sb.engine.create({ image: 'host', name: 'upd', cmd: ['sleep', '60'], memory: 128 * 2 ** 20 });
  const r = await sb.engine.start(c.id);
  const u = await sb.engine.update('upd', { memory: 64 * 2 ** 20, pidsLimit: 50, cpus: 0.5, cpuShares: 512 });
  assert.equal(u.spec.memory, 64 * 2 ** 20);
  const p = r.cgroupPaths;
  assert.equal(fs.readFileSync(cgroupFile(p, ['memory', 'memory.limit_in_bytes'], 'memory.max'), 'utf8').trim(), String(64 * 2 ** 20));
  assert.equal(fs.readFileSync(cgroupFile(p, ['pids', 'pids.max'], 'pids.max'), 'utf8').trim(), '50');
  if (p.cpu) {
    assert.equal(fs.readFileSync(path.join(p.cpu, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
    assert.equal(fs.readFileSync(path.join(p.cpu, 'cpu.shares'), 'utf8').trim(), '512');
  } else assert.equal(fs.readFileSync(path.join(p.unified, 'cpu.max'), 'utf8').trim(), '50000 100000');
  const config = JSON.parse(fs.readFileSync(path.join(u.bundle, 'config.json'), 'utf8'));
  assert.deepEqual(config.linux.resources.memory, { limit: 64 * 2 ** 20, swap: 64 * 2 ** 20 });
  assert.deepEqual(config.linux.resources.pids, { limit: 50 });
  const restarted = await sb.engine.restart('upd', 1);
  const q = restarted.cgroupPaths;
  assert.equal(fs.readFileSync(cgroupFile(q, ['memory', 'memory.limit_in_bytes'], 'memory.max'), 'utf8').trim(), String(64 * 2 ** 20), 'a restart keeps the new limit');
  if (q.cpu) assert.equal(fs.readFileSync(path.join(q.cpu, 'cpu.shares'), 'utf8').trim(), '512');
  // A stopped container: recorded only, and its restart policy as docker's RestartPolicy.
  await sb.engine.stop('upd', 1);
  const s = await sb.engine.update('upd', { pidsLimit: 70, restartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
  assert.deepEqual([s.spec.pidsLimit, s.spec.restartPolicy], [70, { Name: 'on-failure', MaximumRetryCount: 2 }]);
  await refused(sb.engine.update('no-such-ctr', { memory: 2 ** 26 }), /^No such container: no-such-ctr$/);
  const before = (await sb.engine.inspect('upd')).spec;
  await refused(sb.engine.update('upd', { memory: 2 ** 26, memorySwap: 2 ** 25 }), /memoryswap limit should be larger/);
  assert.deepEqual((await sb.engine.inspect('upd')).spec, before, 'nothing changed');
});

test('rename: the new name resolves (also in DNS on a user network), the old one is free; a name in use is 125', async () => {
  await sb.engine.createNetwork({ name: 'rnet' });
  const web = await sb.engine.create({ image: 'host', name: 'web', network: 'rnet', cmd: ['sleep', '60'] });
  const peer = await sb.engine.create({ image: 'host', name: 'peer', network: 'rnet', cmd: ['sleep', '60'] });
  await sb.engine.start(web.id);
  await sb.engine.start(peer.id);
  const lookup = (name: string) => sb.engine.exec('peer', ['getent', 'hosts', name], { stdio: 'pipe' });
  assert.equal(await lookup('web'), 0);
  const r = await sb.engine.rename('web', 'front');
  assert.equal(r.name, 'front');
  assert.equal((await sb.engine.inspect('front')).id, web.id);
  await assert.rejects(sb.engine.inspect('web'), /No such container: web/);
  assert.equal(await lookup('front'), 0, 'the new name answers in DNS');
  assert.notEqual(await lookup('web'), 0, 'the old name is gone from DNS');
  await refused(sb.engine.rename('front', 'peer'), /^Conflict\. The container name "\/peer" is already in use by container "[0-9a-f]{64}"/);
  assert.equal((await sb.engine.inspect('front')).name, 'front', 'nothing changed');
  // The old name can be taken by a new container.
  const again = await sb.engine.create({ image: 'host', name: 'web', cmd: ['true'] });
  assert.notEqual(again.id, web.id);
});

test('topPs: the host ps rows of the container only, ps options passed on', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sleep', '4242'] });
  const r = await sb.engine.start(c.id);
  const t = await sb.engine.topPs(c.id, ['-o', 'pid,args']);
  assert.deepEqual(t.titles, ['PID', 'COMMAND']);
  assert.deepEqual(t.processes, [[String(r.pid), 'sleep 4242']]);
  const def = await sb.engine.topPs(c.id);
  assert.deepEqual(def.titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.equal(def.processes.length, 1);
  await refused(sb.engine.topPs(c.id, ['--no-such-option']), /^Error running ps: /);
});

test('wait --condition next-exit and removed', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sh', '-c', 'sleep 0.3; exit 5'] });
  const next = sb.engine.wait(c.id, { condition: 'next-exit' });
  await sleep(300);
  await sb.engine.start(c.id);
  assert.deepEqual(await next, { exitCode: 5, oomKilled: false });
  let done = false;
  const removed = sb.engine.wait(c.id, { condition: 'removed' }).finally(() => (done = true));
  await sleep(400);
  assert.equal(done, false, 'still there: still waiting');
  await sb.engine.remove(c.id);
  assert.deepEqual(await removed, { exitCode: 5, oomKilled: false });
});

test('info and system df on the real root', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['sh', '-c', 'head -c 100000 /dev/zero > /big'] });
  await sb.engine.start(c.id);
  await sb.engine.wait(c.id);
  const i = await sb.engine.info();
  assert.equal(i.DockerRootDir, sb.root);
  assert.ok(i.Containers >= 1 && i.ContainersStopped >= 1);
  assert.equal(i.CgroupVersion, i.Cgroups.Layout === 'v2' ? '2' : '1');
  assert.ok(i.Cgroups.Hierarchies.length >= 1);
  assert.equal(i.Cgroups.Parent, sb.cgroupParent);
  assert.ok(i.NCPU >= 1 && i.MemTotal > 0);
  const d = await sb.engine.diskUsage();
  const mine = d.containers.find((x) => x.id === c.id);
  assert.ok(mine && mine.sizeRw >= 100000, `sizeRw ${mine?.sizeRw}`);
  const pruned = await sb.engine.pruneContainers();
  assert.ok(pruned.deleted.includes(c.id));
  assert.ok(pruned.reclaimed >= 100000);
  await assert.rejects(sb.engine.inspect(c.id), /No such container/);
});

test('the CLI: bad input is one line and 125 with nothing changed; ps shows (Paused); top, info, system df print', async () => {
  const a = await sb.engine.create({ image: 'host', name: 'cli-a', cmd: ['sleep', '60'] });
  await sb.engine.create({ image: 'host', name: 'cli-b', cmd: ['sleep', '60'] });
  const one = (r: { status: number | null; stdout: string; stderr: string }, re: RegExp) => {
    assert.equal(r.status, 125, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, re);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  };
  one(sb.cli(['rename', 'cli-a', 'cli-b']), /^hutch: Conflict\. The container name "\/cli-b" is already in use by container "[0-9a-f]{64}"/);
  assert.equal((await sb.engine.inspect('cli-a')).id, a.id);
  one(sb.cli(['update', '-m', '64m', 'no-such-ctr']), /^hutch: No such container: no-such-ctr\n$/);
  one(sb.cli(['pause', 'cli-a']), /^hutch: Container [0-9a-f]{64} is not running\n$/);
  one(sb.cli(['wait', '--condition', 'later', 'cli-a']), /^hutch: invalid condition: "later"/);
  await sb.engine.start(a.id);
  assert.deepEqual([sb.cli(['pause', 'cli-a']).stdout, sb.cli(['ps']).stdout.match(/Up .*\(Paused\) +cli-a/) !== null], ['cli-a\n', true]);
  assert.equal(sb.cli(['container', 'unpause', 'cli-a']).stdout, 'cli-a\n');
  const top = sb.cli(['top', 'cli-a']);
  assert.match(top.stdout, /^UID {17}PID {17}PPID {16}C {19}STIME {15}TTY {17}TIME {16}CMD\nroot {16}\d+ .*sleep 60\n$/);
  assert.match(sb.cli(['info']).stdout, /\n Cgroup Version: [12]\n Cgroup Layout: (v1|v2|hybrid)\n/);
  assert.match(sb.cli(['system', 'df']).stdout, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\nImages /);
});

test('commit of a paused container leaves it paused', async () => {
  await sb.engine.importImage(busyboxRootfsTar(), 'bb-pause');
  const c = await sb.engine.create({ image: 'bb-pause', cmd: COUNTER });
  await sb.engine.start(c.id);
  await sleep(200);
  const paused = await sb.engine.pause(c.id);
  const n1 = counter(paused.pid);
  const r = await sb.engine.commit(c.id, { reference: 'paused-commit:1' });
  assert.equal(r.readLive, false);
  await sleep(300);
  assert.equal(counter(paused.pid), n1, 'still frozen after the commit');
  assert.equal((await sb.engine.inspect(c.id)).paused, true);
  await sb.engine.unpause(c.id);
});
