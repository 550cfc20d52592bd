// hutch build end to end, with real containers: the image a Dockerfile gives, the
// cache (CACHED, what invalidates what), multi-stage and --target, .dockerignore,
// reproducible ids, bad input (one line naming file and line, exit 125, nothing
// left), and a build killed in a RUN (gc cleans; the next build reuses what was done).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxRootfsTar, HUTCH, logText, sandbox, type Sandbox } from './helpers.js';
import type { BuildEvent, BuildOptions } from '../../src/engine/build/executor/events.js';

let sb: Sandbox;
let ctxRoot: string;
before(async () => {
  sb = await sandbox();
  await sb.engine.importImage(busyboxRootfsTar(), 'busybox');
  ctxRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-it-build-ctx-'));
});
after(async () => {
  await sb?.cleanup();
  fs.rmSync(ctxRoot, { recursive: true, force: true });
});

/** A context directory of files (name → content), its Dockerfile among them. */
function context(name: string, files: Record<string, string>): string {
  const dir = path.join(ctxRoot, name);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

async function build(contextDir: string, o: Partial<BuildOptions> = {}) {
  const events: BuildEvent[] = [];
  const r = await sb.engine.build({ contextDir, network: 'none', ...o, onEvent: (e) => events.push(e) });
  const names = new Map(events.filter((e) => e.kind === 'step').map((e) => [(e as { n: number }).n, (e as { name: string }).name]));
  const cached = events.filter((e) => e.kind === 'cached').map((e) => names.get(e.n)!);
  const output = events.filter((e) => e.kind === 'output').map((e) => (e as { text: string }).text).join('');
  return { ...r, events, cached, output };
}

async function runImage(image: string, cmd?: string[]): Promise<{ exitCode: number; out: string }> {
  const c = await sb.engine.create({ image, ...(cmd ? { cmd } : {}), network: 'none' });
  await sb.engine.start(c.id);
  const w = await sb.engine.wait(c.id);
  const out = await logText(sb.engine, c.id);
  await sb.engine.remove(c.id);
  return { exitCode: w.exitCode, out };
}

const DOCKERFILE = `FROM busybox
ARG V=1
ENV GREETING=hi
WORKDIR /app
COPY src/ ./src/
RUN echo "built $V $GREETING" > /app/out.txt && rm /bin/vi && echo step-output
CMD ["cat", "/app/out.txt"]
`;

test('a Dockerfile becomes an image: files, a deleted file, config and history as docker gives them', async () => {
  const dir = context('basic', { Dockerfile: DOCKERFILE, 'src/a.txt': 'hello\n', 'src/sub/b.txt': 'world\n' });
  const r = await build(dir, { tags: ['app:1'] });
  assert.match(r.id, /^sha256:[0-9a-f]{64}$/);
  assert.match(r.output, /step-output/);
  assert.equal((await runImage('app:1')).out, 'built 1 hi\n');
  const look = await runImage('app:1', ['sh', '-c', 'cat /app/src/a.txt /app/src/sub/b.txt; ls /bin/vi 2>/dev/null || echo no-vi; pwd']);
  assert.equal(look.out, 'hello\nworld\nno-vi\n/app\n');
  const d = await sb.engine.inspectImage('app:1');
  const cfg = (d as unknown as { Config: { Env: string[]; Cmd: string[]; WorkingDir: string } }).Config;
  assert.deepEqual(cfg.Cmd, ['cat', '/app/out.txt']);
  assert.equal(cfg.WorkingDir, '/app');
  assert.ok(cfg.Env.includes('GREETING=hi') && !cfg.Env.some((e) => e.startsWith('V=')), 'ENV in the image, ARG not');
  const h = await sb.engine.imageHistory('app:1');
  const by = h.map((x) => x.createdBy);
  assert.ok(by.some((b) => b.startsWith('RUN |1 V=1 /bin/sh -c echo')), by.join('\n'));
  assert.ok(by.includes('COPY src/ ./src/ # buildkit'), by.join('\n'));
  assert.ok(by.includes('WORKDIR /app') && by.includes('ENV GREETING=hi') && by.includes('CMD ["cat","/app/out.txt"]'), by.join('\n'));
});

test('cache: all CACHED and the same id when nothing changed or only mtimes did; a content change reruns COPY and what follows; a used build-arg reruns RUN; --no-cache reruns all', async () => {
  const dir = context('cache', { Dockerfile: DOCKERFILE, 'src/a.txt': 'one\n' });
  const first = await build(dir);
  assert.equal(first.ran, 2);
  const again = await build(dir);
  assert.deepEqual([again.ran, again.cached.length], [0, 2]);
  assert.equal(again.id, first.id, 'the same image id');
  assert.ok(again.cached.some((n) => n.includes('COPY')) && again.cached.some((n) => n.includes('RUN')));
  const t = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(dir, 'src/a.txt'), t, t);
  assert.deepEqual([(await build(dir)).ran, (await build(dir)).id], [0, first.id], 'mtimes are not content');
  fs.chmodSync(path.join(dir, 'src/a.txt'), 0o600);
  const mode = await build(dir);
  assert.equal(mode.ran, 2, 'a mode change is a change');
  fs.writeFileSync(path.join(dir, 'src/a.txt'), 'two\n');
  const content = await build(dir);
  assert.equal(content.ran, 2);
  assert.notEqual(content.id, first.id);
  const arg = await build(dir, { buildArgs: new Map([['V', '2']]) });
  assert.deepEqual([arg.ran, arg.cached.length], [1, 1], 'COPY cached, RUN (which reads V) not');
  assert.equal((await runImage(arg.id.slice(7, 19))).out, 'built 2 hi\n');
  assert.deepEqual([(await build(dir, { noCache: true })).cached.length], [0]);
});

