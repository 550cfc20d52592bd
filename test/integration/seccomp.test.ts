// Issue 14, seccomp: every container runs under docker's default profile unless it asks
// otherwise. A static probe built from native/probe/syscall-probe.c prints the errno of
// each syscall (0: it worked); bind-mounted into containers, it shows the filter's
// verdicts. Before the filter, `unshare -U true` succeeded in a default container and
// /proc/self/status said `Seccomp: 0`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandbox, REPO, type Sandbox } from './helpers.js';

const PROBE = path.join(REPO, 'native', 'build', 'Release', 'syscall-probe');
let sb: Sandbox;
let T = '';

before(async () => {
  assert.ok(fs.existsSync(PROBE), `${PROBE} is missing: build native/ (node-gyp build)`);
  sb = await sandbox();
  T = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-seccomp-it-'));
});

after(async () => {
  await sb?.cleanup();
  if (T) fs.rmSync(T, { recursive: true, force: true });
});

const base = ['--network', 'none', '-v', `${PROBE}:/probe:ro`];

/** `NAME ERRNO` lines → map; also `Seccomp:` from /proc/self/status. */
function probe(opts: string[], pre = ''): { seccomp: string; errnos: Record<string, number>; out: string } {
  const r = sb.cli(['run', '--rm', ...base, ...opts, 'host', 'sh', '-c', `${pre}grep '^Seccomp:' /proc/self/status; /probe`]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const errnos: Record<string, number> = {};
  let seccomp = '';
  for (const l of r.stdout.split('\n')) {
    const m = /^(\w+) (\d+)$/.exec(l);
    if (m) errnos[m[1]] = Number(m[2]);
    const s = /^Seccomp:\s+(\d)/.exec(l);
    if (s) seccomp = s[1];
  }
  return { seccomp, errnos, out: r.stdout };
}

const EPERM = 1;
const ENOSYS = 38;

test('a default container: Seccomp 2, the keyring, namespaces, mount, bpf, perf, userfaultfd, io_uring, vsock denied; clone3 and nr 1000 ENOSYS', () => {
  const { seccomp, errnos } = probe([]);
  assert.equal(seccomp, '2');
  assert.deepEqual(errnos, {
    read: 0, getpid: 0, personality_query: 0, clone_plain: 0, socket_unix: 0,
    keyctl: EPERM, add_key: EPERM, clone_newuser: EPERM, unshare_user: EPERM, mount: EPERM, bpf: EPERM,
    perf_event_open: EPERM, userfaultfd: EPERM, io_uring_setup: EPERM, socket_vsock: EPERM, personality_bad: EPERM,
    x32_getpid: EPERM, clone3: ENOSYS, nr1000: ENOSYS,
  });
});

test('issue 14: `unshare -U true` fails in a default container and works unconfined', () => {
  const d = sb.cli(['run', '--rm', '--network', 'none', 'host', 'unshare', '-U', 'true']);
  assert.notEqual(d.status, 0, 'unshare -U must fail under the default profile');
  assert.match(d.stdout + d.stderr, /Operation not permitted/);
  const u = sb.cli(['run', '--rm', '--network', 'none', '--security-opt', 'seccomp=unconfined', 'host', 'unshare', '-U', 'true']);
  assert.equal(u.status, 0, u.stderr);
});

test('seccomp=unconfined: no filter (Seccomp 0), the kernel answers for itself; inspect says which profile applies', () => {
  const { seccomp, errnos } = probe(['--security-opt', 'seccomp=unconfined']);
  assert.equal(seccomp, '0');
  assert.equal(errnos.keyctl, 0);
  assert.equal(errnos.clone_newuser, 0);
  assert.equal(errnos.clone3, 22, 'EINVAL from the kernel, not the filter');
  assert.equal(errnos.x32_getpid, ENOSYS);
  const c1 = sb.cli(['create', '--name', 'sc-unconf', '--security-opt', 'seccomp=unconfined', 'host', 'true']);
  const c2 = sb.cli(['create', '--name', 'sc-default', 'host', 'true']);
  assert.equal(c1.status, 0, c1.stderr);
  assert.equal(c2.status, 0, c2.stderr);
  const info = JSON.parse(sb.cli(['inspect', 'sc-unconf', 'sc-default']).stdout) as Array<Record<string, unknown>>;
  assert.deepEqual(info.map((i) => JSON.stringify(i).match(/"seccompProfile":"(\w+)"/)?.[1]), ['unconfined', 'default']);
  sb.cli(['rm', 'sc-unconf', 'sc-default']);
});

test('a custom profile applies, inspect names its path; the program is compiled once and then taken from the cache', () => {
  const file = path.join(T, 'getpid-99.json');
  fs.writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 99 }] }));
  const cacheDir = path.join(sb.root, 'seccomp');
  const before = new Set(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []);
  const { seccomp, errnos } = probe(['--security-opt', `seccomp=${file}`]);
  assert.equal(seccomp, '2');
  assert.equal(errnos.getpid, 99);
  assert.equal(errnos.keyctl, 0);
  const made = fs.readdirSync(cacheDir).filter((f) => !before.has(f));
  assert.equal(made.length, 1, `one program for the profile: ${made.join(' ')}`);
  const prog = path.join(cacheDir, made[0]);
  // A compile writes a new file (atomically: a new inode); a hit only marks it used (its mtime).
  const ino = fs.statSync(prog).ino;
  const c = sb.cli(['create', '--name', 'sc-custom', '--security-opt', `seccomp=${file}`, 'host', 'true']);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(fs.statSync(prog).ino, ino, 'the second create found it in the cache');
  assert.deepEqual(fs.readdirSync(cacheDir).filter((f) => !before.has(f)), made);
  const info = sb.cli(['inspect', 'sc-custom']).stdout;
  assert.ok(info.includes(`"seccompProfile": ${JSON.stringify(file)}`), info);
  const config = JSON.parse(fs.readFileSync(path.join(JSON.parse(info)[0].Hutch.bundle as string, 'config.json'), 'utf8')) as { annotations: Record<string, string> };
  assert.equal(config.annotations['run.hutch.seccomp'], prog);
  sb.cli(['rm', 'sc-custom']);
});

