// Pure parts of the image store: references, manifests and indexes, platform choice,
// chain ids, user resolution, docker's entrypoint/cmd rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReference, familiarName, formatReference, defaultRegistry } from '../../src/engine/images/oci/reference.js';
import { parseIndex, parseManifest, parseConfig, selectPlatform, hostPlatform, type ImageIndex } from '../../src/engine/images/oci/manifest.js';
import { chainIds, sha256 } from '../../src/engine/images/oci/hash.js';
import { resolveUser } from '../../src/engine/images/user.js';
import { commandFor } from '../../src/engine/spec/build.js';
import { InvalidArgument } from '../../src/engine/errors.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;

test('references normalise as docker does; the short-name registry is configurable', () => {
  assert.deepEqual(parseReference('alpine'), { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' });
  assert.deepEqual(parseReference('user/app:1.2'), { registry: 'docker.io', repository: 'user/app', tag: '1.2' });
  assert.deepEqual(parseReference('localhost:5000/a/b'), { registry: 'localhost:5000', repository: 'a/b', tag: 'latest' });
  assert.deepEqual(parseReference('localhost/x:y'), { registry: 'localhost', repository: 'x', tag: 'y' });
  assert.deepEqual(parseReference('index.docker.io/library/busybox:1'), { registry: 'docker.io', repository: 'library/busybox', tag: '1' });
  assert.deepEqual(parseReference(`alpine@${D('a')}`), { registry: 'docker.io', repository: 'library/alpine', digest: D('a') });
  assert.deepEqual(parseReference(`ghcr.io/o/r:t@${D('b')}`), { registry: 'ghcr.io', repository: 'o/r', tag: 't', digest: D('b') });
  assert.deepEqual(parseReference('alpine', { defaultRegistry: '127.0.0.1:5000' }), { registry: '127.0.0.1:5000', repository: 'alpine', tag: 'latest' });
  assert.equal(defaultRegistry({ HUTCH_REGISTRY: 'http://127.0.0.1:5000/' }), '127.0.0.1:5000');
  assert.equal(defaultRegistry({}), 'docker.io');
  assert.throws(() => defaultRegistry({ HUTCH_REGISTRY: 'not a host' }), InvalidArgument);
  for (const bad of ['', 'UPPER', 'a//b', 'a:', ':t', 'a@sha256:12', 'a/-b', 'x:' + 't'.repeat(200), 'a b'])
    assert.throws(() => parseReference(bad), /invalid reference format/, bad);
  assert.equal(formatReference(parseReference('alpine')), 'docker.io/library/alpine:latest');
  assert.equal(familiarName('docker.io/library/alpine:latest', 'docker.io'), 'alpine:latest');
  assert.equal(familiarName('docker.io/user/app:1', 'docker.io'), 'user/app:1');
  assert.equal(familiarName('localhost:5000/library/x:1', 'docker.io'), 'localhost:5000/library/x:1');
  assert.equal(familiarName('localhost:5000/x:1', 'localhost:5000'), 'x:1');
});

const manifest = {
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D('c'), size: 10 },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: D('1'), size: 5 }],
};

test('manifests: OCI and docker schema 2 accepted; schema 1, bad digests, unknown layer types refused', () => {
  const m = parseManifest(JSON.stringify(manifest));
  assert.equal(m.layers.length, 1);
  assert.equal(m.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  const oci = parseManifest(JSON.stringify({ ...manifest, mediaType: undefined, config: { ...manifest.config, mediaType: 'application/vnd.oci.image.config.v1+json' } }));
  assert.equal(oci.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.throws(() => parseManifest(JSON.stringify({ ...manifest, schemaVersion: 1 })), /schema 1/);
  assert.throws(() => parseManifest(JSON.stringify({ ...manifest, layers: [{ ...manifest.layers[0], digest: 'md5:abc' }] })), /digest/);
  assert.throws(() => parseManifest(JSON.stringify({ ...manifest, layers: [{ ...manifest.layers[0], mediaType: 'text/plain' }] })), /layer media type/);
  assert.throws(() => parseManifest('not json'), /not JSON/);
  assert.throws(() => parseManifest(JSON.stringify({ ...manifest, layers: [{ ...manifest.layers[0], size: -1 }] })), /bad size/);
});

test('configs: diff ids and field types are checked', () => {
  const ok = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [D('1')] }, config: { Env: ['A=b'], Cmd: ['sh'], Entrypoint: null } };
  assert.deepEqual(parseConfig(JSON.stringify(ok)).rootfs.diff_ids, [D('1')]);
  assert.throws(() => parseConfig(JSON.stringify({ ...ok, rootfs: { type: 'layers', diff_ids: ['x'] } })), /diff id/);
  assert.throws(() => parseConfig(JSON.stringify({ ...ok, config: { Cmd: 'sh' } })), /Cmd/);
  assert.throws(() => parseConfig(JSON.stringify({ ...ok, config: { User: 5 } })), /User/);
});

