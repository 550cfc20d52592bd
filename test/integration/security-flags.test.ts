// Issue 14, the flags: each one's observable result inside a real container on the
// host image (/proc/self/status, ulimit, mount, device nodes, sysctls, pid 1), and
// bad input through the CLI: one line, exit 125, nothing left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sandbox, runToEnd, logText, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

const none = { network: 'none' } as const;
const status = (out: string) => Object.fromEntries(out.trim().split('\n').filter((l) => l.includes(':')).map((l) => l.split(/:\s+/)));

test('--cap-add/--cap-drop change CapEff and CapBnd from docker\'s 14; --cap-drop ALL --cap-add KILL leaves KILL alone', async () => {
  const r = await runToEnd(sb.engine, ['grep', '^Cap', '/proc/self/status'], { ...none, capAdd: ['CAP_NET_ADMIN'], capDrop: ['CAP_CHOWN'] });
  const caps = status(r.out);
  // default a80425fb, + NET_ADMIN (bit 12), - CHOWN (bit 0)
  assert.equal(caps.CapEff, '00000000a80435fa');
  assert.equal(caps.CapBnd, '00000000a80435fa');
  assert.equal(caps.CapInh, '0000000000000000');
  const only = await runToEnd(sb.engine, ['grep', '^Cap', '/proc/self/status'], { ...none, capAdd: ['CAP_KILL'], capDrop: ['ALL'] });
  assert.equal(status(only.out).CapEff, '0000000000000020');
  assert.equal(status(only.out).CapBnd, '0000000000000020');
});

test('--security-opt no-new-privileges sets NoNewPrivs; without it 0', async () => {
  const on = await runToEnd(sb.engine, ['grep', '^NoNewPrivs', '/proc/self/status'], { ...none, securityOpt: ['no-new-privileges'], noNewPrivileges: true });
  assert.equal(status(on.out).NoNewPrivs, '1');
  const off = await runToEnd(sb.engine, ['grep', '^NoNewPrivs', '/proc/self/status'], none);
  assert.equal(status(off.out).NoNewPrivs, '0');
});

test('--privileged: every capability hutch has, mount works, /sys rw, host devices usable; no-new-privileges still honoured', async () => {
  const own = status(fs.readFileSync('/proc/self/status', 'utf8')).CapPrm;
  const r = await runToEnd(
    sb.engine,
    ['sh', '-c', 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && touch /tmp/m/x && echo mounted; grep " /sys " /proc/self/mounts | cut -d" " -f4 | cut -d, -f1; : > /dev/loop-control && echo device'],
    { ...none, privileged: true, securityOpt: ['no-new-privileges'], noNewPrivileges: true },
  );
  assert.equal(r.exitCode, 0, r.out);
  const lines = r.out.trim().split('\n');
  assert.equal(status(lines.slice(0, 2).join('\n')).CapEff, own);
  assert.equal(status(lines.slice(0, 2).join('\n')).NoNewPrivs, '1');
  assert.deepEqual(lines.slice(2), ['mounted', 'rw', 'device']);
  const plain = await runToEnd(sb.engine, ['sh', '-c', 'mkdir -p /tmp/m; mount -t tmpfs none /tmp/m 2>/dev/null && echo mounted || echo refused'], none);
  assert.equal(plain.out.trim(), 'refused');
});

test('--device HOST:CTR makes a usable node with its major:minor; :r allows reading only; --device-cgroup-rule allows a mknod\'ed node', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'stat -c "%F %t:%T" /dev/mynull; echo hi > /dev/mynull && echo wrote'], { ...none, devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', cgroupPermissions: 'rwm' }] });
  assert.deepEqual(r.out.trim().split('\n'), ['character special file 1:3', 'wrote']);
  const ro = await runToEnd(sb.engine, ['sh', '-c', ': < /dev/lc && echo read; (: > /dev/lc) 2>/dev/null && echo write || echo no-write'], { ...none, devices: [{ pathOnHost: '/dev/loop-control', pathInContainer: '/dev/lc', cgroupPermissions: 'r' }] });
  assert.deepEqual(ro.out.trim().split('\n'), ['read', 'no-write']);
  const mk = 'mknod /dev/lc c 10 237 && (: < /dev/lc) 2>/dev/null && echo open || echo refused';
  assert.equal((await runToEnd(sb.engine, ['sh', '-c', mk], none)).out.trim(), 'refused');
  assert.equal((await runToEnd(sb.engine, ['sh', '-c', mk], { ...none, deviceCgroupRules: ['c 10:237 rw'] })).out.trim(), 'open');
});

