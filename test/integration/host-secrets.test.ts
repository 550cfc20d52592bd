// The built-in `host` image shows the host's /etc and /usr but not its secrets: from
// inside a container (run and exec), each masked path reads as nothing, while /etc/passwd
// and the ssh host keys' .pub stay readable. First on this host as it is (whatever
// secrets it has), then with a fake secret at every listed path: planted in a private
// mount namespace (an overlay over /etc and /usr, upper in a temp dir), so the
// machine's own /etc is never written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HOST_SECRETS, hostSecretPaths } from '../../src/engine/images/host-secrets.js';
import { sandbox, HUTCH, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

/** Prints `== PATH` then what the container reads there (a file's bytes, a directory's
 * entries; errors count as nothing). */
const READ_EACH = 'for p in "$@"; do printf "\\n== %s\\n" "$p"; if [ -d "$p" ]; then ls -A "$p"; else cat "$p"; fi 2>/dev/null; done';

function sections(out: string): Map<string, string> {
  const m = new Map<string, string>();
  let cur: string | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith('== ')) m.set((cur = line.slice(3)), '');
    else if (cur !== null) m.set(cur, m.get(cur)! + line + '\n');
  }
  return m;
}

function assertHidden(read: Map<string, string>, paths: string[]) {
  for (const p of paths) {
    assert.ok(read.has(p), `${p} was read`);
    assert.equal(read.get(p)!.trim(), '', `${p} is visible inside the container`);
  }
}

const EXPOSED = ['/usr', '/etc'];

test("host image: this host's secrets read as nothing from run and exec, /etc/passwd still reads", () => {
  const existing = hostSecretPaths('/', EXPOSED).filter((p) => fs.existsSync(p));
  assert.ok(existing.includes('/etc/shadow'), 'this host has /etc/shadow (else the test proves little)');
  const run = sb.cli(['run', '--rm', 'host', 'sh', '-c', READ_EACH, 'sh', ...existing, '/etc/passwd']);
  assert.equal(run.status, 0, run.stderr);
  const read = sections(run.stdout);
  assertHidden(read, existing);
  assert.match(read.get('/etc/passwd')!, /^root:/m);

  const id = sb.cli(['run', '-d', 'host', 'sleep', '60']).stdout.trim();
  try {
    const ex = sb.cli(['exec', id, 'sh', '-c', READ_EACH, 'sh', ...existing, '/etc/passwd']);
    assert.equal(ex.status, 0, ex.stderr);
    const read2 = sections(ex.stdout);
    assertHidden(read2, existing);
    assert.match(read2.get('/etc/passwd')!, /^root:/m);
    // Root in the container cannot lift a mask (no CAP_SYS_ADMIN).
    const um = sb.cli(['exec', id, 'sh', '-c', 'umount /etc/shadow 2>/dev/null; umount -l /etc/shadow 2>/dev/null; cat /etc/shadow']);
    assert.equal(um.stdout, '');
  } finally {
    sb.cli(['rm', '-f', id]);
  }
});

const unshare = ['/usr/bin/unshare', '/bin/unshare'].find((p) => fs.existsSync(p));

test('host image: a fake secret at every listed path, ssh keys and credentials of hutch itself are masked', { skip: !unshare && 'unshare (util-linux) not found' }, () => {
  const tmp = fs.mkdtempSync(path.join(sb.root, 'fake-host-'));
  try {
    const upper = { '/etc': path.join(tmp, 'etc'), '/usr': path.join(tmp, 'usr') };
    for (const d of Object.values(upper)) fs.mkdirSync(d);
    const plant = (p: string, text: string, dir = false) => {
      const top = p.startsWith('/etc/') ? '/etc' : '/usr';
      const at = path.join(upper[top], path.relative(top, p));
      fs.mkdirSync(dir ? at : path.dirname(at), { recursive: true });
      fs.writeFileSync(dir ? path.join(at, 'secret') : at, `${text}\n`);
    };
    const SECRET = 'hutch-fake-secret';
    for (const p of HOST_SECRETS) plant(p.replace(/\/$/, ''), SECRET, p.endsWith('/'));
    const keys = ['/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_rsa_key', '/etc/dropbear/dropbear_ecdsa_host_key', '/etc/ceph/ceph.client.admin.keyring'];
    for (const k of keys) plant(k, SECRET);
    const pubs = ['/etc/ssh/ssh_host_ed25519_key.pub', '/etc/ssh/ssh_host_rsa_key.pub'];
    for (const k of pubs) plant(k, 'hutch-fake-public');
    plant('/etc/crypttab', 'data UUID=0000 /etc/keys/data.key luks');
    plant('/etc/keys/data.key', SECRET);
    // hutch's own credentials, were they kept in an exposed directory.
    plant('/etc/hutch-test/auth.json', SECRET);

    const mounts = Object.entries(upper)
      .map(([dir, up], i) => `mkdir ${tmp}/work${i} && mount -t overlay overlay -o lowerdir=${dir},upperdir=${up},workdir=${tmp}/work${i} ${dir}`)
      .join(' && ');
    const masked = [...HOST_SECRETS.map((p) => p.replace(/\/$/, '')), ...keys, '/etc/keys/data.key', '/etc/hutch-test/auth.json'];
    const r = spawnSync(
      unshare!,
      ['-m', 'sh', '-c', `${mounts} && exec "$0" "$@"`, process.execPath, HUTCH, 'run', '--rm', 'host', 'sh', '-c', READ_EACH, 'sh', ...masked, ...pubs, '/etc/passwd'],
      { env: { ...sb.env, HUTCH_AUTH_FILE: '/etc/hutch-test/auth.json' }, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, new RegExp(SECRET));
    const read = sections(r.stdout);
    assertHidden(read, masked);
    for (const k of pubs) assert.equal(read.get(k)!.trim(), 'hutch-fake-public', `${k} stays visible`);
    assert.match(read.get('/etc/passwd')!, /^root:/m);
    // The planted files never reached the machine's /etc.
    assert.ok(!fs.existsSync('/etc/hutch-test') && !fs.existsSync('/etc/keys/data.key'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
