// --cap-add / --cap-drop / --privileged: docker's rules (moby oci/caps) over its 14
// default capabilities. Names are taken with or without `CAP_`, in any case.
import fs from 'node:fs';
import { InvalidArgument } from '../errors.js';
import { DEFAULT_CAPS } from '../spec/defaults.js';

/** <linux/capability.h> in bit order, up to CAP_CHECKPOINT_RESTORE (40), as the monitor's table. */
export const KNOWN_CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW',
  'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT',
  'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD',
  'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG',
  'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
].map((n) => `CAP_${n}`);

let all: string[] | undefined;
/**
 * Every capability this process may give (docker's GetAllCapabilities is every one the
 * kernel knows): the known ones in hutch's own permitted set, since a child can never
 * be given more (where hutch itself runs confined, --privileged still starts).
 */
export function allCaps(): string[] {
  if (all) return all;
  const m = /^CapPrm:\s*([0-9a-f]+)$/m.exec(readOr('/proc/self/status'));
  if (m) {
    const bits = BigInt(`0x${m[1]}`);
    all = KNOWN_CAPS.filter((_, i) => (bits >> BigInt(i)) & 1n);
  } else {
    const n = Number(readOr('/proc/sys/kernel/cap_last_cap').trim());
    all = KNOWN_CAPS.slice(0, Number.isInteger(n) && n > 0 ? n + 1 : KNOWN_CAPS.length);
  }
  return all;
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** 'net_admin', 'CAP_NET_ADMIN', 'all' → 'CAP_NET_ADMIN', 'ALL'; an unknown name is docker's error. */
export function normalizeCap(name: string, flag: 'CapAdd' | 'CapDrop'): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return 'ALL';
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!KNOWN_CAPS.includes(full)) throw new InvalidArgument(`invalid ${flag}: unknown capability: ${JSON.stringify(full)}`);
  return full;
}

/**
 * The bounding, effective and permitted set (docker's TweakCapabilities):
 * privileged or `--cap-add ALL` → all (minus the drops), `--cap-drop ALL` → only the
 * adds, else the defaults minus the drops plus the adds (an add beats a drop).
 */
export function capsFor(spec: { privileged?: boolean; capAdd?: readonly string[]; capDrop?: readonly string[] }): string[] {
  if (spec.privileged) return allCaps();
  const add = (spec.capAdd ?? []).map((c) => normalizeCap(c, 'CapAdd'));
  const drop = (spec.capDrop ?? []).map((c) => normalizeCap(c, 'CapDrop'));
  let caps: string[];
  if (add.includes('ALL')) caps = allCaps().filter((c) => !drop.includes(c));
  else if (drop.includes('ALL')) caps = add;
  else caps = [...DEFAULT_CAPS.filter((c) => !drop.includes(c)), ...add];
  return [...new Set(caps)];
}
