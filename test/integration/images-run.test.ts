// Layered images end to end, as root with real containers: an OCI archive made here is
// loaded, and containers run from it see the layers merged by overlayfs (whiteouts,
// opaque directories), write copy-on-write (invisible to each other and to the image),
// and get the image config (Env, Entrypoint, Cmd, WorkingDir, User).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { HUTCH, sandbox, type Sandbox } from './helpers.js';
import { buildImage, busyboxLayer, ociArchive, sha, type BuiltImage } from './images-fixtures.js';
import { dir, file, symlink, tar } from '../support/tar-writer.js';
import { hostPlatform } from '../../src/engine/images/oci/manifest.js';

let sb: Sandbox;
let img: BuiltImage;
let archive: string;

function ok(args: string[], input?: string) {
  const r = sb.cli(args, { input });
  assert.equal(r.status, 0, `hutch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Every file and link under dir, with its content (or target), for before/after comparisons. */
function treeDigest(root: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      const rel = path.relative(root, p);
      if (e.isDirectory()) {
        out.push(`d ${rel} ${st.mode}`);
        walk(p);
      } else if (e.isSymbolicLink()) out.push(`l ${rel} ${fs.readlinkSync(p)}`);
      else if (e.isFile()) out.push(`f ${rel} ${st.mode} ${sha(fs.readFileSync(p))}`);
      else out.push(`o ${rel} ${st.mode} ${st.rdev}`);
    }
  };
  walk(root);
  return sha(out.join('\n'));
}

before(async () => {
  sb = await sandbox();
  img = buildImage({
    name: 'docker.io/library/layered:1',
    layers: [
      busyboxLayer(),
      {
        tar: [
          file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\napp:x:1234:2345:app:/home/app:/bin/sh\n'),
          file('etc/group', 'root:x:0:\napp:x:2345:\nextra:x:3456:app\nother:x:4567:root\n'),
          dir('home/app', { uid: 1234, gid: 2345, mode: 0o750 }),
          dir('data'),
          file('data/a', 'a1\n'),
          file('data/b', 'b1\n'),
          dir('data/sub'),
          file('data/sub/c', 'c1\n'),
          dir('keep'),
          file('keep/x', 'x1\n'),
          dir('opq'),
          file('opq/old', 'old\n'),
          file('opq/lower', 'lower\n'),
          dir('usr/lib'),
          file('usr/lib/libx.so', 'libx\n'),
          symlink('lib', 'usr/lib'),
        ],
      },
      {
        gzip: true,
        tar: [
          file('data/.wh.a'),
          file('data/b', 'b2\n'),
          dir('opq'),
          file('opq/new', 'new\n'),
          file('opq/.wh..wh..opq'),
          file('usr/lib/liby.so', 'liby\n'),
        ],
      },
      { tar: [file('data/.wh.sub'), file('etc/greeting', 'hello from layer 3\n')] },
    ],
    config: {
      Env: ['FOO=from-image', 'PATH=/usr/local/bin:/bin'],
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['echo "$FOO"; pwd; id -u; id -g; id -G; echo "$HOME"'],
      WorkingDir: '/data',
      User: 'app',
      ExposedPorts: { '8080/tcp': {} },
      Labels: { 'org.example.kind': 'test' },
    },
  });
  archive = path.join(sb.root, 'layered.tar');
  fs.writeFileSync(archive, ociArchive([{ built: img, name: 'docker.io/library/layered:1' }]));
  assert.equal(ok(['load', '-i', archive]), 'Loaded image: layered:1\n');
});

after(async () => {
  await sb.cleanup();
});

test('images lists the loaded image in docker columns; image inspect shows its config and layers', () => {
  const out = ok(['images']);
  assert.match(out, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
  assert.match(out, new RegExp(`\\nlayered\\s+1\\s+${img.configDigest.slice(7, 19)}\\s+`));
  const [d] = JSON.parse(ok(['image', 'inspect', 'layered:1']));
  assert.equal(d.Id, img.configDigest);
  assert.deepEqual(d.RepoTags, ['layered:1']);
  assert.deepEqual(d.RootFS.Layers, img.diffIds);
  assert.deepEqual(d.Config.ExposedPorts, { '8080/tcp': {} });
  assert.deepEqual(d.Config.Labels, { 'org.example.kind': 'test' });
  assert.deepEqual(d.Config.Entrypoint, ['/bin/sh', '-c']);
  assert.equal(d.Config.User, 'app');
  assert.ok(d.Size > 1_000_000, `size ${d.Size}`);
  assert.equal(d.Manifest.Digest, img.manifestDigest);
});

test('whiteouts and opaque directories across layers are what the container sees', () => {
  const out = ok(['run', '--rm', '-u', '0', '--entrypoint', '/bin/sh', 'layered:1', '-c',
    'ls /data; cat /data/b; ls /opq; cat /keep/x; cat /etc/greeting; cat /lib/libx.so /lib/liby.so; test -e /data/a || echo no-a; test -e /data/sub || echo no-sub; ls -a /data | grep -c wh || true']);
  assert.equal(out, 'b\nb2\nnew\nx1\nhello from layer 3\nlibx\nliby\nno-a\nno-sub\n0\n');
});

test('the image config is honoured: Entrypoint + Cmd, Env, WorkingDir, User from /etc/passwd and /etc/group, HOME', () => {
  assert.equal(ok(['run', '--rm', 'layered:1']), 'from-image\n/data\n1234\n2345\n2345 3456\n/home/app\n');
  // A command replaces Cmd only; -e and -w win over the image; -u takes uid, uid:gid, name:group.
  assert.equal(ok(['run', '--rm', '-e', 'FOO=mine', '-w', '/opq', 'layered:1', 'echo $FOO $PWD; env | grep ^PATH=']), 'mine /opq\nPATH=/usr/local/bin:/bin\n');
  assert.equal(ok(['run', '--rm', '-u', '0', 'layered:1', 'id -u; id -g']), '0\n0\n');
  assert.equal(ok(['run', '--rm', '-u', '4000:4001', 'layered:1', 'id -u; id -g; echo $HOME']), '4000\n4001\n/\n');
  assert.equal(ok(['run', '--rm', '-u', 'app:extra', 'layered:1', 'id -u; id -g']), '1234\n3456\n');
  assert.equal(ok(['run', '--rm', '-u', '1234', 'layered:1', 'id -g']), '2345\n');
  // A working directory the image lacks is made (docker's behaviour), parents keeping their owner and mode.
  assert.equal(ok(['run', '--rm', '-u', '0', '-w', '/home/app/new/deeper', 'layered:1', 'pwd; stat -c "%u %g %a" /home/app /home/app/new']), '/home/app/new/deeper\n1234 2345 750\n0 0 755\n');
  // --entrypoint replaces the Entrypoint and drops the image's Cmd.
  assert.equal(ok(['run', '--rm', '--entrypoint', '/bin/echo', 'layered:1', 'just', 'echo']), 'just echo\n');
  assert.equal(ok(['run', '--rm', '--entrypoint', '/bin/pwd', 'layered:1']), '/data\n');
  const r = sb.cli(['run', '--rm', '-u', 'nosuchuser', 'layered:1', 'true']);
  assert.equal(r.status, 125);
  assert.equal(r.stderr, 'hutch: unable to find user nosuchuser: no matching entries in passwd file\n');
  assert.deepEqual(ok(['ps', '-aq']), '');
});

test('copy-on-write: two containers of one image share its layers; writes stay in each container', async () => {
  const snapshots = path.join(sb.root, 'images', 'snapshots');
  const before = treeDigest(snapshots);
  const a = ok(['run', '-d', '-u', '0', 'layered:1', 'echo mine-a > /data/b; rm /keep/x; echo new > /new-a; sleep 30']).trim();
  const b = ok(['run', '-d', '-u', '0', 'layered:1', 'sleep 30']).trim();
  try {
    // Both containers' overlays have the same snapshot directories below them.
    const links = (id: string) => fs.readdirSync(path.join(sb.root, 'containers', id, 'layers')).sort().map((n) => fs.readlinkSync(path.join(sb.root, 'containers', id, 'layers', n)));
    assert.equal(links(a).length, 4);
    assert.deepEqual(links(a), links(b));
    for (const l of links(a)) assert.ok(l.startsWith(snapshots + '/'), l);
    let seen = '';
    for (let i = 0; i < 50 && !seen.includes('new'); i++) {
      seen = sb.cli(['exec', a, 'cat', '/new-a']).stdout;
      if (!seen) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(ok(['exec', a, 'cat', '/data/b']), 'mine-a\n');
    assert.equal(ok(['exec', b, 'sh', '-c', 'cat /data/b; cat /keep/x; test -e /new-a || echo no-new']), 'b2\nx1\nno-new\n');
    // A fresh container sees the image as it was; the layer directories are untouched.
    assert.equal(ok(['run', '--rm', '-u', '0', 'layered:1', 'cat /data/b /keep/x']), 'b2\nx1\n');
    assert.equal(treeDigest(snapshots), before);
    // The write went to the container's own upper directory.
    assert.equal(fs.readFileSync(path.join(sb.root, 'containers', a, 'upper', 'data', 'b'), 'utf8'), 'mine-a\n');
  } finally {
    sb.cli(['rm', '-f', a, b]);
  }
});

test('an image symlink cannot make hutch read a host file as /etc/passwd', () => {
  const bait = path.join(sb.root, 'bait-passwd');
  fs.writeFileSync(bait, 'evil:x:4242:4242::/:/bin/sh\n');
  const evil = buildImage({ layers: [busyboxLayer(), { tar: [symlink('etc/passwd', bait), symlink('etc/group', '../../../../../../../..' + bait)] }] });
  const f = path.join(sb.root, 'evil.tar');
  fs.writeFileSync(f, ociArchive([{ built: evil, name: 'docker.io/library/evil:latest' }]));
  ok(['load', '-i', f]);
  const r = sb.cli(['run', '--rm', '-u', 'evil', 'evil', 'id']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /unable to find user evil/);
  ok(['rmi', 'evil']);
});

test('an image whose /etc/passwd is a FIFO and /etc/group a device: read as absent, nothing blocks', () => {
  const odd = buildImage({
    layers: [busyboxLayer(), { tar: [{ name: 'etc/passwd', type: 'fifo', mode: 0o644 }, { name: 'etc/group', type: 'char', devMajor: 1, devMinor: 3, mode: 0o666 }] }],
  });
  const f = path.join(sb.root, 'odd.tar');
  fs.writeFileSync(f, ociArchive([{ built: odd, name: 'docker.io/library/odd:1' }]));
  ok(['load', '-i', f]);
  // (Nothing in the container reads /etc/passwd: there, opening the FIFO would wait.)
  assert.equal(ok(['run', '--rm', 'odd:1', 'grep', '-m1', '^Uid:', '/proc/self/status']), 'Uid:\t0\t0\t0\t0\n');
  assert.equal(ok(['run', '--rm', '-u', '7:8', 'odd:1', 'grep', '-m1', '^Uid:', '/proc/self/status']), 'Uid:\t7\t7\t7\t7\n');
  const r = sb.cli(['run', '--rm', '-u', 'app', 'odd:1', 'true'], { timeout: 20_000 });
  assert.equal(r.status, 125, r.stderr);
  assert.equal(r.stderr, 'hutch: unable to find user app: no matching entries in passwd file\n');
  ok(['rmi', 'odd:1']);
});

test('an image of 60 layers runs: the overlay option stays short (layers linked from the bundle)', () => {
  const layers = [busyboxLayer(), ...Array.from({ length: 59 }, (_, i) => ({ tar: [dir('many'), file(`many/f${i}`, `${i}\n`)] }))];
  const many = buildImage({ layers });
  const f = path.join(sb.root, 'many.tar');
  fs.writeFileSync(f, ociArchive([{ built: many, name: 'docker.io/library/many:latest' }]));
  ok(['load', '-i', f]);
  const id = ok(['create', 'many', 'sh', '-c', 'ls /many | wc -l; cat /many/f0 /many/f58']).trim();
  const config = JSON.parse(fs.readFileSync(path.join(sb.root, 'containers', id, 'config.json'), 'utf8'));
  const opt: string = config.annotations['run.hutch.overlay'];
  assert.ok(opt.startsWith('lowerdir=layers/0:layers/1:'), opt);
  assert.ok(opt.length < 4096);
  ok(['start', id]);
  assert.equal(ok(['wait', id]), '0\n');
  assert.equal(ok(['logs', id]), '59\n0\n58\n');
  ok(['rm', id]);
  ok(['rmi', 'many']);
});

test('tag and rmi: untag one name, refuse an image a container uses, -f forces, gc and prune remove what nothing uses', () => {
  ok(['tag', 'layered:1', 'localhost:5000/other/name:v2']);
  assert.match(ok(['images']), /localhost:5000\/other\/name\s+v2\s+/);
  assert.equal(ok(['rmi', 'localhost:5000/other/name:v2']), 'Untagged: localhost:5000/other/name:v2\n');
  const id = ok(['create', 'layered:1']).trim();
  const r = sb.cli(['rmi', 'layered:1']);
  assert.equal(r.status, 125);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^hutch: conflict: unable to remove repository reference "layered:1" \\(must force\\) - container ${id.slice(0, 12)} is using its referenced image ${img.configDigest.slice(7, 19)}\n$`));
  // Forced: the name and the image go, the container's layers stay until it is removed.
  assert.equal(ok(['rmi', '-f', 'layered:1']), `Untagged: layered:1\nDeleted: ${img.configDigest}\n`);
  assert.doesNotMatch(ok(['images']), /layered/);
  const snaps = () => fs.readdirSync(path.join(sb.root, 'images', 'snapshots')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  assert.ok(snaps().length >= 4);
  ok(['gc']);
  assert.ok(snaps().length >= 4, 'gc keeps the snapshots a container uses');
  ok(['start', id]);
  ok(['wait', id]);
  assert.match(ok(['logs', id]), /^from-image\n\/data\n1234\n/);
  ok(['rm', id]);
  const removed = ok(['gc']);
  assert.match(removed, /unreferenced snapshot/);
  assert.deepEqual(snaps(), []);
  // Loaded again, then left untagged by a new image under the same name: prune removes it.
  ok(['load', '-i', archive]);
  const other = buildImage({ layers: [busyboxLayer(), { tar: [file('v2', 'v2\n')] }] });
  const f = path.join(sb.root, 'v2.tar');
  fs.writeFileSync(f, ociArchive([{ built: other, name: 'docker.io/library/layered:1' }]));
  ok(['load', '-i', f]);
  assert.match(ok(['images']), /<none>\s+<none>\s+/);
  const pr = ok(['image', 'prune', '-f']);
  assert.match(pr, new RegExp(`^Deleted Images:\ndeleted: ${img.configDigest}\n\nTotal reclaimed space: \\S+B\n$`));
  assert.doesNotMatch(ok(['images']), /<none>/);
  assert.equal(ok(['run', '--rm', 'layered:1', 'cat', '/v2']), 'v2\n');
  ok(['rmi', 'layered:1']);
  ok(['load', '-i', archive]);
});

