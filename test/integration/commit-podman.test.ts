// A committed image read back by another engine: `hutch save` of it, `podman load`
// into a private podman root under the test's temp dir (vfs storage, no network),
// `podman run`: the file the container deleted is gone (whiteout), the directory it
// emptied and refilled shows only the new content (opaque), the added file is there,
// the -c change is the command.
//
// podman runs with runc and low explicit ulimits: crun refuses hybrid cgroup hosts,
// and both runtimes fail to raise rlimits above the test process's own where it
// lacks CAP_SYS_RESOURCE (as in CI's containers).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxRootfsTar, sandbox, type Sandbox } from './helpers.js';
import { readTar } from './build-layer-fixture.js';

let sb: Sandbox;
let tmp: string;

function ok(args: string[]): string {
  const r = sb.cli(args);
  assert.equal(r.status, 0, `hutch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function podmanArgs(): string[] {
  return ['--root', path.join(tmp, 'root'), '--runroot', path.join(tmp, 'run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none', '--runtime', 'runc'];
}

function podman(...args: string[]): string {
  const r = spawnSync('podman', [...podmanArgs(), ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: tmp } });
  assert.equal(r.status, 0, `podman ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  sb = await sandbox();
  // podman refuses a runroot path of more than 50 characters: a short dir of our own.
  tmp = fs.mkdtempSync('/tmp/hutch-test-pc-');
});

after(async () => {
  spawnSync('podman', [...podmanArgs(), 'system', 'reset', '-f'], { stdio: 'ignore', timeout: 60_000, env: { ...process.env, TMPDIR: tmp } });
  fs.rmSync(tmp, { recursive: true, force: true });
  await sb.cleanup();
});

test('podman runs a committed image with its whiteouts, opaque directory and config', async () => {
  ok(['import', busyboxRootfsTar(), 'bb:1']);
  // Two commits: the second empties and refills a directory the first made.
  const run1 = async (image: string, name: string, script: string) => {
    const c = await sb.engine.create({ image, name, cmd: ['sh', '-c', script] });
    await sb.engine.start(c.id);
    assert.equal((await sb.engine.wait(c.id)).exitCode, 0);
  };
  await run1('bb:1', 'first', 'mkdir /data && echo a > /data/a && echo b > /data/b');
  ok(['commit', 'first', 'localhost/base:1']);
  await run1('localhost/base:1', 'changer', 'rm /bin/ls && rm -rf /data && mkdir /data && echo fresh > /data/only && echo added > /added.txt');
  const id = ok(['commit', '-c', 'CMD ["cat", "/added.txt"]', 'changer', 'localhost/committed:1']).trim();
  const [d] = JSON.parse(ok(['image', 'inspect', 'localhost/committed:1']));
  const names = readTar(path.join(sb.root, 'images/blobs/sha256', d.Manifest.Layers[2].Digest.slice(7))).map((e) => e.name);
  for (const n of ['bin/.wh.ls', 'data/', 'data/.wh..wh..opq', 'data/only', 'added.txt']) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
  // hutch reads it back the same way first.
  const probe = 'test -e /bin/ls && echo ls-still-there; ls /data; cat /data/only /added.txt';
  assert.equal(ok(['run', '--rm', '--network', 'none', 'localhost/committed:1', 'sh', '-c', probe]), 'only\nfresh\nadded\n');

  const archive = path.join(tmp, 'committed.tar');
  ok(['save', '-o', archive, 'localhost/committed:1']);
  assert.match(podman('load', '-i', archive), /localhost\/committed:1/);
  const [img] = JSON.parse(podman('image', 'inspect', 'localhost/committed:1'));
  assert.equal(`sha256:${img.Id}`, id);
  assert.deepEqual(img.Config.Cmd, ['cat', '/added.txt']);
  const run = (...cmd: string[]) => podman('run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', 'localhost/committed:1', ...cmd);
  assert.equal(run(), 'added\n');
  assert.equal(run('sh', '-c', probe), 'only\nfresh\nadded\n');
});

test('a built image is an ordinary image: hutch save → podman load → podman run gives the same files and config', async () => {
  const ctxDir = path.join(tmp, 'build-ctx');
  fs.mkdirSync(path.join(ctxDir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(ctxDir, 'src', 'hello.txt'), 'hello from the context\n');
  fs.writeFileSync(
    path.join(ctxDir, 'Dockerfile'),
    'FROM bb:1\nENV MODE=built\nWORKDIR /app\nCOPY src/ ./\nRUN rm /bin/ls && echo "$MODE" > /app/mode\nCMD ["sh", "-c", "cat /app/hello.txt /app/mode; test -e /bin/ls || echo no-ls"]\n',
  );
  const id = ok(['build', '-q', '--network', 'none', '-t', 'localhost/built:1', ctxDir]).trim();
  const want = 'hello from the context\nbuilt\nno-ls\n';
  assert.equal(ok(['run', '--rm', '--network', 'none', 'localhost/built:1']), want);
  const archive = path.join(tmp, 'built.tar');
  ok(['save', '-o', archive, 'localhost/built:1']);
  assert.match(podman('load', '-i', archive), /localhost\/built:1/);
  const [img] = JSON.parse(podman('image', 'inspect', 'localhost/built:1'));
  assert.equal(`sha256:${img.Id}`, id);
  assert.equal(img.Config.WorkingDir, '/app');
  assert.ok(img.Config.Env.includes('MODE=built'));
  assert.equal(podman('run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', 'localhost/built:1'), want);
});
