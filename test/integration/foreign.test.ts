// Other engines' containers seen by hutch, read-only: one run by Debian's runc (its
// own --root in a temp dir) shows in listForeign as running, with its cgroups, and
// the dashboard's sampler reads its memory and pids from them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { busyboxRootfsTar, REPO, sandbox, type Sandbox } from './helpers.js';

const HUTCH_RUNC = path.join(REPO, 'bin', 'hutch-runc');
import { createSampler, Sampler } from '../../src/engine/stats/sampler.js';
import type { ContainerSample } from '../../src/engine/stats/types.js';

let sb: Sandbox;
let dir: string;
const id = `hutch-test-foreign-${process.pid}`;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-foreign-'));
  process.env.HUTCH_FOREIGN_ROOTS = `runc:${path.join(dir, 'root')},crun:${path.join(dir, 'crun-root')},hutch-runc:${path.join(dir, 'hr-root')}`;
  process.env.HUTCH_FOREIGN_CGROUP = 'none';
  sb = await sandbox();
});
after(async () => {
  spawnSync('runc', ['--root', path.join(dir, 'root'), 'delete', '-f', id], { stdio: 'ignore' });
  spawnSync('crun', ['--root', path.join(dir, 'crun-root'), 'delete', '-f', `${id}-crun`], { stdio: 'ignore' });
  spawnSync(HUTCH_RUNC, ['--root', path.join(dir, 'hr-root'), 'delete', '-f', `${id}-hr`], { stdio: 'ignore' });
  await sb?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.HUTCH_FOREIGN_ROOTS;
  delete process.env.HUTCH_FOREIGN_CGROUP;
});

/** A busybox bundle from `TOOL spec`, its command filling 8 MB of shm then sleeping, in cgroup /CGROUP. */
/** A foreign container's sample from the sampler's second sweep (the first only starts its CPU time). */
async function sampled(cid: string): Promise<ContainerSample | undefined> {
  const sampler = createSampler(sb.engine, { foreign: true }) as Sampler;
  try {
    await sampler.sweep();
    await new Promise((res) => setTimeout(res, 300));
    return (await sampler.sweep()).get(cid);
  } finally {
    sampler.stop();
  }
}

function makeBundle(name: string, tool: string, cgroup: string): string {
  const bundle = path.join(dir, name);
  fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
  assert.equal(spawnSync('tar', ['-C', path.join(bundle, 'rootfs'), '-xf', busyboxRootfsTar()]).status, 0);
  assert.equal(spawnSync(tool, ['spec'], { cwd: bundle }).status, 0);
  const cfg = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = ['sh', '-c', 'head -c 8000000 /dev/zero > /dev/shm/x; sleep 60'];
  cfg.linux.cgroupsPath = `/${cgroup}`;
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(cfg));
  return bundle;
}

