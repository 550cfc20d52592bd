// `hutch commit` of real containers and `hutch history` of the result: a file
// written and an image file deleted are there and gone in the new image, the -c
// changes are in its config, its history has the entry, the mount points hutch
// made are not in its layer; a running container is paused while read and runs
// on; bad input is one line, exit 125, and leaves no image, blob or snapshot.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxRootfsTar, logText, sandbox, type Sandbox } from './helpers.js';
import { readTar } from './build-layer-fixture.js';
import { busyboxLayer, ociArchive, sha, type BuiltImage } from './images-fixtures.js';
import { gzipSync } from 'node:zlib';
import { hostPlatform } from '../../src/engine/images/oci/manifest.js';

let sb: Sandbox;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function ok(args: string[]): string {
  const r = sb.cli(args);
  assert.equal(r.status, 0, `hutch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Everything in the image store that a failed commit must not have added. */
function storeFiles(): string[] {
  const out: string[] = [];
  for (const d of ['images/blobs/sha256', 'images/snapshots', 'images/meta']) {
    const p = path.join(sb.root, d);
    if (fs.existsSync(p)) out.push(...fs.readdirSync(p).map((n) => `${d}/${n}`));
  }
  return out.sort();
}

async function runToEnd(image: string, cmd?: string[]): Promise<{ code: number; out: string }> {
  const c = await sb.engine.create({ image, ...(cmd ? { cmd } : {}) });
  await sb.engine.start(c.id);
  const r = await sb.engine.wait(c.id);
  const out = await logText(sb.engine, c.id);
  await sb.engine.remove(c.id);
  return { code: r.exitCode, out };
}

before(async () => {
  sb = await sandbox();
  ok(['import', busyboxRootfsTar(), 'bb:1']);
});
after(() => sb.cleanup());

describe('hutch commit', () => {
  test('a stopped container: its changes, config and history in the new image', async () => {
    const c = await sb.engine.create({ image: 'bb:1', name: 'maker', env: ['FROM_RUN=1'], workdir: '/work', cmd: ['sh', '-c', 'echo hello > /added.txt; rm /bin/ls; mkdir -p /srv && echo s > /srv/f'] });
    await sb.engine.start(c.id);
    assert.equal((await sb.engine.wait(c.id)).exitCode, 0);
    const id = ok(['commit', '-c', 'CMD ["cat", "/added.txt"]', '-c', 'ENV GREETING=hi', '-c', 'EXPOSE 8080', '-c', 'LABEL team=blue', '-m', 'my message', '-a', 'Ann <ann@example.com>', 'maker', 'made:1']);
    assert.match(id, /^sha256:[0-9a-f]{64}\n$/);

    assert.deepEqual(await runToEnd('made:1'), { code: 0, out: 'hello\n' });
    const check = await runToEnd('made:1', ['sh', '-c', 'test -e /bin/ls && echo ls-there; cat /srv/f; echo "$GREETING $FROM_RUN"; pwd']);
    assert.deepEqual(check, { code: 0, out: 's\nhi 1\n/work\n' });

    const [d] = JSON.parse(ok(['image', 'inspect', 'made:1']));
    assert.equal(d.Id, id.trim());
    assert.deepEqual(d.Config.Cmd, ['cat', '/added.txt']);
    assert.ok(d.Config.Env.includes('GREETING=hi') && d.Config.Env.includes('FROM_RUN=1'), d.Config.Env.join(' '));
    assert.equal(d.Config.WorkingDir, '/work');
    assert.deepEqual(d.Config.ExposedPorts, { '8080/tcp': {} });
    assert.deepEqual(d.Config.Labels, { team: 'blue' });
    assert.equal(d.Author, 'Ann <ann@example.com>');
    assert.equal(d.RootFS.Layers.length, 2);

    // The layer: the changes in layer form, none of the mount points hutch made.
    const layer = d.Manifest.Layers[1];
    assert.equal(layer.MediaType, 'application/vnd.oci.image.layer.v1.tar');
    const names = readTar(path.join(sb.root, 'images/blobs/sha256', layer.Digest.slice(7))).map((e) => e.name);
    assert.ok(names.includes('added.txt') && names.includes('bin/.wh.ls') && names.includes('srv/f'), names.join(' '));
    for (const n of ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'proc/', 'sys/', 'dev/']) assert.ok(!names.includes(n), `${n} in ${names.join(' ')}`);
    assert.ok(names.includes('work/') === false, 'the working directory hutch made for -w is left out (empty)');

    // history: newest first, the commit's entry on top, the import's below.
    const table = ok(['history', 'made:1']).split('\n');
    assert.match(table[0], /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    const cmd = 'sh -c echo hello > /added.txt; rm /bin/ls; mkdir -p /srv && echo s > /srv/f';
    assert.match(table[1], new RegExp(`^${id.slice(7, 19)}\\s+(Less than a second|\\d+ seconds?) ago\\s+${escape(cmd.slice(0, 44))}…\\s+\\d+(\\.\\d+)?[kM]?B\\s+my message$`));
    assert.match(table[2], /^<missing>\s+.* ago\s+hutch import\s+\d+(\.\d+)?[kM]?B\s+imported from busybox.tar$/);
    assert.equal(table.length, 4);
    assert.equal(ok(['history', '-q', 'made:1']), `${id.slice(7, 19)}\n<missing>\n`);
    assert.equal(ok(['history', '-q', '--no-trunc', 'made:1']), `${id.trim()}\n<missing>\n`);
    const full = ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'made:1']);
    assert.equal(full, "sh -c echo hello > /added.txt; rm /bin/ls; mkdir -p /srv && echo s > /srv/f|my message\nhutch import|imported from busybox.tar\n");
    assert.match(ok(['history', '-H=false', '--format', '{{.CreatedAt}} {{.Size}}', 'made:1']).split('\n')[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \d+$/);
  });

  test('a running container is paused while read, then runs on', async () => {
    const c = await sb.engine.create({ image: 'bb:1', name: 'runner', cmd: ['sh', '-c', 'echo live > /live.txt; while :; do sleep 0.1; done'] });
    await sb.engine.start(c.id);
    for (let i = 0; i < 100 && !(await sb.engine.diff(c.id)).some((x) => x.path === '/live.txt'); i++) await new Promise((r) => setTimeout(r, 50));
    const r = sb.cli(['commit', 'runner', 'live:1']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'paused: no warning');
    const info = await sb.engine.inspect(c.id);
    assert.equal(info.status, 'running');
    const state = Object.entries(info.cgroupPaths).find(([k]) => k === 'freezer');
    if (state) assert.equal(fs.readFileSync(path.join(state[1], 'freezer.state'), 'utf8').trim(), 'THAWED');
    else assert.match(fs.readFileSync(path.join(info.cgroupPaths.unified, 'cgroup.events'), 'utf8'), /^frozen 0$/m);
    assert.equal(await sb.engine.exec(c.id, ['true'], { stdio: 'pipe' }), 0, 'its processes run');
    assert.deepEqual(await runToEnd('live:1', ['cat', '/live.txt']), { code: 0, out: 'live\n' });
    // The container's own command is the image's now (docker's commit).
    const [d] = JSON.parse(ok(['image', 'inspect', 'live:1']));
    assert.deepEqual(d.Config.Cmd, ['sh', '-c', 'echo live > /live.txt; while :; do sleep 0.1; done']);
    await sb.engine.remove(c.id, { force: true });
  });

  test('--userns=auto: the layer has the ids the container saw, not the host range', async () => {
    const c = await sb.engine.create({ image: 'bb:1', name: 'mapped', userns: 'auto', cmd: ['sh', '-c', 'echo m > /mine && chown 1000:1001 /mine && echo more >> /etc/passwd'] });
    await sb.engine.start(c.id);
    assert.equal((await sb.engine.wait(c.id)).exitCode, 0);
    const id = ok(['commit', 'mapped']).trim();
    const [d] = JSON.parse(ok(['image', 'inspect', id]));
    const entries = readTar(path.join(sb.root, 'images/blobs/sha256', d.Manifest.Layers[1].Digest.slice(7)));
    const owner = (n: string) => entries.filter((e) => e.name === n).map((e) => [e.uid, e.gid])[0];
    assert.deepEqual(owner('mine'), [1000, 1001]);
    assert.deepEqual(owner('etc/passwd'), [0, 0], 'a copied-up image file stays root-owned');
    assert.deepEqual(owner('etc/'), [0, 0]);
    await sb.engine.remove(c.id);
  });

  test('nothing changed: an empty layer entry, no new layer', async () => {
    const c = await sb.engine.create({ image: 'bb:1', name: 'idle', cmd: ['true'] });
    await sb.engine.start(c.id);
    await sb.engine.wait(c.id);
    const id = ok(['commit', '-m', 'nothing', 'idle']).trim();
    const [d] = JSON.parse(ok(['image', 'inspect', id]));
    assert.equal(d.RootFS.Layers.length, 1);
    const rows = ok(['history', '--format', '{{.Size}} {{.Comment}}', id]);
    assert.match(rows, /^0B nothing\n/);
    assert.match(ok(['images']), new RegExp(`<none>\\s+<none>\\s+${id.slice(7, 19)}`));
  });

  test('bad input: one line, exit 125, nothing left behind', async () => {
    const c = await sb.engine.create({ image: 'bb:1', name: 'target', cmd: ['true'] });
    await sb.engine.start(c.id);
    await sb.engine.wait(c.id);
    const h = await sb.engine.create({ image: 'host', name: 'onhost', cmd: ['true'] });
    const before = storeFiles();
    const images = ok(['images', '-q']);
    const cases: Array<[string[], RegExp]> = [
      [['commit', 'nosuch'], /^hutch: No such container: nosuch$/],
      [['commit', '-c', 'RUN echo x', 'target'], /^hutch: invalid change "RUN echo x": RUN is not a valid change command \(one of CMD, .*\)$/],
      [['commit', '-c', 'EXPOSE 99999', 'target'], /^hutch: invalid change "EXPOSE 99999": invalid containerPort: 99999$/],
      [['commit', '-c', 'STOPSIGNAL SIGNOPE', 'target'], /^hutch: invalid change "STOPSIGNAL SIGNOPE": invalid signal: SIGNOPE$/],
      [['commit', 'target', 'Bad:Name'], /^hutch: .*(invalid|must be lowercase).*$/i],
      [['commit', 'target', 'host'], /^hutch: invalid image name "host": reserved for the built-in image$/],
      [['commit', 'onhost'], /^hutch: container onhost runs the built-in host image, which has no layers to commit on$/],
    ];
    for (const [args, re] of cases) {
      const r = sb.cli(args);
      assert.equal(r.status, 125, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trimEnd(), re);
    }
    assert.deepEqual(storeFiles(), before);
    assert.equal(ok(['images', '-q']), images);
    await sb.engine.remove(h.id);
  });
});

/** An image as Docker Hub serves one: a docker schema 2 manifest, a gzip'd layer, a history with a metadata step. */
function hubImage(): BuiltImage {
  const layerTar = busyboxLayer().tar as Buffer;
  const layer = gzipSync(layerTar);
  const plat = hostPlatform();
  const config = Buffer.from(
    JSON.stringify({
      architecture: plat.architecture,
      ...(plat.variant ? { variant: plat.variant } : {}),
      os: 'linux',
      created: '2024-05-01T10:00:01Z',
      config: { Cmd: ['sh'], Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: [sha(layerTar)] },
      history: [
        { created: '2024-05-01T10:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ' },
        { created: '2024-05-01T10:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
      ],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha(layer), size: layer.length }],
    }),
  );
  const blobs = new Map([config, manifest, layer].map((b) => [sha(b), b]));
  return { manifestDigest: sha(manifest), configDigest: sha(config), diffIds: [sha(layerTar)], blobs, manifest, config, layerBlobs: [layer], layerTars: [layerTar] };
}

describe('hutch history', () => {
  test("a pulled image's history: its steps, the metadata one 0B, the layer's size; a commit on it", async () => {
    const img = hubImage();
    const archive = path.join(sb.root, 'hub.tar');
    fs.writeFileSync(archive, ociArchive([{ built: img, name: 'docker.io/library/hubby:1' }]));
    ok(['load', '-i', archive]);
    const rows = ok(['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}', 'hubby:1']);
    const [d] = JSON.parse(ok(['image', 'inspect', 'hubby:1']));
    const size = ok(['history', '-H=false', '--format', '{{.Size}}', 'hubby:1']).split('\n')[1];
    assert.ok(Number(size) >= img.layerTars[0].length - 10240, `the layer's unpacked size: ${size}`);
    assert.match(rows, new RegExp(`^${img.configDigest}\\|/bin/sh -c #\\(nop\\)  CMD \\["sh"\\]\\|0B\n<missing>\\|/bin/sh -c #\\(nop\\) ADD file:0123456789abcdef in / \\|[\\d.]+MB\n$`));
    assert.equal(d.Id, img.configDigest);
    // Committed on: the parent's layer keeps its bytes under the OCI media type.
    const c = await sb.engine.create({ image: 'hubby:1', name: 'onhub', cmd: ['sh', '-c', 'echo x > /x'] });
    await sb.engine.start(c.id);
    await sb.engine.wait(c.id);
    ok(['commit', 'onhub', 'hubby:2']);
    const [n] = JSON.parse(ok(['image', 'inspect', 'hubby:2']));
    assert.deepEqual(n.Manifest.Layers.map((l: { MediaType: string; Digest: string }) => [l.MediaType, l.Digest]), [
      ['application/vnd.oci.image.layer.v1.tar+gzip', sha(img.layerBlobs[0])],
      ['application/vnd.oci.image.layer.v1.tar', n.RootFS.Layers[1]],
    ]);
    assert.equal(ok(['history', '-q', 'hubby:2']).split('\n').length, 4, 'three entries: two of the parent, the commit');
  });

  test('the host image: one entry saying what it is', () => {
    const out = ok(['history', 'host']).split('\n');
    assert.match(out[1], /^[0-9a-f]{12}\s+N\/A\s+the host's \/usr, \/etc and \/lib\* bound read-o…\s+0B\s+built-in image: no layers$/);
    assert.equal(out.length, 3);
  });

  test('an unknown image, a bad template: one line, 125', () => {
    for (const [args, re] of [
      [['history', 'nosuch:1'], /^hutch: No such image: nosuch:1$/],
      [['history', '--format', '{{.Nope}}', 'bb:1'], /^hutch: template: can't evaluate field Nope/],
    ] as const) {
      const r = sb.cli([...args]);
      assert.equal(r.status, 125, r.stderr);
      assert.match(r.stderr.split('\n')[0], re);
    }
  });
});
