// The build status channel (src/engine/build/status.ts): the writer's file and its
// throttle (at most ~4 writes a second, the last update always written, each write
// a rename so a reader never sees half a file), listBuilds keeping only live
// builds (a dead pid's or a reused pid's file removed, an unreadable file of a live
// pid left), each root reading only its own run directory, gc's lines, and the
// fake engine's builds() that the dashboard tests use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { resolvePaths } from '../../src/engine/paths.js';
import { procStartTime } from '../../src/engine/proc.js';
import { BuildStatusWriter, buildsDir, listBuilds, parseStatus, removeStaleBuilds } from '../../src/engine/build/status.js';
import { FakeEngine } from '../support/fake-engine.js';

function tempRoot(t: { after(fn: () => void): void }): ReturnType<typeof resolvePaths> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-build-status-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return resolvePaths(root);
}

const init = { tags: ['app:1'], context: '/src/app', dockerfile: 'Dockerfile' };

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A process of ours that lives until killed, with its start time. */
async function sleeper(t: { after(fn: () => void): void }): Promise<{ pid: number; startTime: number; kill(): Promise<void> }> {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((r, j) => child.once('spawn', r).once('error', j));
  const pid = child.pid!;
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
  });
  return {
    pid,
    startTime: procStartTime(pid)!,
    async kill() {
      process.kill(pid, 'SIGKILL');
      await exited; // reaped: /proc/PID is gone
    },
  };
}

function statusFile(pid: number, startTime: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ pid, startTime, tags: [], context: '/c', dockerfile: 'Dockerfile', started: new Date().toISOString(), step: 1, steps: 3, current: 'FROM host', ...extra });
}

test('the writer puts <run>/builds/<pid>.json in place at once (pid with its start time, 0600) and listBuilds reads it back', (t) => {
  const paths = tempRoot(t);
  assert.equal(paths.run, path.join(paths.root, 'run'), 'a moved root keeps its run directory inside it');
  const w = new BuildStatusWriter(paths, { ...init, steps: 4, current: '[1/4] FROM host' });
  t.after(() => w.close());
  assert.equal(w.file, path.join(paths.run, 'builds', `${process.pid}.json`));
  assert.equal(w.problem, undefined);
  assert.equal(fs.statSync(w.file).mode & 0o777, 0o600);
  const onDisk = JSON.parse(fs.readFileSync(w.file, 'utf8'));
  assert.equal(onDisk.pid, process.pid);
  assert.equal(onDisk.startTime, procStartTime(process.pid));
  assert.ok(Math.abs(Date.parse(onDisk.started) - Date.now()) < 5000, onDisk.started);
  const [b, ...rest] = listBuilds(paths);
  assert.deepEqual(rest, []);
  assert.deepEqual(b, { pid: process.pid, startTime: procStartTime(process.pid), tags: ['app:1'], context: '/src/app', dockerfile: 'Dockerfile', started: onDisk.started, step: 0, steps: 4, current: '[1/4] FROM host' });
});

test('updates are written at most ~4 times a second, each by rename (no torn file, no temp left), and the last one always lands', async (t) => {
  const paths = tempRoot(t);
  const w = new BuildStatusWriter(paths, { ...init, steps: 1000 });
  t.after(() => w.close());
  // A file put in place by rename is a new inode; the number of one just freed may be
  // given again, so each is told apart by its number and its change time.
  const version = () => {
    const st = fs.statSync(w.file, { bigint: true });
    return `${st.ino}:${st.ctimeNs}`;
  };
  const inodes = new Set<string>([version()]);
  const started = Date.now();
  let step = 0;
  // A RUN step printing a line every few ms for a little over a second.
  while (Date.now() - started < 1100) {
    step++;
    w.update({ step, current: `[${step}/1000] RUN make` });
    const text = fs.readFileSync(w.file, 'utf8');
    assert.ok(parseStatus(text), `a whole status every time, not ${JSON.stringify(text)}`);
    inodes.add(version());
    await new Promise((r) => setTimeout(r, 3));
  }
  assert.ok(step > 100, `${step} updates`);
  // The first write, then one per 250 ms: 5 or 6 in 1.1 s; far fewer than the updates.
  assert.ok(inodes.size >= 3 && inodes.size <= 7, `${inodes.size} writes for ${step} updates`);
  await until(() => parseStatus(fs.readFileSync(w.file, 'utf8'))?.step === step, `step ${step} written`, 1000);
  assert.equal(listBuilds(paths)[0].current, `[${step}/1000] RUN make`);
  assert.deepEqual(fs.readdirSync(buildsDir(paths)), [`${process.pid}.json`], 'no temp file left');
});

