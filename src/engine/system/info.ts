// `info`: docker's fields that apply to hutch (no daemon, so no server settings
// beyond the state root), plus the cgroup layout hutch works on.
import fs from 'node:fs';
import os from 'node:os';
import type { ContainerInfo, SystemInfo } from '../types.js';
import type { Ctx } from '../container/context.js';
import { detectLayout, parseMountinfo } from '../cgroups/mountinfo.js';
import { readSettings } from '../settings.js';
import pkg from '../../../package.json' with { type: 'json' };

/** What the host offers, read from the kernel; tests give their own. */
export interface HostFacts {
  mountinfo(): string;
  osRelease(): string;
  seccomp(): boolean;
  apparmor(): boolean;
}

const readOr = (file: string, dflt: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return dflt;
  }
};

export const realHost: HostFacts = {
  mountinfo: () => readOr('/proc/self/mountinfo', ''),
  osRelease: () => readOr('/etc/os-release', '') || readOr('/usr/lib/os-release', ''),
  // The kernel shows a Seccomp line in /proc/PID/status only when built with it.
  seccomp: () => /^Seccomp:/m.test(readOr('/proc/self/status', '')),
  apparmor: () => readOr('/sys/module/apparmor/parameters/enabled', 'N').trim() === 'Y',
};

/** PRETTY_NAME of os-release, as docker's OperatingSystem. */
export function prettyName(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  return m ? m[1].trim().replace(/^"(.*)"$/, '$1') : 'Linux';
}

export function systemInfo(ctx: Ctx, containers: ContainerInfo[], images: number, host: HostFacts = realHost): SystemInfo {
  const running = containers.filter((c) => c.status === 'running');
  const paused = running.filter((c) => c.paused).length;
  let hierarchies: SystemInfo['Cgroups']['Hierarchies'] = [];
  try {
    const l = detectLayout(parseMountinfo(host.mountinfo()));
    hierarchies = [...l.v1.map((h) => ({ Controllers: h.controllers.length ? [...h.controllers] : [`name=${h.name ?? '?'}`], MountPoint: h.mountPoint })), ...(l.unified ? [{ Controllers: ['unified'], MountPoint: l.unified.mountPoint }] : [])];
  } catch {
    /* no cgroups mounted: the engine would not have opened */
  }
  const security = [];
  if (host.apparmor()) security.push('name=apparmor');
  if (host.seccomp()) security.push('name=seccomp,profile=builtin');
  let remap: string | undefined;
  try {
    remap = readSettings(ctx.paths.root).usernsRemap;
  } catch {
    /* a bad settings file: create says so */
  }
  if (remap) security.push('name=userns');
  // Each container has a cgroup namespace of its own (spec/build.ts), on any layout, except
  // in a user namespace (where binding the hierarchies needs the host's CAP_SYS_ADMIN).
  else security.push('name=cgroupns');
  return {
    Containers: containers.length,
    ContainersRunning: running.length - paused,
    ContainersPaused: paused,
    ContainersStopped: containers.length - running.length,
    Images: images,
    Driver: 'overlay',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: ctx.cgroups.mode === 'v2' ? '2' : '1',
    KernelVersion: os.release(),
    OperatingSystem: prettyName(host.osRelease()),
    OSType: 'linux',
    Architecture: os.machine(),
    NCPU: os.cpus().length || 1,
    MemTotal: os.totalmem(),
    Name: os.hostname(),
    ServerVersion: pkg.version,
    DockerRootDir: ctx.paths.root,
    SecurityOptions: security,
    Cgroups: { Layout: ctx.cgroups.mode, Parent: ctx.cgroups.parent, Hierarchies: hierarchies },
  };
}