test('manifest lists pick the host platform: exact variant first, attestations never', () => {
  const entry = (arch: string, variant?: string, os = 'linux', digest = D(arch === 'amd64' ? 'a' : arch === 'arm64' ? (variant ? 'b' : 'e') : 'd')) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest,
    size: 1,
    platform: { os, architecture: arch, ...(variant ? { variant } : {}) },
  });
  const index: ImageIndex = parseIndex(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [entry('unknown', undefined, 'unknown', D('f')), entry('arm', 'v7'), entry('arm64', 'v8'), entry('amd64'), entry('s390x')],
    }),
  );
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' }).digest, D('a'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest, D('b'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm64' }).digest, D('b'));
  assert.throws(() => selectPlatform(index, { os: 'linux', architecture: 'riscv64' }), /no image found in manifest list for architecture riscv64/);
  assert.throws(() => selectPlatform(index, { os: 'windows', architecture: 'amd64' }), /OS windows/);
  const host = hostPlatform();
  assert.equal(host.os, 'linux');
  assert.ok(host.architecture.length > 0);
});

test('chain ids follow the image spec', () => {
  const a = D('1');
  const b = D('2');
  const c = D('3');
  const ids = chainIds([a, b, c]);
  assert.equal(ids[0], a);
  assert.equal(ids[1], sha256(`${a} ${b}`));
  assert.equal(ids[2], sha256(`${ids[1]} ${c}`));
  assert.deepEqual(chainIds([]), []);
});

test('users resolve as docker does from passwd and group text', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1000:App:/home/app:/bin/sh\nbroken line\nsvc:x:999:998::/srv:/bin/false\n';
  const group = 'root:x:0:\napp:x:1000:\nwheel:x:10:app,other\naudio:x:29:app\nsvcg:x:998:\nweird:x:notanumber:app\n';
  assert.deepEqual(resolveUser('', passwd, group), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  assert.deepEqual(resolveUser('app', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' });
  assert.deepEqual(resolveUser('1000', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' });
  assert.deepEqual(resolveUser('app:audio', passwd, group), { uid: 1000, gid: 29, additionalGids: [], home: '/home/app' });
  assert.deepEqual(resolveUser('svc:5', passwd, group), { uid: 999, gid: 5, additionalGids: [], home: '/srv' });
  assert.deepEqual(resolveUser('4242', passwd, group), { uid: 4242, gid: 0, additionalGids: [] });
  assert.deepEqual(resolveUser('4242:4243', null, null), { uid: 4242, gid: 4243, additionalGids: [] });
  assert.throws(() => resolveUser('nobody', passwd, group), /unable to find user nobody: no matching entries in passwd file/);
  assert.throws(() => resolveUser('app:nogroup', passwd, group), /unable to find group nogroup: no matching entries in group file/);
  assert.throws(() => resolveUser('99999999999', passwd, group), /out of range/);
  assert.throws(() => resolveUser('app', null, null), /unable to find user app/);
});

test("command: docker's Entrypoint/Cmd rules", () => {
  const image = { entrypoint: ['/ep', '-x'], cmd: ['default'] };
  assert.deepEqual(commandFor({}, image), ['/ep', '-x', 'default']);
  assert.deepEqual(commandFor({ cmd: ['mine', 'arg'] }, image), ['/ep', '-x', 'mine', 'arg']);
  assert.deepEqual(commandFor({ entrypoint: ['/other'] }, image), ['/other']);
  assert.deepEqual(commandFor({ entrypoint: ['/other'], cmd: ['a'] }, image), ['/other', 'a']);
  assert.deepEqual(commandFor({ entrypoint: [], cmd: ['sh'] }, image), ['sh']);
  assert.deepEqual(commandFor({}, { entrypoint: null, cmd: null }), []);
  assert.deepEqual(commandFor({ cmd: [] }, { entrypoint: null, cmd: ['sh'] }), ['sh']);
});