test('an update right after a write is held and written when the interval ends; flush writes it at once; stage can be set and cleared', async (t) => {
  const paths = tempRoot(t);
  const w = new BuildStatusWriter(paths, init, { minIntervalMs: 10_000 });
  t.after(() => w.close());
  w.update({ step: 2, steps: 5, current: 'COPY . /src', stage: 'builder' });
  assert.equal(listBuilds(paths)[0].step, 0, 'held');
  assert.equal(w.current.step, 2);
  w.flush();
  assert.deepEqual(
    (({ step, steps, current, stage }) => ({ step, steps, current, stage }))(listBuilds(paths)[0]),
    { step: 2, steps: 5, current: 'COPY . /src', stage: 'builder' },
  );
  w.update({ stage: undefined, step: 3 });
  w.flush();
  assert.equal('stage' in listBuilds(paths)[0], false);
  assert.equal(listBuilds(paths)[0].step, 3);

  // With the default interval the held update lands by itself.
  const w2 = new BuildStatusWriter(paths, { ...init, tags: [] });
  t.after(() => w2.close());
  w2.update({ step: 7 });
  const mine = () => listBuilds(paths).find((b) => b.tags.length === 0);
  assert.equal(mine()?.step, 0);
  await until(() => mine()?.step === 7, 'the held update written by the timer', 2000);
});

test('close removes the file; a later update does not bring it back; two builds in one process have a file each', (t) => {
  const paths = tempRoot(t);
  const a = new BuildStatusWriter(paths, init);
  const b = new BuildStatusWriter(paths, { ...init, tags: ['other'] });
  t.after(() => b.close());
  assert.notEqual(a.file, b.file);
  assert.match(path.basename(b.file), new RegExp(`^${process.pid}-\\d+\\.json$`));
  assert.deepEqual(listBuilds(paths).map((x) => x.tags[0]).sort(), ['app:1', 'other']);
  a.close();
  assert.equal(fs.existsSync(a.file), false);
  a.update({ step: 9 });
  a.flush();
  assert.equal(fs.existsSync(a.file), false);
  assert.deepEqual(listBuilds(paths).map((x) => x.tags[0]), ['other']);
});

test('a dead build\'s file is dropped and removed; so is one whose pid now names another process (start time differs)', async (t) => {
  const paths = tempRoot(t);
  const dir = buildsDir(paths);
  fs.mkdirSync(dir, { recursive: true });
  const s = await sleeper(t);
  fs.writeFileSync(path.join(dir, `${s.pid}.json`), statusFile(s.pid, s.startTime, { tags: ['live:1'] }));
  // Our own pid with a start time that is not ours: a build that died and whose pid came back.
  const mine = procStartTime(process.pid)!;
  fs.writeFileSync(path.join(dir, `${process.pid}.json`), statusFile(process.pid, mine + 1));
  assert.deepEqual(listBuilds(paths).map((b) => b.pid), [s.pid]);
  assert.equal(fs.existsSync(path.join(dir, `${process.pid}.json`)), false, 'the reused pid\'s file went');

  await s.kill();
  assert.deepEqual(listBuilds(paths), []);
  assert.deepEqual(fs.readdirSync(dir), [], 'the dead build\'s file went');
});

test('a file that is not a status is left while its pid lives, removed once it is dead; other names are never touched', async (t) => {
  const paths = tempRoot(t);
  const dir = buildsDir(paths);
  fs.mkdirSync(dir, { recursive: true });
  const s = await sleeper(t);
  fs.writeFileSync(path.join(dir, `${s.pid}.json`), '{"pid":');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
  // A file whose pid is not its name's: not a build of that pid.
  fs.writeFileSync(path.join(dir, `${s.pid}-1.json`), statusFile(s.pid + 1, s.startTime));
  assert.deepEqual(listBuilds(paths), []);
  assert.deepEqual(fs.readdirSync(dir).sort(), [`${s.pid}-1.json`, `${s.pid}.json`, 'notes.txt']);
  await s.kill();
  assert.deepEqual(listBuilds(paths), []);
  assert.deepEqual(fs.readdirSync(dir), ['notes.txt']);
});

