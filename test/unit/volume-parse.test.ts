// The mount flags' grammar (docker's), the engine's checks of a mount set, and the
// config.json entries they become.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag, parseVolumesFrom } from '../../src/engine/volumes/parse.js';
import { validateMounts } from '../../src/engine/volumes/validate.js';
import { ociMounts } from '../../src/engine/volumes/oci.js';
import type { MountPoint } from '../../src/engine/volumes/attach.js';
import { buildConfig } from '../../src/engine/spec/build.js';
import { InvalidArgument } from '../../src/engine/errors.js';

test('-v: bind, named, anonymous, with docker\'s options', () => {
  assert.deepEqual(parseVolumeFlag('/srv/www:/usr/share/www:ro'), { type: 'bind', source: '/srv/www', target: '/usr/share/www', mode: 'ro', readOnly: true, createSource: true });
  assert.deepEqual(parseVolumeFlag('/a:/b:rshared,z'), { type: 'bind', source: '/a', target: '/b', mode: 'rshared,z', propagation: 'rshared', createSource: true });
  assert.deepEqual(parseVolumeFlag('data:/var/lib/db'), { type: 'volume', source: 'data', target: '/var/lib/db' });
  assert.deepEqual(parseVolumeFlag('data:/db:nocopy,Z,rw'), { type: 'volume', source: 'data', target: '/db', mode: 'nocopy,Z,rw', noCopy: true });
  assert.deepEqual(parseVolumeFlag('/cache'), { type: 'volume', target: '/cache' });
  // A source without a leading / is a volume name (docker): the name rule judges it later.
  assert.deepEqual(parseVolumeFlag('rel/x:/x'), { type: 'volume', source: 'rel/x', target: '/x' });
});

test('-v: bad specifications are one line each, in docker\'s words', () => {
  const cases: [string, string][] = [
    ['/x:relative', "invalid volume specification: '/x:relative': invalid mount path: 'relative' mount path must be absolute"],
    ['/a:/b:bogus', 'invalid mode: bogus'],
    ['/a:/b:ro,rw', 'invalid mode: ro,rw'],
    ['/a:/b:c:d', "invalid volume specification: '/a:/b:c:d'"],
    [':/x', "invalid volume specification: ':/x'"],
    ['/foo:rw', "invalid volume specification: '/foo:rw'"],
    ['/a:/b:nocopy', `invalid volume specification: '/a:/b:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified`],
    ['v1:/b:rshared', `invalid volume specification: 'v1:/b:rshared': invalid mount config for type "volume": field BindOptions must not be specified`],
    ['/a:/', "invalid volume specification: '/a:/': invalid specification: destination can't be '/'"],
  ];
  for (const [flag, message] of cases) assert.throws(() => parseVolumeFlag(flag), (e: unknown) => e instanceof InvalidArgument && e.message === message, flag);
});

test('--mount: keys, aliases and booleans; unknown keys and types refused', () => {
  assert.deepEqual(parseMountFlag('type=bind,src=/a,dst=/b,readonly,bind-propagation=rslave'), { type: 'bind', source: '/a', target: '/b', readOnly: true, propagation: 'rslave' });
  assert.deepEqual(parseMountFlag('type=volume,source=v1,target=/d,volume-nocopy,volume-subpath=sub/dir,ro=false'), { type: 'volume', source: 'v1', target: '/d', noCopy: true, subpath: 'sub/dir' });
  assert.deepEqual(parseMountFlag('type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770'), { type: 'tmpfs', target: '/t', tmpfsSize: 64 * 1024 * 1024, tmpfsMode: 0o1770 });
  assert.deepEqual(parseMountFlag('dst=/v'), { type: 'volume', target: '/v' }, 'type defaults to volume');
  const cases: [string, string][] = [
    ['type=bind,src=/a,dst=/b,foo=bar', `invalid argument "type=bind,src=/a,dst=/b,foo=bar" for "--mount" flag: unexpected key 'foo' in 'foo=bar'`],
    ['type=bind,src=/a,dst=/b,bogus', `invalid argument "type=bind,src=/a,dst=/b,bogus" for "--mount" flag: invalid field 'bogus' must be a key=value pair`],
    ['type=nfs,dst=/b', 'invalid mount config for type "nfs": mount type unknown'],
    ['type=bind,src=/a', 'invalid argument "type=bind,src=/a" for "--mount" flag: target is required'],
    ['type=bind,src=/a,dst=/b,ro=maybe', 'invalid argument "type=bind,src=/a,dst=/b,ro=maybe" for "--mount" flag: invalid value for ro: maybe'],
    ['type=bind,src=/a,dst=/b,tmpfs-size=1m', `invalid argument "type=bind,src=/a,dst=/b,tmpfs-size=1m" for "--mount" flag: cannot mix 'tmpfs-*' options with mount type 'bind'`],
    ['type=tmpfs,dst=/b,tmpfs-mode=999', 'invalid argument "type=tmpfs,dst=/b,tmpfs-mode=999" for "--mount" flag: invalid value for tmpfs-mode: 999'],
  ];
  for (const [flag, message] of cases) assert.throws(() => parseMountFlag(flag), (e: unknown) => e instanceof InvalidArgument && e.message === message, flag);
});