test('save then load gives the same image (names, layers, config)', () => {
  const out = path.join(sb.root, 'saved.tar');
  ok(['save', '-o', out, 'layered:1']);
  ok(['rmi', 'layered:1']);
  assert.equal(ok(['load', '-i', out]), 'Loaded image: layered:1\n');
  const [d] = JSON.parse(ok(['image', 'inspect', 'layered:1']));
  assert.equal(d.Id, img.configDigest);
  assert.equal(d.Manifest.Digest, img.manifestDigest);
  // Through stdout and stdin too, gzip'd on the way.
  const saved = spawnSync(process.execPath, [HUTCH, 'save', 'layered:1'], { env: sb.env, maxBuffer: 1 << 28 });
  assert.equal(saved.status, 0, String(saved.stderr));
  assert.ok(saved.stdout.equals(fs.readFileSync(out)), 'the same images give the same archive');
  ok(['rmi', 'layered:1']);
  const loaded = spawnSync(process.execPath, [HUTCH, 'load'], { env: sb.env, input: gzipSync(saved.stdout), encoding: 'utf8' });
  assert.equal(loaded.status, 0, loaded.stderr);
  assert.equal(loaded.stdout, 'Loaded image: layered:1\n');
});

test("a multi-platform index loads the host's platform; docker 25+ archives name images by containerd's annotation or manifest.json", () => {
  const mine = buildImage({ layers: [busyboxLayer(), { tar: [file('which', 'host platform\n')] }] });
  const otherArch = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('not stored'), size: 10, platform: { os: 'linux', architecture: 'mips64le' } };
  const plat = hostPlatform();
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [otherArch, { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: mine.manifestDigest, size: mine.manifest.length, platform: plat }],
    }),
  );
  const blobs = [...mine.blobs, [sha(index), index] as const];
  const archive = (top: object, extra: Array<{ name: string; data: string }> = []) =>
    tar([
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [top] }) },
      ...extra,
      ...blobs.map(([d, b]) => ({ name: `blobs/sha256/${d.slice(7)}`, data: b })),
    ]);
  const f = path.join(sb.root, 'multi.tar');
  fs.writeFileSync(f, archive({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(index), size: index.length, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1', 'org.opencontainers.image.ref.name': '1' } }));
  assert.equal(ok(['load', '-i', f]), 'Loaded image: multi:1\n');
  assert.equal(ok(['run', '--rm', 'multi:1', 'cat', '/which']), 'host platform\n');
  const [d] = JSON.parse(ok(['image', 'inspect', 'multi:1']));
  assert.equal(d.Manifest.Digest, mine.manifestDigest);
  // Only a tag in the index entry: docker's manifest.json gives the name.
  fs.writeFileSync(
    f,
    archive({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: mine.manifestDigest, size: mine.manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v9' } }, [
      { name: 'manifest.json', data: JSON.stringify([{ Config: `blobs/sha256/${mine.configDigest.slice(7)}`, RepoTags: ['named:v9'], Layers: [] }]) },
    ]),
  );
  assert.equal(ok(['load', '-i', f]), 'Loaded image: named:v9\n');
  ok(['rmi', 'multi:1', 'named:v9']);
});