test('each root reads only its own run directory: a build under root A is not listed by root B, nor its stale file removed', async (t) => {
  const a = tempRoot(t);
  const b = tempRoot(t);
  const w = new BuildStatusWriter(a, init);
  t.after(() => w.close());
  const s = await sleeper(t);
  fs.writeFileSync(path.join(buildsDir(a), `${s.pid}.json`), statusFile(s.pid, s.startTime));
  await s.kill();
  assert.deepEqual(listBuilds(b), []);
  assert.equal(fs.existsSync(buildsDir(b)), false, 'listing made nothing');
  assert.ok(fs.existsSync(path.join(buildsDir(a), `${s.pid}.json`)), 'A\'s stale file is A\'s to remove');
  assert.deepEqual(listBuilds(a).map((x) => x.pid), [process.pid]);
  assert.equal(fs.existsSync(path.join(buildsDir(a), `${s.pid}.json`)), false);
});

test('gc\'s part: removeStaleBuilds names each dead build\'s file and stale temp file, and leaves live ones', async (t) => {
  const paths = tempRoot(t);
  const w = new BuildStatusWriter(paths, init);
  t.after(() => w.close());
  const dir = buildsDir(paths);
  const s = await sleeper(t);
  fs.writeFileSync(path.join(dir, `${s.pid}.json`), statusFile(s.pid, s.startTime));
  fs.writeFileSync(path.join(dir, `.${s.pid}.json.${s.pid}.tmp`), '{');
  assert.deepEqual(removeStaleBuilds(paths), [], 'the writer is alive: nothing is stale');
  await s.kill();
  assert.deepEqual(removeStaleBuilds(paths).sort(), [`status of a dead build ${path.join(dir, `${s.pid}.json`)}`, `temp file ${path.join(dir, `.${s.pid}.json.${s.pid}.tmp`)}`].sort());
  assert.deepEqual(fs.readdirSync(dir), [`${process.pid}.json`]);
});

test('a root where no build ever ran lists none and listing makes nothing; a write into a removed directory makes it again', (t) => {
  const paths = tempRoot(t);
  assert.deepEqual(listBuilds(paths), []);
  assert.equal(fs.existsSync(paths.run), false);
  const w = new BuildStatusWriter(paths, init, { minIntervalMs: 0 });
  t.after(() => w.close());
  fs.rmSync(buildsDir(paths), { recursive: true });
  w.update({ step: 1 });
  assert.equal(w.problem, undefined);
  assert.equal(listBuilds(paths)[0].step, 1);
});

test('a write that fails is kept as a one-line problem, not thrown: the build goes on', (t) => {
  const paths = tempRoot(t);
  // A file where the run directory should be: mkdir fails with ENOTDIR (root or not).
  fs.mkdirSync(path.dirname(paths.run), { recursive: true });
  fs.writeFileSync(paths.run, '');
  const w = new BuildStatusWriter(paths, init);
  t.after(() => w.close());
  assert.match(w.problem ?? '', /^writing the build status .*\/builds\/\d+\.json: ENOTDIR/);
  assert.throws(() => listBuilds(paths), /^SystemError: listing the builds in .*\/builds: ENOTDIR/);
});

test('the fake engine lists the builds a test starts, as the engine does (oldest first, copies), until they end', async () => {
  const e = new FakeEngine();
  assert.deepEqual(await e.builds(), []);
  const late = e.buildRuns.start({ tags: ['b:1'], started: '2024-01-01T00:00:10Z' });
  const early = e.buildRuns.start({ started: '2024-01-01T00:00:00Z', steps: 4 });
  e.buildRuns.update(early.pid, { step: 2, current: 'RUN make' });
  const listed = await e.builds();
  assert.deepEqual(listed.map((b) => [b.pid, b.step, b.current]), [[early.pid, 2, 'RUN make'], [late.pid, 1, 'FROM host']]);
  listed[1].tags.push('mutated');
  assert.deepEqual((await e.builds())[1].tags, ['b:1']);
  e.buildRuns.end(early.pid);
  assert.deepEqual((await e.builds()).map((b) => b.pid), [late.pid]);
  assert.equal(e.callsOf('builds').length, 4);
});
