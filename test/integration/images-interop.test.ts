// Interop with the tools people have: archives written by `podman save` (OCI and
// docker formats) and `skopeo copy … oci-archive:` load into hutch and run; an archive
// hutch saves loads into podman with the same layers and config; `docker save`
// layouts (older, uncompressed layers, links between layer files) and gzip'd archives
// load. podman runs with its own root under the test's temp dir, vfs storage, no network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { busyboxRootfsTar, sandbox, type Sandbox } from './helpers.js';
import { buildImage, busyboxLayer, dockerSaveArchive, ociArchive, sha, writeOciLayout, type BuiltImage } from './images-fixtures.js';
import { dir, file } from '../support/tar-writer.js';

let sb: Sandbox;
let tmp: string;
let img: BuiltImage;

function ok(args: string[]) {
  const r = sb.cli(args);
  assert.equal(r.status, 0, `hutch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function podman(...args: string[]): string {
  const r = spawnSync(
    'podman',
    ['--root', path.join(tmp, 'podman-root'), '--runroot', path.join(tmp, 'podman-run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none', ...args],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: tmp } },
  );
  assert.equal(r.status, 0, `podman ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function skopeo(...args: string[]): string {
  const r = spawnSync('skopeo', ['--insecure-policy', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: tmp } });
  assert.equal(r.status, 0, `skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  sb = await sandbox();
  // podman refuses a runroot path of more than 50 characters: a short dir of our own.
  tmp = fs.mkdtempSync('/tmp/hutch-test-p-');
  img = buildImage({
    layers: [busyboxLayer(), { gzip: true, tar: [dir('srv'), file('srv/msg', 'layer two\n')] }],
    config: { Env: ['GREETING=hello'], Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo "$GREETING from $PWD"; cat msg'], WorkingDir: '/srv', User: '0:0', Labels: { made: 'here' } },
  });
});

after(async () => {
  spawnSync('podman', ['--root', path.join(tmp, 'podman-root'), '--runroot', path.join(tmp, 'podman-run'), '--storage-driver', 'vfs', 'system', 'reset', '-f'], { stdio: 'ignore', timeout: 60_000 });
  fs.rmSync(tmp, { recursive: true, force: true });
  await sb.cleanup();
});

test('podman save --format oci-archive loads into hutch and runs', () => {
  podman('import', busyboxRootfsTar(), 'localhost/pbb:1');
  const archive = path.join(tmp, 'podman-oci.tar');
  podman('save', '--format', 'oci-archive', '-o', archive, 'localhost/pbb:1');
  assert.equal(ok(['load', '-i', archive]), 'Loaded image: localhost/pbb:1\n');
  assert.equal(ok(['run', '--rm', 'localhost/pbb:1', 'sh', '-c', 'echo from podman; ls /bin/busybox']), 'from podman\n/bin/busybox\n');
  const [d] = JSON.parse(ok(['image', 'inspect', 'localhost/pbb:1']));
  const [p] = JSON.parse(podman('image', 'inspect', 'localhost/pbb:1'));
  assert.deepEqual(d.RootFS.Layers, p.RootFS.Layers);
  assert.equal(d.Id.replace(/^sha256:/, ''), p.Id);
});

test('podman save --format docker-archive (layer files linked) loads into hutch and runs', () => {
  const archive = path.join(tmp, 'podman-docker.tar');
  podman('save', '--format', 'docker-archive', '-o', archive, 'localhost/pbb:1');
  ok(['rmi', 'localhost/pbb:1']);
  assert.equal(ok(['load', '-i', archive]), 'Loaded image: localhost/pbb:1\n');
  assert.equal(ok(['run', '--rm', 'localhost/pbb:1', 'echo', 'docker format']), 'docker format\n');
});

test('skopeo copy oci:DIR oci-archive:FILE output loads, with its config honoured', () => {
  const layout = path.join(tmp, 'layout');
  writeOciLayout(layout, [{ built: img }]);
  const archive = path.join(tmp, 'skopeo.tar');
  skopeo('copy', `oci:${layout}`, `oci-archive:${archive}:docker.io/library/fromskopeo:2`);
  assert.equal(ok(['load', '-i', archive]), 'Loaded image: fromskopeo:2\n');
  assert.equal(ok(['run', '--rm', 'fromskopeo:2']), 'hello from /srv\nlayer two\n');
  // Unnamed in the archive: loaded by id.
  const unnamed = path.join(tmp, 'skopeo-unnamed.tar');
  skopeo('copy', `oci:${layout}`, `oci-archive:${unnamed}`);
  assert.match(ok(['load', '-i', unnamed]), /^Loaded image ID: sha256:[0-9a-f]{64}\n$/);
});

test('an archive hutch saves loads into podman with the same layers and config; skopeo reads it', () => {
  const src = path.join(tmp, 'src.tar');
  fs.writeFileSync(src, ociArchive([{ built: img, name: 'docker.io/library/roundtrip:3' }]));
  ok(['load', '-i', src]);
  ok(['tag', 'roundtrip:3', 'localhost:5000/team/roundtrip:4']);
  const saved = path.join(tmp, 'hutch-saved.tar');
  ok(['save', '-o', saved, 'roundtrip:3', 'localhost:5000/team/roundtrip:4']);
  const loaded = podman('load', '-i', saved);
  assert.match(loaded, /docker\.io\/library\/roundtrip:3/);
  assert.match(loaded, /localhost:5000\/team\/roundtrip:4/);
  const [p] = JSON.parse(podman('image', 'inspect', 'docker.io/library/roundtrip:3'));
  assert.deepEqual(p.RootFS.Layers, img.diffIds);
  assert.equal(`sha256:${p.Id}`, img.configDigest);
  assert.deepEqual(p.Config.Entrypoint, ['/bin/sh', '-c']);
  assert.deepEqual(p.Config.Cmd, ['echo "$GREETING from $PWD"; cat msg']);
  assert.equal(p.Config.WorkingDir, '/srv');
  assert.ok(p.Config.Env.includes('GREETING=hello'));
  assert.deepEqual(p.Config.Labels, { made: 'here' });
  assert.deepEqual(p.RepoTags.sort(), ['docker.io/library/roundtrip:3', 'localhost:5000/team/roundtrip:4']);
  const s = JSON.parse(skopeo('inspect', `oci-archive:${saved}:docker.io/library/roundtrip:3`));
  assert.deepEqual(s.Layers, img.layerBlobs.map(sha));
});

test('docker save archives (uncompressed layers, with or without linked layer files) load and run', () => {
  for (const links of [false, true]) {
    const f = path.join(tmp, `docker-save-${links}.tar`);
    fs.writeFileSync(f, dockerSaveArchive(img, [`dsave:${links}`], { links }));
    assert.equal(ok(['load', '-i', f]), `Loaded image: dsave:${links}\n`);
    assert.equal(ok(['run', '--rm', `dsave:${links}`]), 'hello from /srv\nlayer two\n');
    const [d] = JSON.parse(ok(['image', 'inspect', `dsave:${links}`]));
    assert.equal(d.Id, img.configDigest);
    assert.deepEqual(d.RootFS.Layers, img.diffIds);
  }
});

test('a gzip-compressed OCI archive loads', () => {
  const f = path.join(tmp, 'gz.tar.gz');
  fs.writeFileSync(f, gzipSync(ociArchive([{ built: img, name: 'docker.io/library/gz:1' }])));
  assert.equal(ok(['load', '-i', f]), 'Loaded image: gz:1\n');
  assert.equal(ok(['run', '--rm', 'gz:1', 'cat /srv/msg']), 'layer two\n');
});
