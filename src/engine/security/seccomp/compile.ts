// Compiles a profile to the classic BPF program seccomp(2) runs, for x86_64, without
// libseccomp (a fresh Debian has no libseccomp-dev, and `npm install` must build).
// The program:
//   arch != AUDIT_ARCH_X86_64              → the default action (x86 and x32 callers too)
//   nr has __X32_SYSCALL_BIT               → the default action
//   nr > the highest number the table knows → ENOSYS (runc's stub: glibc falls back
//                                             from syscalls newer than the profile)
//   then a binary search over ranges of numbers with the same verdict; a syscall with
//   argument rules gets a leaf that checks them in profile order.
// Arguments are 64-bit and BPF loads 32 bits: every comparison looks at the high
// word first and at the low word only when the high words are equal.
import { X86_64_MAX_SYSCALL, X86_64_SYSCALLS } from './syscalls-x86_64.js';
import { resolveRules, type Arg, type Profile, type Resolved, type Target } from './profile.js';

/** Part of the cache key: bump when the same inputs would compile differently. */
export const COMPILER_VERSION = 1;

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const X32_SYSCALL_BIT = 0x40000000;
export const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;
const ENOSYS = 38;
const EPERM = 1;

// Classic BPF opcodes (linux/filter.h).
export const OP = {
  LD_W_ABS: 0x20,
  ALU_AND_K: 0x54,
  JA: 0x05,
  JEQ_K: 0x15,
  JGT_K: 0x25,
  JGE_K: 0x35,
  JSET_K: 0x45,
  RET_K: 0x06,
} as const;

/** The 32-bit return value of an action. */
export function actionValue(action: string, errnoRet: number | undefined): number {
  switch (action) {
    case 'SCMP_ACT_ALLOW': return RET.ALLOW;
    case 'SCMP_ACT_ERRNO': return (RET.ERRNO | ((errnoRet ?? EPERM) & 0xffff)) >>> 0;
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD': return RET.KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS': return RET.KILL_PROCESS;
    case 'SCMP_ACT_TRAP': return RET.TRAP;
    case 'SCMP_ACT_TRACE': return (RET.TRACE | ((errnoRet ?? 0) & 0xffff)) >>> 0;
    case 'SCMP_ACT_LOG': return RET.LOG;
    default: throw new Error(`seccomp: unknown action ${action}`);
  }
}

// seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little endian).
const NR = 0;
const ARCH = 4;
const argLo = (i: number) => 16 + 8 * i;
const argHi = (i: number) => 20 + 8 * i;

/** A tiny assembler for one block: jumps to labels, resolved to relative offsets. */
class Block {
  readonly insns: Array<{ code: number; jt: number | string; jf: number | string; k: number }> = [];
  private readonly labels = new Map<string, number>();
  emit(code: number, k: number, jt: number | string = 0, jf: number | string = 0): void {
    this.insns.push({ code, jt, jf, k: k >>> 0 });
  }
  label(name: string): void {
    this.labels.set(name, this.insns.length);
  }
  resolve(): Insn[] {
    return this.insns.map((x, i) => {
      const off = (t: number | string) => {
        if (typeof t === 'number') return t;
        const at = this.labels.get(t);
        if (at === undefined) throw new Error(`seccomp compiler: no label ${t}`);
        const d = at - i - 1;
        if (d < 0 || d > 255) throw new Error(`seccomp compiler: jump of ${d} to ${t}`);
        return d;
      };
      return { code: x.code, jt: off(x.jt), jf: off(x.jf), k: x.k };
    });
  }
}

const split = (v: number | bigint): [number, number] => {
  const b = BigInt.asUintN(64, BigInt(v));
  return [Number(b >> 32n), Number(b & 0xffffffffn)];
};

/** Code that falls through when the argument comparison holds and jumps to `fail` when not. */
function emitArg(b: Block, a: Arg, fail: string, ok: string): void {
  const [hi, lo] = split(a.value);
  const L = OP.LD_W_ABS;
  switch (a.op) {
    case 'SCMP_CMP_EQ':
      b.emit(L, argHi(a.index)); b.emit(OP.JEQ_K, hi, 0, fail);
      b.emit(L, argLo(a.index)); b.emit(OP.JEQ_K, lo, 0, fail);
      return;
    case 'SCMP_CMP_NE':
      b.emit(L, argHi(a.index)); b.emit(OP.JEQ_K, hi, 0, ok);
      b.emit(L, argLo(a.index)); b.emit(OP.JEQ_K, lo, fail, 0);
      break;
    case 'SCMP_CMP_MASKED_EQ': {
      const [dhi, dlo] = split(a.valueTwo ?? 0);
      b.emit(L, argHi(a.index)); b.emit(OP.ALU_AND_K, hi); b.emit(OP.JEQ_K, dhi, 0, fail);
      b.emit(L, argLo(a.index)); b.emit(OP.ALU_AND_K, lo); b.emit(OP.JEQ_K, dlo, 0, fail);
      return;
    }
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE':
      b.emit(L, argHi(a.index)); b.emit(OP.JGT_K, hi, ok, 0); b.emit(OP.JEQ_K, hi, 0, fail);
      b.emit(L, argLo(a.index)); b.emit(a.op === 'SCMP_CMP_GT' ? OP.JGT_K : OP.JGE_K, lo, ok, fail);
      break;
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE':
      b.emit(L, argHi(a.index)); b.emit(OP.JGT_K, hi, fail, 0); b.emit(OP.JEQ_K, hi, 0, ok);
      b.emit(L, argLo(a.index)); b.emit(a.op === 'SCMP_CMP_LT' ? OP.JGE_K : OP.JGT_K, lo, fail, ok);
      break;
    default:
      throw new Error(`seccomp: unknown operator ${String(a.op)}`);
  }
  b.label(ok);
}

