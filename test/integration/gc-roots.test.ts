// Two state roots side by side never touch each other (issue 9 §4): `gc` in one
// root leaves the other's running containers and their cgroups alone, whether the
// roots have their own derived cgroup parents (HUTCH_CGROUP_PARENT unset) or share
// an explicit one; it still removes its own empty leftovers, and nothing it does
// kills a process it cannot prove is a dead container of its own.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { detectCgroups, type CgroupManager } from '../../src/engine/cgroups/index.js';
import { cgroupParentFor } from '../../src/engine/paths.js';
import { parseMountinfo } from '../../src/engine/cgroups/mountinfo.js';
import { HUTCH, cgroupParentDirs } from './helpers.js';

interface Root {
  root: string;
  parent: string;
  env: NodeJS.ProcessEnv;
  engine: Engine;
  cgroups: CgroupManager;
  cli(args: string[]): SpawnSyncReturns<string>;
}

/** A state root with HUTCH_CGROUP_PARENT = parent, or unset (the derived parent). */
async function openRoot(parent: string | undefined): Promise<Root> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-gcroots-'));
  made.roots.push(root);
  const env: NodeJS.ProcessEnv = { ...process.env, HUTCH_ROOT: root };
  delete env.HUTCH_CGROUP_PARENT;
  delete env.HUTCH_RUNROOT;
  if (parent) env.HUTCH_CGROUP_PARENT = parent;
  // openEngine reads the environment once (resolvePaths); the engine keeps its answer.
  const saved = process.env.HUTCH_CGROUP_PARENT;
  if (parent) process.env.HUTCH_CGROUP_PARENT = parent;
  else delete process.env.HUTCH_CGROUP_PARENT;
  let engine: Engine;
  try {
    engine = await openEngine({ root });
  } finally {
    if (saved === undefined) delete process.env.HUTCH_CGROUP_PARENT;
    else process.env.HUTCH_CGROUP_PARENT = saved;
  }
  const effective = parent ?? cgroupParentFor(root);
  made.parents.add(effective);
  const r: Root = {
    root,
    parent: effective,
    env,
    engine,
    cgroups: detectCgroups({ parent: effective }),
    cli: (args) => spawnSync(process.execPath, [HUTCH, ...args], { env, encoding: 'utf8', timeout: 60_000 }),
  };
  made.engines.push(r);
  return r;
}

// Everything the tests make, removed in after() even when a test fails.
const made = { roots: [] as string[], parents: new Set<string>(), engines: [] as Root[], children: [] as ChildProcess[], mounts: [] as string[] };

