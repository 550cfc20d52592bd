// --security-opt, read as docker's daemon does (parseSecurityOpt): `no-new-privileges`
// [=BOOL], `label=…` (a no-op: no SELinux here, as docker without it), `apparmor=…`,
// `seccomp=…` (handed on as given to security/seccomp), `KEY:VALUE` as an old spelling.
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

/**
 * `apparmor=PROFILE`: a name (whether it is loaded is checked at create, and only where
 * AppArmor is enabled: docker ignores the option elsewhere, and so does hutch).
 */
export function checkApparmor(profile: string | undefined): void {
  if (profile !== undefined && !/^[^\s\0]+$/.test(profile)) throw new InvalidArgument(`invalid --security-opt apparmor=${JSON.stringify(profile)}: a profile name or unconfined`);
}
