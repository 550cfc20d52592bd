// hutch-runc against Debian's runc, continued (hutch-runc.test.ts has the lifecycle):
// linux.seccomp compiled by hutch-runc's C compiler against runc's libseccomp under the same
// profile, and a terminal handed to --console-socket. Root only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './helpers.js';
import { ociSeccomp } from '../../src/engine/security/seccomp/oci.js';
import { X86_64_MAX_SYSCALL, X86_64_SYSCALLS } from '../../src/engine/security/seccomp/syscalls-x86_64.js';
import { DEFAULT_CAPS } from '../../src/engine/spec/defaults.js';
import { type Config, bundle, cgPath, errMsg, rt, setup, skip, waitStatus } from './hutch-runc-fixture.js';

test('the C syscall table (native/runc/syscalls.c) is the engine\'s x86_64 table', () => {
  const c = fs.readFileSync(path.join(REPO, 'native', 'runc', 'syscalls.c'), 'utf8');
  const names = [...c.matchAll(/^\t"([^"]*)"/gm)].map((m) => m[1]!).join('').split(/\s+/).filter(Boolean);
  assert.deepEqual(new Map(names.map((n, nr) => [n, nr] as [string, number]).filter(([n]) => n !== '-')), X86_64_SYSCALLS);
  assert.match(c, new RegExp(`x86_64_max_syscall = ${X86_64_MAX_SYSCALL};`));
});

test('linux.seccomp (docker\'s default profile, OCI form): the same status lines and probe errnos under runc and hutch-runc', { skip }, (t) => {
  const probe = path.join(REPO, 'native', 'build', 'Release', 'syscall-probe');
  assert.ok(fs.existsSync(probe), `${probe} is missing: build native/`);
  const id = `sc-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-seccomp-', [id]);
  const keys = ['Seccomp', 'CapEff', 'CapBnd', 'NoNewPrivs'];
  const out: Record<string, Map<string, string>> = {};
  const codes: Record<string, number | null> = {};
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      const caps = [...DEFAULT_CAPS];
      c.process.args = ['sh', '-c', `grep -E '^(${keys.join('|')}):' /proc/self/status; /probe`];
      c.process.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] };
      c.process.noNewPrivileges = true;
      c.linux.seccomp = ociSeccomp(DEFAULT_CAPS);
      c.linux.cgroupsPath = cgPath(r, id);
    });
    fs.copyFileSync(probe, path.join(b, 'rootfs', 'probe'));
    fs.chmodSync(path.join(b, 'rootfs', 'probe'), 0o755);
    const res = rt(r, ['run', '--bundle', b, id]);
    codes[r.name] = res.status;
    const m = new Map<string, string>();
    for (const l of (res.stdout + res.stderr).split('\n')) {
      const s = /^(\w+):\s+(\S+)$/.exec(l);
      if (s && keys.includes(s[1]!)) m.set(`status ${s[1]}`, s[2]!);
      const p = /^(\w+) (\d+)$/.exec(l);
      if (p) m.set(`probe ${p[1]}`, p[2]!);
    }
    out[r.name] = m;
  }
  const runc = out.runc!;
  const ours = out['hutch-runc']!;
  // As in runc-differential.test.ts: runc's libseccomp kills an x32 caller (SIGSYS, sh exits
  // 128+31), the C compiler, like the engine's, gives it the profile's default, EPERM.
  assert.equal(codes.runc, 128 + 31);
  assert.equal(codes['hutch-runc'], 0, 'hutch-runc: the probe ran to its end');
  assert.equal(ours.get('probe x32_getpid'), '1');
  ours.delete('probe x32_getpid');
  assert.equal(ours.get('status Seccomp'), '2', 'hutch-runc applied a filter');
  assert.ok([...runc.keys()].filter((k) => k.startsWith('probe ')).length >= 18, 'the probe ran under runc');
  assert.deepEqual(Object.fromEntries(ours), Object.fromEntries(runc));
});

/** runc's recvtty, in python3: accepts one connection on sock, takes the fd it carries, prints the name sent and all read from the fd. */
const RECVTTY = `
import socket, os, sys, array
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
msg, anc, _, _ = c.recvmsg(4096, socket.CMSG_LEN(4))
fd = array.array("i", anc[0][2][:4])[0]
print("name", msg.decode(), flush=True)
out = b""
while True:
    try: d = os.read(fd, 4096)
    except OSError: break
    if not d: break
    out += d
print("tty", repr(out.decode()), flush=True)
`;

test('process.terminal with --console-socket: the pty master arrives by SCM_RIGHTS, the container\'s stdio is its slave', { skip }, async (t) => {
  const id = `tty-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-tty-', [id]);
  const seen: Record<string, string> = {};
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.terminal = true;
      c.process.args = ['sh', '-c', 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys'];
      c.linux.cgroupsPath = cgPath(r, id);
    });
    const sock = path.join(dir, `${r.name}.sock`);
    const recv = spawn('python3', ['-c', RECVTTY, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => recv.kill('SIGKILL'));
    let text = '';
    recv.stdout.on('data', (d: Buffer) => (text += d));
    for (let i = 0; i < 100 && !text.includes('ready'); i++) await new Promise((res) => setTimeout(res, 20));
    const c = rt(r, ['create', '--bundle', b, '--console-socket', sock, id]);
    assert.equal(c.status, 0, `${r.name} create: ${c.stderr}`);
    assert.equal(rt(r, ['start', id]).status, 0);
    const [code] = (await once(recv, 'close')) as [number | null];
    assert.equal(code, 0, `${r.name}: the receiver ended:\n${text}`);
    const tty = /^tty (.*)$/m.exec(text)?.[1] ?? '';
    assert.match(text, /^name \S+$/m, `${r.name}: a name came with the fd`);
    seen[r.name] = tty;
    assert.equal(await waitStatus(r, id, 'stopped'), 'stopped');
    assert.equal(rt(r, ['delete', id]).status, 0);
    const noSock = rt(r, ['create', '--bundle', b, id]);
    assert.equal(noSock.status, 1, `${r.name}: a terminal without --console-socket`);
    assert.match(errMsg(noSock.stderr), /^runc create failed: cannot allocate tty if runc will detach without setting console socket$/, r.name);
  }
  assert.equal(seen['hutch-runc'], "'/dev/pts/0\\r\\nall-ttys\\r\\n'");
  assert.equal(seen['hutch-runc'], seen.runc);
});

