// The security and process fields of a ContainerSpec, checked before anything is made
// (create's validate, and the test fake's): each error is one line.
import { InvalidArgument } from '../errors.js';
import type { ContainerSpec } from '../types.js';
import { capsFor } from './caps.js';
import { checkDevice, checkDeviceRule } from './devices.js';
import { checkApparmor, parseSecurityOpts } from './options.js';
import { parseUserns } from './userns.js';
import { checkOomScoreAdj, checkSysctl, checkUlimit, signalNumber } from './process.js';

export function validateSecurity(spec: ContainerSpec): void {
  capsFor({ capAdd: spec.capAdd, capDrop: spec.capDrop }); // names
  if (spec.securityOpt) {
    // The derived fields must say what the options say (an API caller may set both).
    const o = parseSecurityOpts(spec.securityOpt);
    if ((o.noNewPrivileges !== undefined && o.noNewPrivileges !== !!spec.noNewPrivileges) || o.seccomp !== spec.seccomp || o.apparmor !== spec.apparmor)
      throw new InvalidArgument('securityOpt disagrees with noNewPrivileges, seccomp or apparmor');
  }
  checkApparmor(spec.apparmor);
  for (const d of spec.devices ?? []) checkDevice(d);
  for (const r of spec.deviceCgroupRules ?? []) checkDeviceRule(r);
  for (const u of spec.ulimits ?? []) checkUlimit(u);
  for (const [k, v] of Object.entries(spec.sysctls ?? {})) checkSysctl(k, v, spec.network);
  if (spec.oomScoreAdj !== undefined) checkOomScoreAdj(spec.oomScoreAdj);
  if (spec.shmSize !== undefined && !(Number.isSafeInteger(spec.shmSize) && spec.shmSize > 0))
    throw new InvalidArgument(`invalid --shm-size: ${spec.shmSize} (a positive number of bytes)`);
  if (spec.stopSignal !== undefined) signalNumber(spec.stopSignal);
  if (spec.stopTimeout !== undefined && !Number.isInteger(spec.stopTimeout))
    throw new InvalidArgument(`invalid --stop-timeout: ${spec.stopTimeout} (whole seconds)`);
  checkUsernsClash(spec, parseUserns(spec.userns).kind === 'auto', '--userns=auto');
  for (const g of spec.groupAdd ?? []) if (!g || g.includes(':') || g.includes('\n')) throw new InvalidArgument(`invalid --group-add: ${JSON.stringify(g)}`);
}

/** Flags that need something of the host's user namespace, refused with a user
 * namespace of the container's own (`what`: --userns=auto or userns-remap), as docker
 * refuses them with remapping. */
export function checkUsernsClash(spec: ContainerSpec, userns: boolean, what: string): void {
  if (!userns) return;
  const clash = spec.privileged ? '--privileged' : spec.network === 'host' ? '--network host' : spec.network?.startsWith('container:') ? '--network container:…' : spec.devices?.length ? '--device' : null;
  if (clash) throw new InvalidArgument(`${what} cannot be combined with ${clash} (use --userns=host)`);
}

/** `--security-opt` values applied to a spec (the CLI's and an API caller's way in). */
export function applySecurityOpts(spec: ContainerSpec, opts: readonly string[]): void {
  if (!opts.length) return;
  const o = parseSecurityOpts(opts);
  spec.securityOpt = [...opts];
  if (o.noNewPrivileges !== undefined) spec.noNewPrivileges = o.noNewPrivileges;
  if (o.seccomp !== undefined) spec.seccomp = o.seccomp;
  if (o.apparmor !== undefined) spec.apparmor = o.apparmor;
}