test('--ulimit nofile=512:1024 and core=-1 (unlimited) reach the process', async () => {
  // core: -1 goes to the monitor as 2^64 (what JSON from JavaScript can say), read as RLIM_INFINITY
  const r = await runToEnd(sb.engine, ['sh', '-c', 'ulimit -n; ulimit -Hn; ulimit -c'], { ...none, ulimits: [{ name: 'nofile', soft: 512, hard: 1024 }, { name: 'core', soft: -1, hard: -1 }] });
  assert.deepEqual(r.out.trim().split('\n'), ['512', '1024', 'unlimited']);
});

test('--sysctl: net.* and IPC keys are set in the container\'s namespaces only', async () => {
  const host = fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim();
  const want = host === '1234' ? '1235' : '1234';
  const r = await runToEnd(sb.engine, ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start', '/proc/sys/kernel/shm_rmid_forced', '/proc/sys/fs/mqueue/msg_max'], {
    ...none,
    sysctls: { 'net.ipv4.ip_unprivileged_port_start': want, 'kernel.shm_rmid_forced': '1', 'fs.mqueue.msg_max': '33' },
  });
  assert.deepEqual(r.out.trim().split('\n'), [want, '1', '33']);
  assert.equal(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim(), host);
  assert.notEqual(fs.readFileSync('/proc/sys/fs/mqueue/msg_max', 'utf8').trim(), '33');
});

test('--oom-score-adj, --group-add (gid and name), --shm-size', async () => {
  const r = await runToEnd(sb.engine, ['sh', '-c', 'cat /proc/self/oom_score_adj; id -G; df -k /dev/shm | tail -1 | awk "{print \\$2}"'], { ...none, oomScoreAdj: 300, groupAdd: ['27', 'audio'], shmSize: 32 * 1024 * 1024 });
  const audio = /^audio:[^:]*:(\d+):/m.exec(fs.readFileSync('/etc/group', 'utf8'))?.[1];
  assert.deepEqual(r.out.trim().split('\n'), ['300', `0 27 ${audio}`, '32768']);
});

