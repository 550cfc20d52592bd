// The seccomp compiler: the default profile compiled for docker's default capabilities,
// run on a classic-BPF interpreter, answers each syscall as moby's profile intends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_ARCH_X86_64, RET, compile, encode, type Insn } from '../../src/engine/security/seccomp/compile.js';
import { DEFAULT_PROFILE } from '../../src/engine/security/seccomp/default-profile.js';
import { kernelBelow, parseProfile, type Profile } from '../../src/engine/security/seccomp/profile.js';
import { X86_64_MAX_SYSCALL, X86_64_SYSCALLS } from '../../src/engine/security/seccomp/syscalls-x86_64.js';
import { DEFAULT_CAPS } from '../../src/engine/spec/defaults.js';
import { runBpf } from '../support/bpf.js';

const KERNEL = '6.18.0';
const ALLOW = RET.ALLOW;
const EPERM = RET.ERRNO | 1;
const ENOSYS = RET.ERRNO | 38;
const nr = (name: string) => {
  const n = X86_64_SYSCALLS.get(name);
  assert.ok(n !== undefined, name);
  return n;
};
const run = (prog: Insn[], name: string | number, args: Array<number | bigint> = [], arch = AUDIT_ARCH_X86_64) =>
  runBpf(prog, { nr: typeof name === 'number' ? name : nr(name), arch, args });

const dflt = compile(DEFAULT_PROFILE, { caps: DEFAULT_CAPS, kernel: KERNEL }).program;

test('the table knows the syscalls up to 6.17 (mseal, listmount, lsm_*, setxattrat, file_setattr)', () => {
  for (const [name, n] of [['read', 0], ['clone3', 435], ['statmount', 457], ['listmount', 458], ['lsm_get_self_attr', 459], ['lsm_list_modules', 461], ['mseal', 462], ['setxattrat', 463], ['open_tree_attr', 467], ['file_setattr', 469]] as const)
    assert.equal(X86_64_SYSCALLS.get(name), n, name);
  assert.equal(X86_64_MAX_SYSCALL, 469);
});

test('default profile, default capabilities: the denied, the allowed and the ENOSYS ones', () => {
  const cases: Array<[string | number, Array<number | bigint>, number]> = [
    ['read', [], ALLOW], ['getpid', [], ALLOW], ['execve', [], ALLOW], ['mseal', [], ALLOW], ['chroot', [], ALLOW],
    ['keyctl', [], EPERM], ['add_key', [], EPERM], ['request_key', [], EPERM],
    ['mount', [], EPERM], ['unshare', [0x10000000], EPERM], ['bpf', [], EPERM], ['perf_event_open', [], EPERM],
    ['userfaultfd', [], EPERM], ['io_uring_setup', [], EPERM], ['pivot_root', [], EPERM], ['kexec_load', [], EPERM],
    ['open_by_handle_at', [], EPERM], ['ptrace', [], ALLOW], ['reboot', [], EPERM], ['setns', [], EPERM],
    ['clone3', [], ENOSYS],
    ['clone', [0x10000000 /* CLONE_NEWUSER */], EPERM], ['clone', [0x20000 /* CLONE_NEWNS */], EPERM],
    ['clone', [17 /* SIGCHLD */], ALLOW], ['clone', [0x3d0f00 /* pthread_create's flags */], ALLOW],
    // the mask only looks at the low word: high bits set elsewhere do not matter
    ['clone', [(1n << 40n) | 17n], ALLOW],
    ['personality', [0xffffffff], ALLOW], ['personality', [0], ALLOW], ['personality', [0x20008], ALLOW],
    ['personality', [0x40000 /* ADDR_NO_RANDOMIZE */], EPERM], ['personality', [0x1_0000_0000n], EPERM],
    ['socket', [40 /* AF_VSOCK */], EPERM], ['socket', [2], ALLOW], ['socket', [39], ALLOW], ['socket', [41], ALLOW],
    ['socket', [(1n << 32n) | 40n], ALLOW],
    [1000, [], ENOSYS], [X86_64_MAX_SYSCALL + 1, [], ENOSYS], [X86_64_MAX_SYSCALL /* file_setattr: known, not allowed */, [], EPERM],
    [400 /* no syscall has it */, [], EPERM],
  ];
  for (const [name, args, want] of cases) assert.equal(run(dflt, name, args), want, `${name}(${args.join(',')})`);
});

test('x32 numbers and foreign architectures get the default action', () => {
  assert.equal(run(dflt, 0x40000000 | 0 /* x32 read */), EPERM);
  assert.equal(run(dflt, 0x40000000 | 1000), EPERM);
  assert.equal(run(dflt, 'read', [], 0x40000003 /* AUDIT_ARCH_I386 */), EPERM);
  assert.equal(run(dflt, 'read', [], 0xc00000b7 /* AARCH64 */), EPERM);
});

