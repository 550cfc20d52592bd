// The OCI `linux.seccomp` form of a profile resolved for one container (conditions
// applied, x86_64 names only): what runc or crun would be given to apply the same
// filter. The bench runs crun with it beside hutch's own program.
import os from 'node:os';
import { DEFAULT_PROFILE } from './default-profile.js';
import { resolveRules, type Arg, type Profile } from './profile.js';
import { X86_64_SYSCALLS } from './syscalls-x86_64.js';

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  flags?: string[];
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: Arg[] }>;
}

export function ociSeccomp(caps: readonly string[], p: Profile = DEFAULT_PROFILE, kernel = os.release()): OciSeccomp {
  // Rules with the same action and arguments share one entry, in first-seen order.
  const groups = new Map<string, OciSeccomp['syscalls'][number]>();
  for (const r of resolveRules(p, { caps, kernel })) {
    if (!X86_64_SYSCALLS.has(r.name)) continue;
    const key = JSON.stringify([r.action, r.errnoRet, r.args]);
    let g = groups.get(key);
    if (!g) {
      g = { names: [], action: r.action, ...(r.errnoRet !== undefined ? { errnoRet: r.errnoRet } : {}), ...(r.args.length ? { args: r.args } : {}) };
      groups.set(key, g);
    }
    if (!g.names.includes(r.name)) g.names.push(r.name);
  }
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    architectures: ['SCMP_ARCH_X86_64'],
    ...(p.flags?.length ? { flags: p.flags } : {}),
    syscalls: [...groups.values()],
  };
}