test('run with process.terminal and no console socket: the runtime is the terminal\'s other end (size, output, status)', { skip }, (t) => {
  const id = `runtty-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-runtty-', [id]);
  const seen: Record<string, string> = {};
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.terminal = true;
      // runc sizes the pty only once the process runs: give it a moment (hutch-runc sizes it at create)
      c.process.args = ['sh', '-c', 'tty; sleep 0.5; stty size; exit 3'];
      c.linux.cgroupsPath = cgPath(r, id);
    });
    // script(1) gives the runtime a terminal of 21 rows and 77 columns
    const res = spawnSync('script', ['-qec', `stty rows 21 cols 77; ${r.bin} --root ${r.root} run --bundle ${b} ${id}`, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 3, `${r.name}: ${res.stdout} ${res.stderr}`);
    seen[r.name] = res.stdout.replace(/\0|\^@/g, '');
    assert.match(seen[r.name]!, /\/dev\/pts\/0\r\n21 77\r\n/, r.name);
    assert.equal(rt(r, ['state', id]).status, 1, `${r.name}: deleted after run`);
  }
  assert.equal(seen['hutch-runc'], seen.runc);
});

test('hooks: prestart, createRuntime, poststart, poststop run in order with the state on stdin, as runc\'s', { skip }, (t) => {
  const id = `hooks-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-hooks-', [id]);
  const seen: Record<string, string[]> = {};
  const kinds = ['prestart', 'createRuntime', 'poststart', 'poststop'];
  for (const r of all) {
    const log = path.join(dir, `${r.name}.hooks`);
    const hook = path.join(dir, 'hook.sh');
    // each hook appends its kind and the state's status, and whether the pid was given
    fs.writeFileSync(hook, `#!/bin/sh\nstate=$(cat)\necho "$1 $(echo "$state" | sed 's/.*"status":"\\([a-z]*\\)".*/\\1/') $(echo "$state" | grep -q '"pid":[1-9]' && echo pid)" >> "$2"\n`, { mode: 0o755 });
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sleep', '100'];
      c.linux.cgroupsPath = cgPath(r, id);
      c.hooks = Object.fromEntries(kinds.map((k) => [k, [{ path: hook, args: ['hook.sh', k, log] }]]));
    });
    assert.equal(rt(r, ['run', '-d', '--bundle', b, id], { stdio: 'ignore' }).status, 0, `${r.name} run -d`);
    assert.equal(rt(r, ['delete', '--force', id]).status, 0);
    seen[r.name] = fs.readFileSync(log, 'utf8').trim().split('\n');
    const failing = bundle(dir, `f-${r.name}`, (c) => {
      c.process.args = ['true'];
      c.linux.cgroupsPath = cgPath(r, id);
      c.hooks = { createRuntime: [{ path: '/bin/false' }] };
    });
    const f = rt(r, ['create', '--bundle', failing, id]);
    assert.equal(f.status, 1, `${r.name}: a failing createRuntime hook fails create`);
    assert.match(errMsg(f.stderr), /createRuntime|hook/i, r.name);
    assert.equal(rt(r, ['state', id]).status, 1, `${r.name}: nothing left`);
  }
  assert.deepEqual(seen['hutch-runc'], ['prestart creating pid', 'createRuntime creating pid', 'poststart created pid', 'poststop stopped']);
  assert.deepEqual(seen['hutch-runc'], seen.runc);
});

