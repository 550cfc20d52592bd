// --security-opt, read as docker's daemon does (parseSecurityOpt): `no-new-privileges`
// [=BOOL], `label=…` (a no-op: no SELinux here, as docker without it), `apparmor=…`,
// `seccomp=…` (handed on as given to security/seccomp), `KEY:VALUE` as an old spelling.
import fs from 'node:fs';
import { InvalidArgument } from '../errors.js';

export interface SecurityOpts {
  noNewPrivileges?: boolean;
  seccomp?: string;
  apparmor?: string;
}

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return null;
}

export function parseSecurityOpts(opts: readonly string[]): SecurityOpts {
  const out: SecurityOpts = {};
  for (const opt of opts) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') continue; // label disable, old spelling
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : null;
    if (!sep) throw new InvalidArgument(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const i = opt.indexOf(sep);
    const [k, v] = [opt.slice(0, i), opt.slice(i + 1)];
    switch (k) {
      case 'label':
        break;
      case 'apparmor':
        out.apparmor = v;
        break;
      case 'seccomp':
        if (v === '') throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.seccomp = v;
        break;
      case 'no-new-privileges': {
        const b = parseBool(v);
        if (b === null) throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.noNewPrivileges = b;
        break;
      }
      default:
        throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}

/** Whether the kernel has AppArmor enabled (docker's apparmor.HostSupports). */
export function apparmorEnabled(): boolean {
  try {
    return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
}

/**
 * docker ignores `apparmor=` where AppArmor is not enabled, and so does hutch. Where it
 * is, hutch cannot apply a profile yet: any but `unconfined` is refused rather than
 * run less confined than asked.
 */
export function checkApparmor(profile: string | undefined, enabled = apparmorEnabled()): void {
  if (profile === undefined || profile === 'unconfined' || !enabled) return;
  throw new InvalidArgument(`apparmor profile ${JSON.stringify(profile)}: hutch does not apply AppArmor profiles yet (only apparmor=unconfined)`);
}
