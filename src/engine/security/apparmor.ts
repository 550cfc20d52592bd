// AppArmor, where the kernel has it enabled (docker's rules): a container runs under
// `hutch-default` — the same rules as docker's `docker-default` profile (moby's
// profiles/apparmor/template.go, written here as data) — unless it asks for
// `--security-opt apparmor=PROFILE` (a profile already loaded) or `unconfined`, or is
// `--privileged` (unconfined, as docker). The profile is put in config.json's standard
// `process.apparmorProfile`; the monitor asks the kernel for it at the container's
// execve (/proc/self/attr/apparmor/exec), for `exec` too. Where AppArmor is not
// enabled nothing is applied and nothing is said, as docker.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { InvalidArgument, SystemError } from '../errors.js';

export const DEFAULT_PROFILE = 'hutch-default';

/** The default profile's text, for apparmor_parser. */
export function defaultProfileText(name = DEFAULT_PROFILE): string {
  return `#include <tunables/global>

profile ${name} flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>

  network,
  capability,
  file,
  umount,
  # Signals from unconfined processes (hutch, the monitor, the host's root), and
  # between processes of containers under this profile.
  signal (receive) peer=unconfined,
  signal (send,receive) peer=${name},

  # No writes to files directly in /proc, nor outside /proc/<pid>/ and /proc/sys/kernel/shm*.
  deny @{PROC}/* w,
  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** w,
  deny @{PROC}/sys/[^k]** w,
  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,
  deny @{PROC}/sysrq-trigger rwklx,
  deny @{PROC}/kcore rwklx,

  deny mount,

  # /sys read-only but for cgroups; firmware, powercap and security hidden.
  deny /sys/[^f]*/** wklx,
  deny /sys/f[^s]*/** wklx,
  deny /sys/fs/[^c]*/** wklx,
  deny /sys/fs/c[^g]*/** wklx,
  deny /sys/fs/cg[^r]*/** wklx,
  deny /sys/firmware/** rwklx,
  deny /sys/devices/virtual/powercap/** rwklx,
  deny /sys/kernel/security/** rwklx,

  # ps inside and on the host without denials in the log.
  ptrace (trace,read,tracedby,readby) peer=${name},
}
`;
}

/** What the host's AppArmor offers; the real one reads the kernel, tests give a fake. */
export interface AppArmorHost {
  enabled(): boolean;
  /** Whether a profile of that name is loaded. */
  loaded(name: string): boolean;
  /** Loads (or replaces) a profile from its text. */
  load(text: string): void;
}

/**
 * The profile for config.json's `process.apparmorProfile`, or undefined (none
 * applied): loads hutch-default first when it is not loaded yet.
 */
export function apparmorProfileFor(spec: { apparmor?: string; privileged?: boolean }, host: AppArmorHost = realHost): string | undefined {
  if (!host.enabled()) return undefined;
  if (spec.apparmor === 'unconfined' || (spec.privileged && spec.apparmor === undefined)) return undefined;
  const name = spec.apparmor ?? DEFAULT_PROFILE;
  if (host.loaded(name)) return name;
  if (name !== DEFAULT_PROFILE) throw new InvalidArgument(`apparmor profile ${JSON.stringify(name)} is not loaded (load it with apparmor_parser first)`);
  host.load(defaultProfileText());
  return name;
}

const PROFILES = '/sys/kernel/security/apparmor/profiles';

let apparmorOn: boolean | undefined;
function readEnabled(): boolean {
  try {
    return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
}

const realHost: AppArmorHost = {
  // Read once per process: it is the kernel's, and every create asks.
  enabled: () => (apparmorOn ??= readEnabled()),
  // Lines "NAME (MODE)".
  loaded: (name) => {
    try {
      return fs.readFileSync(PROFILES, 'utf8').split('\n').some((l) => l.slice(0, l.lastIndexOf(' (')) === name);
    } catch {
      return false;
    }
  },
  load: (text) => {
    // -K: no cache written; -r: replace a loaded one.
    const r = spawnSync('apparmor_parser', ['-Kr'], { input: text, encoding: 'utf8' });
    if (r.error) throw new SystemError(`loading AppArmor profile ${DEFAULT_PROFILE}: apparmor_parser not found (apt-get install apparmor)`);
    if (r.status !== 0) throw new SystemError(`loading AppArmor profile ${DEFAULT_PROFILE}: apparmor_parser exited ${r.status}: ${(r.stderr || '').trim().split('\n')[0]}`);
  },
};