test('a container runc runs shows in listForeign, running, with its cgroups; the sampler reads it; gone once runc deletes it', async () => {
  const bundle = makeBundle('bundle', 'runc', id);
  // The container inherits runc's stdio: a pipe would hold spawnSync until it ends.
  const errFile = path.join(dir, 'runc.err');
  const errFd = fs.openSync(errFile, 'w');
  const r = spawnSync('runc', ['--root', path.join(dir, 'root'), 'run', '-d', '--bundle', bundle, id], { stdio: ['ignore', 'ignore', errFd] });
  fs.closeSync(errFd);
  assert.equal(r.status, 0, fs.readFileSync(errFile, 'utf8'));
  const found = (await sb.engine.listForeign()).find((c) => c.id === id);
  assert.ok(found, 'listed');
  assert.equal(found.engine, 'runc');
  assert.equal(found.status, 'running');
  assert.ok(found.pid > 0);
  assert.equal(found.bundle, bundle);
  assert.ok(Object.values(found.cgroupPaths).some((p) => p.endsWith(`/${id}`)), JSON.stringify(found.cgroupPaths));
  // Not one of hutch's own.
  assert.equal((await sb.engine.list({ all: true })).some((c) => c.id === id), false);
  const s = await sampled(id);
  assert.ok(s, 'sampled');
  assert.ok(s.memUsage >= 8_000_000, `memory ${s.memUsage}`);
  assert.ok(s.pids >= 1);
  // Acting on it is runc's own command, run by the engine once the user said yes.
  assert.deepEqual(await sb.engine.foreignCommand(id, 'kill'), { argv: ['runc', '--root', path.join(dir, 'root'), 'kill', id, 'KILL'] });
  await sb.engine.actOnForeign(id, 'kill');
  const end = Date.now() + 5000;
  while ((await sb.engine.listForeign()).find((c) => c.id === id)?.status === 'running' && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
  assert.equal((await sb.engine.listForeign()).find((c) => c.id === id)?.status, 'exited', 'killed by runc kill');
  assert.equal(spawnSync('runc', ['--root', path.join(dir, 'root'), 'delete', '-f', id]).status, 0);
  assert.equal((await sb.engine.listForeign()).some((c) => c.id === id), false);
  await assert.rejects(sb.engine.actOnForeign(id, 'stop'), /No such container of another engine/);
});

test('a container crun runs shows too (crun\'s status file, its cgroup path placed on this host\'s hierarchies), sampled', async () => {
  const bundle = makeBundle('bundle-crun', 'crun', `${id}-crun`);
  // crun 1.8 refuses this host's hybrid layout: it runs with the cgroup2 mount hidden
  // under a tmpfs in a mount namespace of its own (as the bench does), on v1 only.
  const cid = `${id}-crun`;
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs none /sys/fs/cgroup/unified 2>/dev/null; exec crun --root ${path.join(dir, 'crun-root')} run -d --bundle ${bundle} ${cid} </dev/null >/dev/null 2>${path.join(dir, 'crun.err')}`]);
  assert.equal(r.status, 0, fs.existsSync(path.join(dir, 'crun.err')) ? fs.readFileSync(path.join(dir, 'crun.err'), 'utf8') : '');
  const found = (await sb.engine.listForeign()).find((c) => c.id === cid);
  assert.ok(found, 'listed');
  assert.deepEqual([found.engine, found.status, found.bundle], ['crun', 'running', bundle]);
  assert.ok(found.cgroupPaths.memory?.endsWith(`/${cid}`), JSON.stringify(found.cgroupPaths));
  const s = await sampled(cid);
  assert.ok(s && s.memUsage >= 8_000_000, `memory ${s?.memUsage}`);
  assert.equal(spawnSync('crun', ['--root', path.join(dir, 'crun-root'), 'delete', '-f', cid]).status, 0);
  assert.equal((await sb.engine.listForeign()).some((c) => c.id === cid), false);
});

test('a container hutch-runc runs (as containerd or podman would start it) shows as hutch-runc\'s, sampled; x runs hutch-runc\'s own kill', async () => {
  const cid = `${id}-hr`;
  const bundle = makeBundle('bundle-hr', HUTCH_RUNC, cid);
  const errFd = fs.openSync(path.join(dir, 'hr.err'), 'w');
  const r = spawnSync(HUTCH_RUNC, ['--root', path.join(dir, 'hr-root'), 'run', '-d', '--bundle', bundle, cid], { stdio: ['ignore', 'ignore', errFd] });
  fs.closeSync(errFd);
  assert.equal(r.status, 0, fs.readFileSync(path.join(dir, 'hr.err'), 'utf8'));
  const found = (await sb.engine.listForeign()).find((c) => c.id === cid);
  assert.ok(found, 'listed');
  assert.deepEqual([found.engine, found.status, found.bundle], ['hutch-runc', 'running', bundle]);
  const s = await sampled(cid);
  assert.ok(s && s.memUsage >= 8_000_000, `memory ${s?.memUsage}`);
  const cmd = await sb.engine.foreignCommand(cid, 'stop');
  assert.ok('argv' in cmd && cmd.argv[0].endsWith('hutch-runc') && cmd.argv.slice(1).join(' ') === `--root ${path.join(dir, 'hr-root')} kill ${cid} TERM`, JSON.stringify(cmd));
  await sb.engine.actOnForeign(cid, 'kill');
  const end = Date.now() + 5000;
  while ((await sb.engine.listForeign()).find((c) => c.id === cid)?.status === 'running' && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
  assert.equal((await sb.engine.listForeign()).find((c) => c.id === cid)?.status, 'exited');
  assert.equal(spawnSync(HUTCH_RUNC, ['--root', path.join(dir, 'hr-root'), 'delete', '-f', cid]).status, 0);
});