/** One syscall's verdict: a plain return, or a leaf with argument checks. */
type Verdict = { ret: number } | { rules: Resolved[]; fallback: number };

function leaf(v: Verdict): Insn[] {
  const b = new Block();
  if ('ret' in v) {
    b.emit(OP.RET_K, v.ret);
    return b.resolve();
  }
  v.rules.forEach((r, i) => {
    const fail = `next${i}`;
    r.args.forEach((a, j) => emitArg(b, a, fail, `ok${i}.${j}`));
    b.emit(OP.RET_K, actionValue(r.action, r.errnoRet));
    b.label(fail);
  });
  b.emit(OP.RET_K, v.fallback);
  return b.resolve();
}

/** Ranges [start, next start) of numbers sharing one verdict, as a tree of JGE. */
function tree(ranges: Array<{ start: number; code: Insn[] }>): Insn[] {
  if (ranges.length === 1) return ranges[0].code;
  const mid = ranges.length >> 1;
  const left = tree(ranges.slice(0, mid));
  const right = tree(ranges.slice(mid));
  // jge start(mid) → right, else fall into left; a left side too long for an 8-bit
  // jump goes through a JA with its 32-bit offset.
  if (left.length <= 255) return [{ code: OP.JGE_K, jt: left.length, jf: 0, k: ranges[mid].start }, ...left, ...right];
  return [{ code: OP.JGE_K, jt: 0, jf: 1, k: ranges[mid].start }, { code: OP.JA, jt: 0, jf: 0, k: left.length }, ...left, ...right];
}

export interface Compiled {
  program: Insn[];
  /** Names the profile gives that x86_64 has no number for (other arches', or newer than the table). */
  unknown: string[];
}

/** Compiles `p` for a container with `t`'s capabilities on `t`'s kernel. */
export function compile(p: Profile, t: Target): Compiled {
  const dflt = actionValue(p.defaultAction, p.defaultErrnoRet);
  const byNr = new Map<number, Resolved[]>();
  const unknown: string[] = [];
  for (const r of resolveRules(p, t)) {
    const nr = X86_64_SYSCALLS.get(r.name);
    if (nr === undefined) {
      unknown.push(r.name);
      continue;
    }
    const list = byNr.get(nr) ?? [];
    list.push(r);
    byNr.set(nr, list);
  }
  const verdict = (nr: number): Verdict => {
    const rules = byNr.get(nr);
    if (!rules) return { ret: dflt };
    // A rule without arguments decides alone (the first one); argument rules only
    // matter for a syscall that has none.
    const plain = rules.find((r) => r.args.length === 0);
    if (plain) return { ret: actionValue(plain.action, plain.errnoRet) };
    return { rules, fallback: dflt };
  };
  const ranges: Array<{ start: number; key: string; code: Insn[] }> = [];
  for (let nr = 0; nr <= X86_64_MAX_SYSCALL; nr++) {
    const v = verdict(nr);
    const key = 'ret' in v ? `ret${v.ret}` : `nr${nr}`;
    if (ranges.length && ranges[ranges.length - 1].key === key) continue;
    ranges.push({ start: nr, key, code: leaf(v) });
  }
  const L = OP.LD_W_ABS;
  const program: Insn[] = [
    { code: L, jt: 0, jf: 0, k: ARCH },
    { code: OP.JEQ_K, jt: 1, jf: 0, k: AUDIT_ARCH_X86_64 },
    { code: OP.RET_K, jt: 0, jf: 0, k: dflt },
    { code: L, jt: 0, jf: 0, k: NR },
    { code: OP.JSET_K, jt: 0, jf: 1, k: X32_SYSCALL_BIT },
    { code: OP.RET_K, jt: 0, jf: 0, k: dflt },
    { code: OP.JGT_K, jt: 0, jf: 1, k: X86_64_MAX_SYSCALL },
    { code: OP.RET_K, jt: 0, jf: 0, k: (RET.ERRNO | ENOSYS) >>> 0 },
    ...tree(ranges),
  ];
  if (program.length > 4096) throw new Error(`seccomp: the profile compiles to ${program.length} instructions, more than the kernel's 4096`);
  return { program, unknown };
}

/** struct sock_filter[] as the kernel reads it: u16 code, u8 jt, u8 jf, u32 k, little endian. */
export function encode(program: readonly Insn[]): Buffer {
  const buf = Buffer.alloc(program.length * 8);
  program.forEach((x, i) => {
    buf.writeUInt16LE(x.code, i * 8);
    buf.writeUInt8(x.jt, i * 8 + 2);
    buf.writeUInt8(x.jf, i * 8 + 3);
    buf.writeUInt32LE(x.k >>> 0, i * 8 + 4);
  });
  return buf;
}