test('multi-stage: COPY --from a stage, --target, and an unused stage is skipped', async () => {
  const dir = context('multi', {
    Dockerfile: `FROM busybox AS builder
RUN mkdir /out && echo compiled > /out/bin.txt
FROM busybox AS broken
RUN exit 7
FROM busybox
COPY --from=builder /out/bin.txt /app/
RUN cat /app/bin.txt
`,
  });
  const r = await build(dir, { tags: ['multi'] });
  assert.ok(!r.events.some((e) => e.kind === 'step' && e.name.includes('exit 7')), 'the unused stage never ran');
  assert.equal((await runImage('multi', ['cat', '/app/bin.txt'])).out, 'compiled\n');
  const t = await build(dir, { target: 'builder', tags: ['multi-builder'] });
  assert.equal((await runImage('multi-builder', ['sh', '-c', 'cat /out/bin.txt; ls /app 2>&1 || true'])).out.split('\n')[0], 'compiled');
  assert.ok(t.cached.length >= 1, 'the builder stage comes from the cache');
  await assert.rejects(build(dir, { target: 'nope' }), /target stage "nope" could not be found/);
});

test('.dockerignore: excluded files are not in the context; copying one by name is "not found"', async () => {
  const dir = context('ignore', {
    Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
    '.dockerignore': '*.md\n!keep.md\nsecret/\n',
    'a.md': 'x',
    'keep.md': 'k',
    'sub/b.md': 'y',
    'secret/key': 'z',
  });
  await build(dir, { tags: ['ign'] });
  const out = (await runImage('ign', ['sh', '-c', 'cd /ctx && find . -type f | sort'])).out;
  assert.deepEqual(out.trim().split('\n'), ['./.dockerignore', './Dockerfile', './keep.md', './sub/b.md']);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY secret/key /k\n');
  await assert.rejects(build(dir), /^\w+: Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: stat secret\/key/);
});

test('SOURCE_DATE_EPOCH: two --no-cache builds give the same image id', async () => {
  const dir = context('repro', { Dockerfile: 'FROM busybox\nCOPY f /f\nRUN echo x > /x\n', f: 'content\n' });
  const a = await build(dir, { noCache: true, sourceDateEpoch: 1700000000 });
  const b = await build(dir, { noCache: true, sourceDateEpoch: 1700000000 });
  assert.equal(a.id, b.id);
});

/** Names of the root's images, its containers and its snapshots, for "nothing left". */
async function inventory() {
  const snaps = fs.readdirSync(path.join(sb.root, 'images', 'snapshots')).filter((n) => !n.startsWith('.')).sort();
  return { images: (await sb.engine.images()).map((i) => i.id).sort(), containers: (await sb.engine.list({ all: true })).map((c) => c.name), snaps };
}

