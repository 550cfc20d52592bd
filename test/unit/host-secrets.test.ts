// The host image's masked paths, computed from a fixture host tree: the fixed list,
// the private keys found when the config is written (never their .pub), crypttab key
// files and hutch's own files when they lie in an exposed directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOST_SECRETS, hostSecretPaths } from '../../src/engine/images/host-secrets.js';
import { hostRootfs } from '../../src/engine/images/host.js';
import { buildConfig } from '../../src/engine/spec/build.js';
import { MASKED_PATHS } from '../../src/engine/spec/defaults.js';

function fixture(files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-secrets-'));
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), text);
  }
  for (const [p, target] of Object.entries(links)) fs.symlinkSync(target, path.join(root, p));
  return root;
}

const EXPOSED = ['/usr', '/etc'];

test('host secrets: the fixed list is always there, without its directory marks', () => {
  const root = fixture({ 'etc/passwd': 'root:x:0:0::/root:/bin/sh\n' });
  try {
    const got = hostSecretPaths(root, EXPOSED);
    for (const p of ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers', '/etc/sudoers.d', '/etc/ssl/private', '/etc/security/opasswd'])
      assert.ok(got.includes(p), p);
    assert.equal(got.length, HOST_SECRETS.length, 'nothing found beyond the fixed list');
    assert.ok(got.every((p) => p.startsWith('/') && !p.endsWith('/')));
    assert.ok(!got.includes('/etc/passwd'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('host secrets: ssh, dropbear and ceph private keys found on the host, .pub and configs left visible', () => {
  const root = fixture({
    'etc/ssh/ssh_host_ed25519_key': 'k',
    'etc/ssh/ssh_host_ed25519_key.pub': 'p',
    'etc/ssh/ssh_host_rsa_key': 'k',
    'etc/ssh/ssh_host_rsa_key.pub': 'p',
    'etc/ssh/ssh_host_ecdsa_key': 'k',
    'etc/ssh/ssh_host_ecdsa_key-cert.pub': 'p',
    'etc/ssh/sshd_config': 'c',
    'etc/ssh/moduli': 'm',
    'etc/dropbear/dropbear_ed25519_host_key': 'k',
    'etc/ceph/ceph.client.admin.keyring': 'k',
    'etc/ceph/ceph.conf': 'c',
  });
  try {
    const got = hostSecretPaths(root, EXPOSED);
    const found = got.slice(HOST_SECRETS.length);
    assert.deepEqual(found, [
      '/etc/ssh/ssh_host_ecdsa_key',
      '/etc/ssh/ssh_host_ed25519_key',
      '/etc/ssh/ssh_host_rsa_key',
      '/etc/dropbear/dropbear_ed25519_host_key',
      '/etc/ceph/ceph.client.admin.keyring',
    ]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("host secrets: crypttab key files and hutch's own files, only where the container would see them", () => {
  const root = fixture(
    {
      'etc/crypttab': [
        '# <name> <device> <key> <options>',
        'data UUID=1234 /etc/keys/data.key luks',
        'swap /dev/sdb2 /dev/urandom swap',
        'home UUID=5678 none luks',
        'usb UUID=9abc /keys/usb.key:/dev/disk/by-label/KEY luks',
        'root UUID=def0 /root/root.key luks',
        '',
      ].join('\n'),
      'etc/keys/data.key': 'k',
      'usr/lib/hutch/auth.json': '{}',
    },
    { lib: 'usr/lib' },
  );
  try {
    const own = ['/etc/hutch-state', '/var/lib/hutch', '/lib/hutch/auth.json', '/etc', '/usr/../etc/hutch-run'];
    const found = hostSecretPaths(root, EXPOSED, own).slice(HOST_SECRETS.length);
    // /var and /root are not exposed; /etc itself is not masked (only what is inside);
    // /lib is a link to usr/lib, so the credentials are seen as /usr/lib/hutch/auth.json.
    assert.deepEqual(found, ['/etc/hutch-state', '/usr/lib/hutch/auth.json', '/etc/hutch-run', '/etc/keys/data.key']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('host image: the rootfs carries the masks and config.json adds them to the default masked paths', () => {
  const host = fixture({ 'etc/ssh/ssh_host_ed25519_key': 'k', 'etc/ssh/ssh_host_ed25519_key.pub': 'p', 'usr/bin/sh': '' });
  const images = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-images-'));
  try {
    const image = hostRootfs(images, host, ['/etc/hutch/auth.json']);
    assert.ok(image.maskedPaths?.includes('/etc/ssh/ssh_host_ed25519_key'));
    assert.ok(image.maskedPaths?.includes('/etc/hutch/auth.json'));
    assert.ok(!image.maskedPaths?.includes('/etc/ssh/ssh_host_ed25519_key.pub'));
    const input = {
      id: 'a'.repeat(64),
      spec: { image: 'host' },
      args: ['true'],
      image,
      rootfs: '/b/rootfs',
      upperdir: '/b/upper',
      workdir: '/b/work',
      hostnameFile: '/b/hostname',
      hostsFile: '/b/hosts',
      cgroupsPath: 'hutch/x',
    };
    const config = buildConfig(input);
    assert.deepEqual(config.linux.maskedPaths, [...MASKED_PATHS, ...image.maskedPaths!]);
    const layered = buildConfig({ ...input, image: { lowerdirs: ['/l'], mounts: [], env: [], workdir: '/' } });
    assert.deepEqual(layered.linux.maskedPaths, MASKED_PATHS);
  } finally {
    fs.rmSync(host, { recursive: true, force: true });
    fs.rmSync(images, { recursive: true, force: true });
  }
});