after(async () => {
  for (const c of made.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(made.children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  for (const r of made.engines)
    for (const c of await r.engine.list({ all: true }).catch(() => [])) await r.engine.remove(c.id, { force: true }).catch(() => {});
  for (const m of made.mounts.reverse()) spawnSync('umount', ['-l', m]);
  for (const p of made.parents) {
    const cg = detectCgroups({ parent: p });
    // Only what these tests made is below these parents: force is safe here.
    for (const child of await cg.listChildren()) await cg.remove(cg.pathsFor(child)).catch(() => {});
    for (const d of cgroupParentDirs(p)) rmdirQuiet(d);
  }
  for (const root of made.roots) fs.rmSync(root, { recursive: true, force: true });
  for (const p of made.parents) assert.deepEqual(cgroupParentDirs(p), [], `cgroup parent ${p} left behind`);
});

function rmdirQuiet(d: string): void {
  try {
    fs.rmdirSync(d);
  } catch {
    /* gone */
  }
}

const newId = () => randomBytes(32).toString('hex');
const exists = (paths: Record<string, string>) => Object.values(paths).every((d) => fs.existsSync(d));
const gone = (paths: Record<string, string>) => Object.values(paths).every((d) => !fs.existsSync(d));

/** A host process (not a container) put into the cgroup: what another engine's container looks like. */
async function occupy(cg: CgroupManager, paths: Record<string, string>): Promise<ChildProcess> {
  const p = spawn('sleep', ['300'], { stdio: 'ignore' });
  made.children.push(p);
  await new Promise((r) => p.once('spawn', r));
  for (const d of cg.joinDirs(paths)) fs.writeFileSync(path.join(d, 'cgroup.procs'), String(p.pid));
  return p;
}

async function assertRunning(r: Root, id: string, paths: Record<string, string>): Promise<void> {
  const info = await r.engine.inspect(id);
  assert.equal(info.status, 'running');
  assert.ok(info.pid > 0);
  process.kill(info.pid, 0); // throws when it is gone
  assert.ok(exists(paths), 'the container cgroup dirs are all still there');
  assert.deepEqual(Object.values(info.cgroupPaths).sort(), Object.values(paths).sort());
}

for (const mode of ['derived', 'shared'] as const) {
  describe(`two roots, ${mode === 'derived' ? 'each with the cgroup parent derived from it' : 'one explicit HUTCH_CGROUP_PARENT for both'}`, () => {
    let a: Root;
    let b: Root;
    before(async () => {
      const shared = mode === 'shared' ? `hutch-test-${randomBytes(4).toString('hex')}` : undefined;
      a = await openRoot(shared);
      b = await openRoot(shared);
    });

    test('the parents are what the roots say', () => {
      if (mode === 'derived') {
        assert.match(a.parent, /^hutch-[0-9a-f]{12}$/);
        assert.notEqual(a.parent, b.parent);
      } else assert.equal(a.parent, b.parent);
    });

    test("gc in B (CLI and engine) leaves A's running container and its cgroups", async () => {
      const r = a.cli(['run', '-d', '--name', 'a', 'host', 'sleep', '100']);
      assert.equal(r.status, 0, r.stderr);
      const viaCli = r.stdout.trim();
      const c = await a.engine.create({ image: 'host', cmd: ['sleep', '100'] });
      await a.engine.start(c.id);
      const ids = [viaCli, c.id];
      const paths = ids.map((id) => a.cgroups.pathsFor(id));
      for (const [i, id] of ids.entries()) await assertRunning(a, id, paths[i]);
      // The config.json a container runs with names the same parent.
      const config = JSON.parse(fs.readFileSync(path.join(a.root, 'containers', c.id, 'config.json'), 'utf8'));
      assert.equal(config.linux.cgroupsPath, `${a.parent}/${c.id}`);

      const g = b.cli(['gc']);
      assert.equal(g.status, 0, g.stderr);
      const lines = await b.engine.gc();
      for (const out of [g.stdout.split('\n').filter(Boolean), lines]) {
        for (const id of ids) {
          assert.ok(!out.includes(`cgroup ${id}`), `B's gc says it removed A's cgroup: ${out.join(' | ')}`);
          // Under a shared parent B sees A's cgroups and says it left them.
          if (mode === 'shared') assert.ok(out.some((l) => l.startsWith(`cgroup ${id}: left alone`)), out.join(' | '));
          else assert.ok(!out.some((l) => l.includes(id)), out.join(' | '));
        }
      }
      for (const [i, id] of ids.entries()) await assertRunning(a, id, paths[i]);
      assert.match(a.cli(['ps']).stdout, /Up .* a\n/);
      // A's own gc keeps them too: they are its containers, alive.
      assert.deepEqual(await a.engine.gc(), []);
      for (const [i, id] of ids.entries()) await assertRunning(a, id, paths[i]);
      for (const id of ids) await a.engine.remove(id, { force: true });
      for (const p of paths) assert.ok(gone(p));
    });

    test("B's gc removes B's empty leftover cgroup (nested dirs too) and nothing that is not an id", async () => {
      const leftover = newId();
      const p = await b.cgroups.create(leftover, {});
      for (const d of b.cgroups.joinDirs(p)) fs.mkdirSync(path.join(d, 'sub'));
      const other = await b.cgroups.create('not-a-container', {});
      const g = b.cli(['gc']);
      assert.equal(g.status, 0, g.stderr);
      assert.ok(g.stdout.split('\n').includes(`cgroup ${leftover}`), g.stdout);
      assert.ok(gone(p));
      assert.ok(exists(other), 'a child that is not a container id is not gc’s');
      assert.ok(!g.stdout.includes('not-a-container'));
      await b.cgroups.remove(other);
    });

    test('a cgroup with a process and no container of this root is left alone and said so, not killed', async () => {
      const stranger = newId();
      const p = await b.cgroups.create(stranger, {});
      const proc = await occupy(b.cgroups, p);
      for (const run of [() => b.cli(['gc']).stdout.split('\n').filter(Boolean), () => b.engine.gc()]) {
        const out = await run();
        assert.deepEqual(out.filter((l) => l.includes(stranger)), [`cgroup ${stranger}: left alone (it has processes, and this root has no such container)`]);
        assert.equal(proc.exitCode, null);
        assert.equal(proc.signalCode, null);
        process.kill(proc.pid!, 0);
        assert.ok(exists(p));
      }
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      await b.cgroups.remove(p);
    });
  });
}

describe('mounts', () => {
  test("gc unmounts below its root, not below another state root nested in it", async () => {
    const a = await openRoot(undefined);
    const mount = (dir: string) => {
      fs.mkdirSync(dir, { recursive: true });
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'hutch-gc-test', dir], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      made.mounts.push(dir);
    };
    // A second state root inside A's tree (as a test run's root inside a developer's
    // would be), itself a mount point, with a mount of its own below it.
    const inner = path.join(a.root, 'nested');
    mount(inner);
    for (const d of ['containers', 'run']) fs.mkdirSync(path.join(inner, d));
    const theirs = path.join(inner, 'containers', 'x', 'rootfs');
    mount(theirs);
    const mine = path.join(a.root, 'stray', 'm');
    mount(mine);
    const points = () => parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).map((m) => m.mountPoint);
    const out = await a.engine.gc();
    assert.deepEqual(out, [`mount ${mine}`]);
    assert.ok(!points().includes(mine));
    assert.ok(points().includes(theirs) && points().includes(inner));
  });
});
