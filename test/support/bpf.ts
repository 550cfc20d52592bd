// A classic-BPF interpreter for seccomp programs, as the kernel runs them
// (net/core/filter.c, seccomp_check_filter's subset): the unit tests run the
// compiled profile on many (nr, arch, args) inputs and read the verdict.
import type { Insn } from '../../src/engine/security/seccomp/compile.js';

export interface SeccompData {
  nr: number;
  arch: number;
  args?: Array<number | bigint>;
}

function dataBytes(d: SeccompData): Buffer {
  const b = Buffer.alloc(64);
  b.writeInt32LE(d.nr | 0, 0);
  b.writeUInt32LE(d.arch >>> 0, 4);
  (d.args ?? []).forEach((a, i) => b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(a)), 16 + 8 * i));
  return b;
}

/** Runs `prog` on `d`; returns the 32-bit return value. Throws on what the kernel would refuse. */
export function runBpf(prog: readonly Insn[], d: SeccompData): number {
  const mem = dataBytes(d);
  let A = 0;
  let steps = 0;
  for (let pc = 0; pc < prog.length; ) {
    if (++steps > 100000) throw new Error('bpf: no end');
    const x = prog[pc];
    const j = (cond: boolean) => pc + 1 + (cond ? x.jt : x.jf);
    switch (x.code) {
      case 0x20: // ld [k]
        if (x.k % 4 || x.k > 60) throw new Error(`bpf: bad load offset ${x.k}`);
        A = mem.readUInt32LE(x.k);
        pc++;
        break;
      case 0x54: A = (A & x.k) >>> 0; pc++; break;
      case 0x05: pc = pc + 1 + x.k; break;
      case 0x15: pc = j(A === x.k >>> 0); break;
      case 0x25: pc = j(A > x.k >>> 0); break;
      case 0x35: pc = j(A >= x.k >>> 0); break;
      case 0x45: pc = j((A & x.k) !== 0); break;
      case 0x06: return x.k >>> 0;
      default: throw new Error(`bpf: opcode 0x${x.code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('bpf: fell off the end');
}
