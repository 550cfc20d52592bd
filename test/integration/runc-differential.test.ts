// Issue 14, the differential check: ONE bundle — a busybox rootfs with the syscall
// probe (native/probe/syscall-probe.c) copied in, and a config.json holding only what
// both runtimes understand (docker's 14 capabilities, noNewPrivileges, namespaces,
// docker's mounts and masked/read-only paths, and `linux.seccomp` = the OCI form of
// hutch's default profile) — run under Debian's `runc run` and under
// `hutch-monitor run --attach`. hutch's monitor takes the compiled program from the
// `run.hutch.seccomp` annotation (compiled by seccompFor, as create.ts does, for the
// same profile and capabilities); runc compiles `linux.seccomp` itself with
// libseccomp. The /proc/self/status security lines and every probe errno must match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './helpers.js';
import { makeRootfs, runMonitor, tmpDir, skip as fixtureSkip } from './native-mounts-fixture.js';
import { ociSeccomp } from '../../src/engine/security/seccomp/oci.js';
import { SECCOMP_ANNOTATION, seccompFor } from '../../src/engine/security/seccomp/index.js';
import { DEFAULT_CAPS, MASKED_PATHS, READONLY_PATHS, defaultMounts } from '../../src/engine/spec/defaults.js';

const PROBE = path.join(REPO, 'native', 'build', 'Release', 'syscall-probe');
const RUNC = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => fs.existsSync(p));
const skip = fixtureSkip || (!RUNC ? 'needs runc (Debian package runc, scripts/system-packages.mjs)' : false);

const STATUS_KEYS = ['Seccomp', 'CapEff', 'CapBnd', 'NoNewPrivs'];
const SCRIPT = `grep -E '^(${STATUS_KEYS.join('|')}):' /proc/self/status; /probe`;

/** `Key:\tvalue` status lines and `name errno` probe lines of one run, in one map. */
function parse(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of out.split('\n')) {
    const s = /^(\w+):\s+(\S+)$/.exec(l);
    if (s && STATUS_KEYS.includes(s[1]!)) m.set(`status ${s[1]}`, s[2]!);
    const p = /^(\w+) (\d+)$/.exec(l);
    if (p) m.set(`probe ${p[1]}`, p[2]!);
  }
  return m;
}

/** `runc run` in the foreground, its state under stateDir; `runc delete -f` after, whatever happened. */
async function runRunc(bundle: string, stateDir: string, id: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(RUNC!, ['--root', stateDir, 'run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, out };
  } finally {
    clearTimeout(timer);
    spawnSync(RUNC!, ['--root', stateDir, 'delete', '-f', id], { stdio: 'ignore' });
  }
}

test('the same config.json under runc and hutch-monitor: equal status security lines and probe errnos', { skip }, async (t) => {
  assert.ok(fs.existsSync(PROBE), `${PROBE} is missing: build native/ (node-gyp build)`);
  const dir = tmpDir(t, 'hutch-runc-diff-');
  const rootfs = makeRootfs(dir);
  fs.copyFileSync(PROBE, path.join(rootfs, 'probe'));
  fs.chmodSync(path.join(rootfs, 'probe'), 0o755);

  // hutch's program, from the engine's own compiler and cache (state root: dir/state).
  const seccomp = seccompFor({ capabilities: DEFAULT_CAPS }, path.join(dir, 'state'));
  assert.ok(seccomp.annotation, 'the default profile gives a program');
  const caps = [...DEFAULT_CAPS];
  const config = {
    ociVersion: '1.0.2',
    root: { path: 'rootfs' },
    hostname: 'diff',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh', '-c', SCRIPT],
      env: ['PATH=/bin'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      noNewPrivileges: true,
    },
    mounts: defaultMounts(),
    annotations: { [SECCOMP_ANNOTATION]: seccomp.annotation },
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      seccomp: ociSeccomp(DEFAULT_CAPS),
    },
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));

  const state = path.join(dir, 'runc-state');
  const r = await runRunc(dir, state, `hutch-diff-${process.pid}`);
  const h = await runMonitor(dir);
  assert.equal(h.code, 0, `hutch-monitor run failed: ${h.error}\n${h.out}`);
  const runc = parse(r.out);
  const hutch = parse(h.out);

  // The one documented exception: an x32 call (nr | __X32_SYSCALL_BIT). The OCI form
  // lists only SCMP_ARCH_X86_64; runc's libseccomp (2.5.4) treats an x32 caller as a
  // bad architecture and kills it (SIGSYS: the probe dies at its last line and sh
  // exits 128+31), where hutch's compiler gives it the profile's default action,
  // EPERM (compile.ts). Both refuse the x32 ABI; only the manner differs.
  assert.equal(r.code, 128 + 31, `runc: the probe killed by SIGSYS at x32_getpid, nothing else failing:\n${r.out}`);
  assert.equal(runc.has('probe x32_getpid'), false, `runc: x32_getpid printed nothing:\n${r.out}`);
  assert.equal(hutch.get('probe x32_getpid'), '1', `hutch: x32_getpid EPERM:\n${h.out}`);
  runc.delete('probe x32_getpid');
  hutch.delete('probe x32_getpid');
  for (const k of STATUS_KEYS) assert.ok(runc.has(`status ${k}`) && hutch.has(`status ${k}`), `status ${k} missing:\nrunc:\n${r.out}\nhutch:\n${h.out}`);
  assert.equal(runc.get('status Seccomp'), '2', 'runc applied the profile');
  assert.ok([...runc.keys()].filter((k) => k.startsWith('probe ')).length >= 18, `the probe ran under runc:\n${r.out}`);

  const line = (k: string, a: string, b: string) => `${k.padEnd(28)} ${a.padEnd(18)} ${b}`;
  const all: string[] = [];
  const diff: string[] = [];
  for (const k of [...new Set([...runc.keys(), ...hutch.keys()])]) {
    const a = runc.get(k) ?? '-';
    const b = hutch.get(k) ?? '-';
    all.push(line(k, a, b));
    if (a !== b) diff.push(line(k, a, b));
  }
  const head = line('what', 'runc', 'hutch-monitor');
  t.diagnostic(`compared:\n${head}\n${all.join('\n')}`);
  assert.equal(diff.length, 0, `runc and hutch-monitor differ on the same config.json:\n${head}\n${diff.join('\n')}`);
});