test('bad input: one line naming the file and line, exit 125, no image, container or snapshot left', async () => {
  const cases: Array<[string, Record<string, string>, RegExp, string[]?]> = [
    ['unknown', { Dockerfile: 'FROM busybox\nFOOO bar\n' }, /^Dockerfile:2: unknown instruction: FOOO/],
    ['outside', { Dockerfile: 'FROM busybox\nCOPY ../x /x\n' }, /^Dockerfile:2: COPY failed: forbidden path outside the build context/],
    ['nobase', { Dockerfile: 'FROM hutch-no-such-image-here\n' }, /^Dockerfile:1: hutch-no-such-image-here: not found here, and pulling it failed/],
    ['runfail', { Dockerfile: 'FROM busybox\nCOPY f /f\nRUN echo about-to-fail && exit 3\n', f: 'x' }, /^Dockerfile:3: RUN \/bin\/sh -c echo about-to-fail && exit 3: exited with code 3$/],
    ['url', { Dockerfile: 'FROM busybox\nADD https://example.com/x /x\n' }, /^Dockerfile:2: ADD failed: https:\/\/example.com\/x: fetching a URL is not supported/],
  ];
  for (const [name, files, re] of cases) {
    const before = await inventory();
    const dir = context(`bad-${name}`, files);
    const r = sb.cli(['build', '--progress', 'plain', '--network', 'none', '-t', `bad-${name}`, dir]);
    const lines = r.stderr.trim().split('\n');
    const last = lines[lines.length - 1].replace(/^hutch: /, '');
    assert.equal(r.status, 125, `${name}: ${r.stderr}`);
    assert.match(last, re, `${name}: ${r.stderr}`);
    if (name === 'runfail') assert.match(r.stderr, /about-to-fail/, 'its output shown');
    const now = await inventory();
    assert.deepEqual({ ...now, snaps: now.snaps.filter((s) => before.snaps.includes(s) || name === 'runfail') }, { ...before, snaps: now.snaps.filter((s) => before.snaps.includes(s) || name === 'runfail') }, name);
    assert.deepEqual(now.images, before.images, `${name}: no image`);
    assert.deepEqual(now.containers, before.containers, `${name}: no container`);
  }
  const notDir = path.join(ctxRoot, 'a-file');
  fs.writeFileSync(notDir, 'x');
  const r = sb.cli(['build', notDir]);
  assert.equal(r.status, 125);
  assert.match(r.stderr.trim(), /unable to prepare context: context must be a directory/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('a build SIGKILLed in a RUN: gc removes its step container; the next build reuses the finished steps', async () => {
  const dir = context('killed', { Dockerfile: 'FROM busybox\nCOPY f /f\nRUN sleep 60\n', f: 'data\n' });
  const child = spawn(process.execPath, [HUTCH, 'build', '--progress', 'plain', '--network', 'none', dir], { env: sb.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    const end = Date.now() + 30_000;
    while (!(await sb.engine.list()).some((c) => c.name.startsWith('hutch-build-'))) {
      if (Date.now() > end) throw new Error(`no RUN container appeared: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  assert.ok((await sb.engine.list({ all: true })).some((c) => c.name.startsWith('hutch-build-')), 'left behind by the kill');
  const removed = await sb.engine.gc();
  assert.ok(removed.some((l) => /container hutch-build-\d+-\d+-\d+ of a build that is gone/.test(l)), removed.join('\n'));
  assert.deepEqual((await sb.engine.list({ all: true })).filter((c) => c.name.startsWith('hutch-build-')), []);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY f /f\nRUN true\n');
  const r = await build(dir);
  assert.ok(r.cached.some((n) => n.includes('COPY f /f')), 'the COPY done before the kill is reused');
});

test('builder prune: the cache goes with the layers only it kept; the next build runs its steps again', async () => {
  const dir = context('prune', { Dockerfile: 'FROM busybox\nCOPY f /f\nRUN echo pruned > /p\n', f: 'prune me\n' });
  await build(dir);
  assert.equal((await build(dir)).ran, 0);
  const snaps = () => fs.readdirSync(path.join(sb.root, 'images', 'snapshots')).filter((n) => !n.startsWith('.')).length;
  const before = snaps();
  const r = sb.cli(['builder', 'prune', '-f']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Deleted build cache records: [1-9]\d*\nTotal reclaimed space: .+\n$/);
  assert.ok(snaps() < before, 'layers only the cache kept are gone');
  assert.equal((await build(dir)).ran, 2);
});

test('every instruction reaches the image as docker puts it; heredocs, ADD of a local tar, --chown/--chmod, globs, ONBUILD', async () => {
  const tarDir = fs.mkdtempSync(path.join(ctxRoot, 'tar-src-'));
  fs.mkdirSync(path.join(tarDir, 'pkg'));
  fs.writeFileSync(path.join(tarDir, 'pkg', 'in-tar.txt'), 'from the tar\n');
  const dir = context('all', {
    Dockerfile: `ARG BASE=busybox
FROM \${BASE}
LABEL org.example.title="all of it" version=1
EXPOSE 80 53/udp
ENV PATH=/opt/bin:$PATH HOME=/home/app
USER 0
WORKDIR /w
SHELL ["/bin/sh", "-ec"]
RUN <<EOF
echo heredoc-ran > /w/heredoc.txt
EOF
COPY --chown=1000:1001 --chmod=0640 *.txt /w/txt/
ADD pkg.tar.gz /w/unpacked/
HEALTHCHECK --interval=5s --retries=2 CMD true
STOPSIGNAL SIGTERM
VOLUME /data
ONBUILD RUN echo child-built > /onbuild.txt
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /w/heredoc.txt"]
`,
    'a.txt': 'A\n',
    'b.txt': 'B\n',
  });
  spawnSyncOk('tar', ['-czf', path.join(dir, 'pkg.tar.gz'), '-C', tarDir, 'pkg']);
  await build(dir, { tags: ['all'] });
  const [d] = JSON.parse(sb.cli(['image', 'inspect', 'all']).stdout);
  const c = d.Config;
  assert.deepEqual(c.Labels, { 'org.example.title': 'all of it', version: '1' });
  assert.deepEqual(Object.keys(c.ExposedPorts).sort(), ['53/udp', '80/tcp']);
  assert.ok(c.Env.includes('HOME=/home/app') && c.Env.some((e: string) => e.startsWith('PATH=/opt/bin:/')), c.Env.join(' '));
  assert.deepEqual([c.User, c.WorkingDir, c.StopSignal, c.Entrypoint, c.Cmd, c.Volumes], ['0', '/w', 'SIGTERM', ['/bin/sh', '-c'], ['cat /w/heredoc.txt'], { '/data': {} }]);
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 2 });
  assert.deepEqual(c.Shell, ['/bin/sh', '-ec']);
  assert.deepEqual(c.OnBuild, ['RUN echo child-built > /onbuild.txt']);
  assert.equal((await runImage('all')).out, 'heredoc-ran\n');
  const look = (await runImage('all', ['ls -ln /w/txt; cat /w/unpacked/pkg/in-tar.txt'])).out;
  assert.match(look, /^-rw-r-----\s+1 1000\s+1001 .* a\.txt$/m);
  assert.match(look, /^-rw-r-----\s+1 1000\s+1001 .* b\.txt$/m);
  assert.match(look, /^from the tar$/m);
  // A child image runs the parent's ONBUILD triggers first, and does not inherit them.
  const child = context('onbuild-child', { Dockerfile: 'FROM all\nRUN cat /onbuild.txt\n' });
  const r = await build(child, { tags: ['all-child'] });
  assert.match(r.output, /child-built/);
  const [cd] = JSON.parse(sb.cli(['image', 'inspect', 'all-child']).stdout);
  assert.ok(!cd.Config.OnBuild?.length);
});

test('a context tar on stdin (-), a Dockerfile on stdin (-f -), and a changed base image invalidates the cache', async () => {
  const dir = context('stdin', { Dockerfile: 'FROM base-for-stdin\nCOPY f /f\nCMD ["cat", "/f"]\n', f: 'via stdin\n' });
  sb.cli(['tag', 'busybox', 'base-for-stdin']);
  const tarFile = path.join(ctxRoot, 'ctx.tar');
  spawnSyncOk('tar', ['-cf', tarFile, '-C', dir, '.']);
  const a = spawnSyncHutch(['build', '-q', '--network', 'none', '-t', 'from-stdin', '-'], fs.readFileSync(tarFile));
  assert.equal(a.status, 0, a.stderr);
  assert.equal((await runImage('from-stdin')).out, 'via stdin\n');
  const b = spawnSyncHutch(['build', '--progress', 'plain', '--network', 'none', '-f', '-', dir], fs.readFileSync(path.join(dir, 'Dockerfile')));
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stderr, /#\d+ CACHED/);
  // The base name now points at another image: nothing after FROM is reused.
  const other = await build(context('other-base', { Dockerfile: 'FROM busybox\nRUN echo x > /x\n' }));
  sb.cli(['tag', other.id.slice(7, 19), 'base-for-stdin']);
  const c = spawnSyncHutch(['build', '--progress', 'plain', '--network', 'none', dir]);
  assert.equal(c.status, 0, c.stderr);
  assert.doesNotMatch(c.stderr, /CACHED/);
  const bad = spawnSyncHutch(['build', '--network', 'none', '-f', '-', dir], Buffer.from('FROM busybox\nSHELL [sh\n'));
  assert.equal(bad.status, 125);
  assert.match(bad.stderr.trim(), /^hutch: Dockerfile:2: SHELL/);
});

function spawnSyncOk(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
}

function spawnSyncHutch(args: string[], input?: Buffer) {
  return spawnSync(process.execPath, [HUTCH, ...args], { env: sb.env, encoding: 'utf8', ...(input ? { input } : {}), timeout: 120_000 });
}

test('COPY after one changed file: the unchanged files are hard-linked from the last build\'s snapshot, and the image is the one a full copy gives', async () => {
  const files: Record<string, string> = { Dockerfile: 'FROM busybox\nCOPY src /src\n' };
  for (let i = 0; i < 20; i++) files[`src/d${i % 4}/f${i}.txt`] = `file ${i}\n`.repeat(50);
  const dir = context('links', files);
  const epoch = 1700000000;
  const first = await build(dir, { sourceDateEpoch: epoch });
  const snapshotOf = async (id: string) => {
    const [d] = JSON.parse(sb.cli(['image', 'inspect', id]).stdout);
    return path.join(sb.root, 'images', 'snapshots', d.Manifest.Layers.at(-1).ChainID.slice(7), 'fs');
  };
  const f5 = path.join(dir, 'src/d1/f5.txt');
  const before = fs.statSync(f5);
  fs.writeFileSync(f5, 'changed\n');
  const second = await build(dir, { sourceDateEpoch: epoch });
  assert.equal(second.ran, 1);
  const [s1, s2] = [await snapshotOf(first.id), await snapshotOf(second.id)];
  assert.equal(fs.statSync(path.join(s2, 'src/d0/f0.txt')).ino, fs.statSync(path.join(s1, 'src/d0/f0.txt')).ino, 'an unchanged file is the same inode');
  assert.notEqual(fs.statSync(path.join(s2, 'src/d1/f5.txt')).ino, fs.statSync(path.join(s1, 'src/d1/f5.txt')).ino);
  assert.equal(fs.readFileSync(path.join(s1, 'src/d1/f5.txt'), 'utf8'), 'file 5\n'.repeat(50), 'the last snapshot is untouched');
  assert.equal((await runImage(second.id.slice(7, 19), ['cat', '/src/d1/f5.txt', '/src/d3/f7.txt'])).out, `changed\n${'file 7\n'.repeat(50)}`);
  // Back to the first content and mtime, built without the cache: links from the
  // second build and one written file give exactly the first image.
  fs.writeFileSync(f5, 'file 5\n'.repeat(50));
  fs.utimesSync(f5, before.atime, before.mtime);
  const third = await build(dir, { sourceDateEpoch: epoch, noCache: true });
  assert.equal(third.id, first.id);
});

test('COPY under a symlinked directory of the image follows it inside the image (the overlay path)', async () => {
  const base = context('symlinked-base', { Dockerfile: 'FROM busybox\nRUN mkdir -p /usr/lib && ln -s usr/lib /lib && ln -s /etc /hostetc-trap\n' });
  await build(base, { tags: ['symlinked'] });
  const dir = context('symlinked', { Dockerfile: 'FROM symlinked\nCOPY f /lib/\nCOPY g /hostetc-trap/hutch-build-trap\n', f: 'in usr/lib\n', g: 'stays inside\n' });
  await build(dir, { tags: ['symlinked-copy'] });
  assert.equal((await runImage('symlinked-copy', ['sh', '-c', 'cat /usr/lib/f; test -L /lib && echo still-a-link; cat /etc/hutch-build-trap'])).out, 'in usr/lib\nstill-a-link\nstays inside\n');
  assert.ok(!fs.existsSync('/etc/hutch-build-trap'), 'the host\'s /etc is never written');
});

test('RUN is on the default bridge network unless told otherwise (an address, a route out, the resolver), and --network none has only lo', async () => {
  const dir = context('bridge', { Dockerfile: 'FROM busybox\nRUN ip -o -4 addr show; ip route; ls -la /etc/; cat /etc/resolv.conf; echo resolv-$?\n' });
  const events: string[] = [];
  await sb.engine.build({ contextDir: dir, noCache: true, onEvent: (e) => e.kind === 'output' && events.push(e.text) });
  const out = events.join('');
  assert.match(out, /eth0\s+inet \d+\.\d+\.\d+\.\d+\//, out);
  assert.match(out, /^default via /m, out);
  assert.match(out, /resolv-0/, out);
  const none: string[] = [];
  await sb.engine.build({ contextDir: dir, noCache: true, network: 'none', onEvent: (e) => e.kind === 'output' && none.push(e.text) });
  assert.doesNotMatch(none.join(''), /eth0/);
});