test('--tmpfs and --volumes-from', () => {
  assert.deepEqual(parseTmpfsFlag('/run'), { type: 'tmpfs', target: '/run' });
  assert.deepEqual(parseTmpfsFlag('/run:rw,exec,size=1m,mode=700,uid=5'), { type: 'tmpfs', target: '/run', tmpfsSize: 1024 * 1024, tmpfsMode: 0o700, tmpfsFlags: ['exec', 'uid=5'] });
  assert.throws(() => parseTmpfsFlag('/run:bogus'), /^InvalidArgument: invalid tmpfs option "bogus" in "\/run:bogus"$/);
  assert.deepEqual(parseVolumesFrom('box'), { container: 'box', mode: '' });
  assert.deepEqual(parseVolumesFrom('box:ro'), { container: 'box', mode: 'ro' });
  assert.throws(() => parseVolumesFrom('box:rshared'), /invalid mode: rshared/);
  assert.throws(() => parseVolumesFrom(''), /volumes-from specification cannot be an empty string/);
});

test('validateMounts: each request and the set (duplicates after normalising)', () => {
  assert.throws(() => validateMounts({ mounts: [parseVolumeFlag('/a:/x'), parseMountFlag('type=tmpfs,dst=/x/')] }), /^InvalidArgument: Duplicate mount point: \/x$/);
  assert.throws(() => validateMounts({ mounts: [{ type: 'bind', source: '/a', target: '/x', propagation: 'weird' as never }] }), /invalid propagation mode: weird/);
  assert.throws(() => validateMounts({ mounts: [{ type: 'volume', target: '/x', subpath: 'a' }] }), /must not set Subpath when using anonymous volumes/);
  assert.throws(() => validateMounts({ mounts: [{ type: 'volume', source: 'v1', target: '/x', subpath: '/abs' }] }), /subpath must be a relative path within the volume/);
  assert.throws(() => validateMounts({ mounts: [{ type: 'tmpfs', source: 'x', target: '/x' }] }), /field Source must not be specified/);
  validateMounts({ mounts: [parseVolumeFlag('/a:/x'), parseVolumeFlag('/b:/x/y'), parseTmpfsFlag('/t')], volumesFrom: ['c:rw'] });
});

const mp = (m: Partial<MountPoint> & Pick<MountPoint, 'type' | 'destination'>): MountPoint => ({ source: '', rw: true, propagation: '', mode: '', ...m });

test('config.json: parents first (stable), rbind + propagation, ro as ro + rro, copyup unless nocopy, tmpfs defaults merged', () => {
  const mounts = ociMounts([
    mp({ type: 'bind', source: '/h/ab', destination: '/a/b', rw: false, propagation: 'rprivate' }),
    mp({ type: 'volume', name: 'v', source: '/r/volumes/v/_data', destination: '/a', copyUp: true }),
    mp({ type: 'bind', source: '/h/c', destination: '/c', propagation: 'rslave' }),
    mp({ type: 'volume', name: 'w', source: '/r/volumes/w/_data', destination: '/w', rw: false }),
    mp({ type: 'tmpfs', destination: '/t', tmpfsOptions: ['exec', 'size=1024', 'mode=1777'] }),
    mp({ type: 'tmpfs', destination: '/u', rw: false }),
  ]);
  assert.deepEqual(mounts, [
    { destination: '/a', type: 'bind', source: '/r/volumes/v/_data', options: ['rbind', 'rprivate', 'copyup'] },
    { destination: '/c', type: 'bind', source: '/h/c', options: ['rbind', 'rslave'] },
    { destination: '/w', type: 'bind', source: '/r/volumes/w/_data', options: ['rbind', 'rprivate', 'ro', 'rro'] },
    { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'exec', 'size=1024', 'mode=1777'] },
    { destination: '/u', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'ro'] },
    { destination: '/a/b', type: 'bind', source: '/h/ab', options: ['rbind', 'rprivate', 'ro', 'rro'] },
  ]);
});

test('buildConfig: user mounts after hutch\'s /etc files; --read-only makes root.readonly', () => {
  const base = {
    id: 'a'.repeat(64),
    args: ['sh'],
    image: { lowerdirs: ['/l'], mounts: [], env: [], workdir: '/', maskedPaths: [] },
    rootfs: '/b/rootfs',
    upperdir: '/b/upper',
    workdir: '/b/work',
    hostnameFile: '/b/hostname',
    hostsFile: '/b/hosts',
    resolvFile: '/b/resolv.conf',
    cgroupsPath: 'hutch/x',
  };
  const plain = buildConfig({ ...base, spec: { image: 'host' } });
  assert.equal(plain.root.readonly, false);
  const cfg = buildConfig({ ...base, spec: { image: 'host', readOnly: true }, mounts: [mp({ type: 'bind', source: '/h', destination: '/etc/hosts', propagation: 'rprivate' })] });
  assert.equal(cfg.root.readonly, true);
  const dests = cfg.mounts.map((m) => m.destination);
  assert.deepEqual(dests.slice(-4), ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/hosts']);
  assert.deepEqual(cfg.mounts.at(-1), { destination: '/etc/hosts', type: 'bind', source: '/h', options: ['rbind', 'rprivate'] });
});