test("exec'd processes run under the container's filter too", () => {
  const r = sb.cli(['run', '-d', '--name', 'sc-exec', ...base, 'host', 'sleep', '100']);
  assert.equal(r.status, 0, r.stderr);
  try {
    const s = sb.cli(['exec', 'sc-exec', 'grep', '^Seccomp:', '/proc/self/status']);
    assert.match(s.stdout, /^Seccomp:\s+2$/m);
    const p = sb.cli(['exec', 'sc-exec', '/probe']);
    assert.match(p.stdout, /^keyctl 1$/m);
    assert.match(p.stdout, /^unshare_user 1$/m);
  } finally {
    sb.cli(['rm', '-f', 'sc-exec']);
  }
});

test('bad profiles: one line, exit 125, nothing made', () => {
  const bad = path.join(T, 'bad.json');
  const cases: Array<[string, RegExp]> = [
    ['{ not json', /not JSON/],
    ['{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_BOOM"}]}', /unknown action "SCMP_ACT_BOOM"/],
  ];
  for (const [text, msg] of cases) {
    fs.writeFileSync(bad, text);
    const r = sb.cli(['run', '--name', 'sc-bad', '--security-opt', `seccomp=${bad}`, 'host', 'true']);
    assert.equal(r.status, 125, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(!sb.cli(['ps', '-a']).stdout.includes('sc-bad'), 'no container made');
  }
  const missing = sb.cli(['run', '--security-opt', `seccomp=${path.join(T, 'nope.json')}`, 'host', 'true']);
  assert.equal(missing.status, 125);
  assert.match(missing.stderr, /opening seccomp profile .*nope\.json.* failed: ENOENT/);
});

test('a program gone from the cache: the start fails with the monitor\'s one line naming the file', () => {
  const file = path.join(T, 'gone.json');
  fs.writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mknod'], action: 'SCMP_ACT_ERRNO' }] }));
  const c = sb.cli(['create', '--name', 'sc-gone', '--security-opt', `seccomp=${file}`, 'host', 'true']);
  assert.equal(c.status, 0, c.stderr);
  const bundle = JSON.parse(sb.cli(['inspect', 'sc-gone']).stdout)[0].Hutch.bundle as string;
  const prog = (JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { annotations: Record<string, string> }).annotations['run.hutch.seccomp'];
  fs.rmSync(prog);
  const s = sb.cli(['start', 'sc-gone']);
  assert.notEqual(s.status, 0);
  assert.match(s.stderr, /seccomp.*ENOENT|No such file/);
  assert.ok(s.stderr.includes(prog), s.stderr);
  sb.cli(['rm', '-f', 'sc-gone']);
});