test('--init: pid 1 is the init; it reaps an orphaned zombie (without it the zombie stays) and forwards SIGTERM', { timeout: 60_000 }, async () => {
  const zombies = async (init: boolean) => {
    const c = await sb.engine.create({ image: 'host', ...none, init, cmd: ['sh', '-c', 'sh -c "sleep 0.2 &"; exec sleep 30'] });
    await sb.engine.start(c.id);
    await sleep(1500);
    const r = sb.cli(['exec', c.id, 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; grep -l "^State:.*Z" /proc/[0-9]*/status | wc -l']);
    await sb.engine.remove(c.id, { force: true });
    return r.stdout.trim().split('\n').map((l) => l.trim());
  };
  const [cmd1, z1] = await zombies(true);
  assert.equal(cmd1, '/dev/init init -- sh -c sh -c "sleep 0.2 &"; exec sleep 30');
  assert.equal(z1, '0');
  const [, z0] = await zombies(false);
  assert.equal(z0, '1', 'the test sees a zombie when pid 1 does not reap');
  const c = await sb.engine.create({ image: 'host', ...none, init: true, cmd: ['sh', '-c', 'trap "echo got TERM; exit 3" TERM; while :; do sleep 0.1; done'] });
  await sb.engine.start(c.id);
  await sleep(500);
  await sb.engine.stop(c.id, 10);
  const info = await sb.engine.inspect(c.id);
  assert.equal(info.exitCode, 3);
  assert.equal((await logText(sb.engine, c.id)).trim(), 'got TERM');
});

test('--stop-signal is what stop sends; --stop-timeout is its default grace period', { timeout: 60_000 }, async () => {
  const c = await sb.engine.create({ image: 'host', ...none, stopSignal: 'USR1', cmd: ['sh', '-c', 'trap "echo got USR1; exit 4" USR1; while :; do sleep 0.1; done'] });
  await sb.engine.start(c.id);
  await sleep(500);
  await sb.engine.stop(c.id);
  assert.equal((await sb.engine.inspect(c.id)).exitCode, 4);
  assert.equal((await logText(sb.engine, c.id)).trim(), 'got USR1');
  const d = await sb.engine.create({ image: 'host', ...none, stopTimeout: 1, cmd: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'] });
  await sb.engine.start(d.id);
  await sleep(300);
  const t0 = Date.now();
  await sb.engine.stop(d.id);
  assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms, not ~1 s`);
  assert.equal((await sb.engine.inspect(d.id)).exitCode, 137);
});

test('the CLI flags land in inspect\'s spec', { timeout: 60_000 }, async () => {
  const r = sb.cli(['create', '--network', 'none', '--cap-add', 'net_admin', '--cap-drop', 'CAP_MKNOD', '--security-opt', 'no-new-privileges=true', '--security-opt', 'label=disable', '--security-opt', 'seccomp=unconfined',
    '--ulimit', 'nofile=100:200', '--sysctl', 'kernel.sem=250 32000 32 128', '--oom-score-adj', '-5', '--init', '--group-add', '27', '--shm-size', '1g', '--stop-signal', 'SIGHUP', '--stop-timeout', '3',
    '--device', '/dev/null:/dev/n2:rw', '--device-cgroup-rule', 'c 10:* rm', 'host', 'true']);
  assert.equal(r.status, 0, r.stderr);
  const [info] = JSON.parse(sb.cli(['inspect', r.stdout.trim()]).stdout);
  const s = info.Hutch.spec;
  assert.deepEqual(
    { capAdd: s.capAdd, capDrop: s.capDrop, nnp: s.noNewPrivileges, seccomp: s.seccomp, opts: s.securityOpt, ulimits: s.ulimits, sysctls: s.sysctls, oom: s.oomScoreAdj, init: s.init, groups: s.groupAdd, shm: s.shmSize, sig: s.stopSignal, to: s.stopTimeout, dev: s.devices, rules: s.deviceCgroupRules },
    {
      capAdd: ['CAP_NET_ADMIN'], capDrop: ['CAP_MKNOD'], nnp: true, seccomp: 'unconfined', opts: ['no-new-privileges=true', 'label=disable', 'seccomp=unconfined'], ulimits: [{ name: 'nofile', soft: 100, hard: 200 }],
      sysctls: { 'kernel.sem': '250 32000 32 128' }, oom: -5, init: true, groups: ['27'], shm: 1024 ** 3, sig: 'SIGHUP', to: 3,
      dev: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/n2', cgroupPermissions: 'rw' }], rules: ['c 10:* rm'],
    },
  );
});

test('bad input: one line, exit 125, no container, no bundle', { timeout: 120_000 }, async () => {
  for (const c of await sb.engine.list({ all: true })) await sb.engine.remove(c.id, { force: true });
  const cases: [string[], RegExp][] = [
    [['--cap-add', 'NOPE'], /^hutch: invalid CapAdd: unknown capability: "CAP_NOPE"$/],
    [['--sysctl', 'kernel.hostname=x'], /^hutch: sysctl "kernel.hostname" is not allowed/],
    [['--ulimit', 'nofile=abc'], /^hutch: invalid argument "nofile=abc" for "--ulimit" flag/],
    [['--device', '/nonexistent'], /^hutch: error gathering device information while adding custom device "\/nonexistent": no such file or directory$/],
    [['--oom-score-adj', '5000'], /^hutch: Invalid value 5000, range for oom score adj is \[-1000, 1000\]$/],
    [['--security-opt', 'bogus'], /^hutch: invalid --security-opt 1: "bogus"$/],
    [['--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1'], /not allowed in the host's network namespace/],
    [['--group-add', 'no-such-group'], /^hutch: Unable to find group no-such-group/],
  ];
  for (const [flags, re] of cases) {
    const r = sb.cli(['run', '--rm', ...flags, 'host', 'true']);
    assert.equal(r.status, 125, `${flags.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), re);
  }
  assert.deepEqual(await sb.engine.list({ all: true }), []);
  const dir = path.join(sb.root, 'containers');
  assert.deepEqual(fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n !== 'names') : [], []);
});