test('hooks in the container\'s namespaces: createContainer before pivot_root, startContainer before the command', { skip }, (t) => {
  const id = `chooks-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-chooks-', [id]);
  const seen: Record<string, string[]> = {};
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sh', '-c', 'echo command >> /hooks.log'];
      c.root.readonly = false;
      c.linux.cgroupsPath = cgPath(r, id);
    });
    const rootfs = path.join(b, 'rootfs');
    // one script inside the rootfs: createContainer finds it by its host path (pivot_root is
    // still to come), startContainer by /hook.sh; both append to the rootfs's hooks.log
    fs.writeFileSync(path.join(rootfs, 'hook.sh'), '#!/bin/sh\nstate=$(cat)\necho "$1 $(echo "$state" | grep -c \'"id"\')" >> "$2"\n', { mode: 0o755 });
    const cfgFile = path.join(b, 'config.json');
    const c = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as Config;
    c.hooks = {
      createContainer: [{ path: path.join(rootfs, 'hook.sh'), args: ['hook.sh', 'createContainer', path.join(rootfs, 'hooks.log')] }],
      startContainer: [{ path: '/hook.sh', args: ['hook.sh', 'startContainer', '/hooks.log'] }],
    };
    fs.writeFileSync(cfgFile, JSON.stringify(c));
    const res = rt(r, ['run', '--bundle', b, id]);
    assert.equal(res.status, 0, `${r.name}: ${res.stderr}`);
    seen[r.name] = fs.readFileSync(path.join(rootfs, 'hooks.log'), 'utf8').trim().split('\n');
  }
  assert.deepEqual(seen['hutch-runc'], ['createContainer 1', 'startContainer 1', 'command']);
  assert.deepEqual(seen['hutch-runc'], seen.runc);
});

test('the init runs a sealed memfd copy of hutch-runc: /proc/PID/exe cannot be written (CVE-2019-5736)', { skip }, (t) => {
  const id = `sealed-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-sealed-', [id]);
  const r = all.find((x) => x.name === 'hutch-runc')!;
  const b = bundle(dir, 'b', (c) => {
    c.process.args = ['sleep', '100'];
    c.linux.cgroupsPath = cgPath(r, id);
  });
  assert.equal(rt(r, ['create', '--bundle', b, id], { stdio: 'ignore' }).status, 0);
  const pid = (JSON.parse(rt(r, ['state', id]).stdout) as { pid: number }).pid;
  assert.match(fs.readlinkSync(`/proc/${pid}/exe`), /^\/memfd:hutch-runc/);
  // F_GET_SEALS (1034): SEAL, SHRINK, GROW and WRITE (15)
  const py = spawnSync('python3', ['-c', `import os, fcntl; print(fcntl.fcntl(os.open("/proc/${pid}/exe", os.O_RDONLY), 1034))`], { encoding: 'utf8' });
  assert.equal(py.stdout.trim(), '15', py.stderr);
});

test('a user namespace from linux.uidMappings/gidMappings: root inside is the mapped host id, as under runc', { skip }, (t) => {
  const id = `userns-${process.pid}`;
  const { dir, all } = setup(t, 'hutch-runc-userns-', [id]);
  // above hutch's own pool of ranges (up to 2^31-1): ids nothing else hands out
  const base = 2_200_000_000;
  fs.chmodSync(dir, 0o755); // the mapped root walks to its rootfs
  const seen: Record<string, string> = {};
  for (const r of all) {
    const b = bundle(dir, `b-${r.name}`, (c) => {
      c.process.args = ['sh', '-c', 'id; cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /bin/busybox'];
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: base, size: 65536 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: base, size: 65536 }];
      c.linux.cgroupsPath = cgPath(r, id);
    });
    assert.equal(spawnSync('chown', ['-R', `${base}:${base}`, path.join(b, 'rootfs')]).status, 0);
    const res = rt(r, ['run', '--bundle', b, id]);
    assert.equal(res.status, 0, `${r.name}: ${res.stderr}`);
    seen[r.name] = res.stdout;
    assert.equal(rt(r, ['state', id]).status, 1, `${r.name}: deleted after run`);
  }
  assert.match(seen['hutch-runc']!, new RegExp(`^uid=0\\(root\\) gid=0\\n\\s+0\\s+${base}\\s+65536\\n\\s+0\\s+${base}\\s+65536\\n0:0\\n$`));
  assert.equal(seen['hutch-runc'], seen.runc);
});