test('capabilities open their gates: CAP_SYS_ADMIN allows mount, unshare, clone with namespaces and a real clone3', () => {
  const admin = compile(DEFAULT_PROFILE, { caps: [...DEFAULT_CAPS, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'], kernel: KERNEL }).program;
  for (const n of ['mount', 'unshare', 'setns', 'clone3', 'bpf', 'kcmp']) assert.equal(run(admin, n), ALLOW, n);
  assert.equal(run(admin, 'clone', [0x10000000]), ALLOW);
  assert.equal(run(admin, 'keyctl'), EPERM);
  const nochroot = compile(DEFAULT_PROFILE, { caps: DEFAULT_CAPS.filter((c) => c !== 'CAP_SYS_CHROOT'), kernel: KERNEL }).program;
  assert.equal(run(nochroot, 'chroot'), EPERM);
});

test('minKernel: ptrace needs 4.8', () => {
  assert.equal(kernelBelow('4.7.10', '4.8'), true);
  assert.equal(kernelBelow('4.8.0-1-amd64', '4.8'), false);
  assert.equal(kernelBelow('6.18.44-fc-v1272', '4.8'), false);
  const old = compile(DEFAULT_PROFILE, { caps: DEFAULT_CAPS, kernel: '4.4.0' }).program;
  assert.equal(run(old, 'ptrace'), EPERM);
});

test('every comparison operator on 64-bit values split into words', () => {
  const vals = [0n, 1n, 0xffffffffn, 0x1_0000_0000n, 0x1_0000_0005n, 0x2_0000_0000n, 0xffff_ffff_ffff_ffffn];
  const ops: Record<string, (a: bigint, v: bigint) => boolean> = {
    SCMP_CMP_EQ: (a, v) => a === v, SCMP_CMP_NE: (a, v) => a !== v, SCMP_CMP_LT: (a, v) => a < v,
    SCMP_CMP_LE: (a, v) => a <= v, SCMP_CMP_GT: (a, v) => a > v, SCMP_CMP_GE: (a, v) => a >= v,
  };
  for (const [op, f] of Object.entries(ops))
    for (const v of vals) {
      const p: Profile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value: v, op: op as 'SCMP_CMP_EQ' }] }] };
      const prog = compile(p, { caps: [], kernel: KERNEL }).program;
      for (const a of vals) assert.equal(run(prog, 'read', [0, 0, a]), f(a, v) ? ALLOW : EPERM, `${a} ${op} ${v}`);
    }
  const masked: Profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['write'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [{ index: 0, value: 0xf_0000_00ffn, valueTwo: 0x1_0000_0001n, op: 'SCMP_CMP_MASKED_EQ' }] }] };
  const mp = compile(masked, { caps: [], kernel: KERNEL }).program;
  assert.equal(run(mp, 'write', [0x1_1234_5601n]), RET.ERRNO | 22);
  assert.equal(run(mp, 'write', [0x2_0000_0001n]), ALLOW);
  assert.equal(run(mp, 'write', [0x1_0000_0002n]), ALLOW);
});

test('a custom profile: allow by default, a kill, a log and a trap; other actions and bad input refused in one line', () => {
  const p = parseProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [
    { names: ['mkdir'], action: 'SCMP_ACT_KILL_PROCESS' }, { names: ['chdir'], action: 'SCMP_ACT_LOG' }, { names: ['getpid', 'not_a_syscall'], action: 'SCMP_ACT_TRAP' }] }), 'p.json');
  const c = compile(p, { caps: [], kernel: KERNEL });
  assert.deepEqual(c.unknown, ['not_a_syscall']);
  assert.equal(run(c.program, 'mkdir'), RET.KILL_PROCESS);
  assert.equal(run(c.program, 'chdir'), RET.LOG);
  assert.equal(run(c.program, 'getpid'), RET.TRAP);
  assert.equal(run(c.program, 'read'), ALLOW);
  assert.equal(run(c.program, 'read', [], 0x40000003), ALLOW, 'a foreign arch gets the default action');
  for (const [text, msg] of [
    ['{', /^seccomp profile p\.json: not JSON/],
    ['[]', /not a JSON object/],
    ['{"defaultAction":"SCMP_ACT_NOPE"}', /unknown action "SCMP_ACT_NOPE"/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]}', /needs a listener/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":7,"value":1,"op":"SCMP_CMP_EQ"}]}]}', /index 7/],
    ['{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_ALMOST"}]}]}', /unknown operator/],
  ] as const)
    assert.throws(() => parseProfile(text, 'p.json'), (e: Error) => msg.test(e.message) && !e.message.includes('\n'), text);
});

test('the default profile is a few hundred instructions, within the kernel limit, encoded 8 bytes each', () => {
  assert.ok(dflt.length < 1024, `${dflt.length} instructions`);
  const buf = encode(dflt);
  assert.equal(buf.length, dflt.length * 8);
  assert.equal(buf.readUInt16LE(0), 0x20);
  assert.equal(buf.readUInt32LE(4), 4);
  // a long left side jumps through a JA: a profile with alternating verdicts
  const alt: Profile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: [...X86_64_SYSCALLS.keys()].filter((n) => X86_64_SYSCALLS.get(n)! % 2 === 0), action: 'SCMP_ACT_ALLOW' }] };
  const prog = compile(alt, { caps: [], kernel: KERNEL }).program;
  assert.ok(prog.some((x) => x.code === 0x05), 'a JA is used');
  for (const [name, n] of X86_64_SYSCALLS) assert.equal(run(prog, name), n % 2 === 0 ? ALLOW : EPERM, name);
});
