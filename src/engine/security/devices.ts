// --device, --device-cgroup-rule and --privileged's devices: the nodes config.json's
// linux.devices makes in the container's /dev, and the device cgroup rules (v1
// devices.allow, v2's BPF program) that let the container use them.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors.js';
import type { ContainerSpec, DeviceMapping } from '../types.js';

/** An OCI linux.devices entry. */
export interface OciDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

const PERMS_RE = /^(?!.*(.).*\1)[rwm]{1,3}$/;
const RULE_RE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** `HOST[:CTR[:PERMS]]` as docker's parseDevice: a second field of only rwm is the permissions. */
export function parseDevice(arg: string): DeviceMapping {
  const f = arg.split(':');
  let [host, ctr, perms] = [f[0], f[0], 'rwm'];
  if (f.length === 3) [host, ctr, perms] = f;
  else if (f.length === 2) {
    if (PERMS_RE.test(f[1])) perms = f[1];
    else ctr = f[1];
  } else if (f.length !== 1) throw new InvalidArgument(`invalid device specification: ${arg}`);
  const d = { pathOnHost: host, pathInContainer: ctr, cgroupPermissions: perms };
  checkDevice(d);
  return d;
}

export function checkDevice(d: DeviceMapping): void {
  if (!PERMS_RE.test(d.cgroupPermissions)) throw new InvalidArgument(`invalid device mode: ${d.cgroupPermissions}`);
  for (const p of [d.pathOnHost, d.pathInContainer])
    if (!p.startsWith('/') || p.includes('\0') || path.posix.normalize(p) === '/') throw new InvalidArgument(`bad format for path: ${p}`);
}

export function checkDeviceRule(rule: string): void {
  if (!RULE_RE.test(rule)) throw new InvalidArgument(`invalid device cgroup format '${rule}'`);
}

function major(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}
function minor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}

function nodeOf(host: string, ctr: string): OciDevice | null {
  const st = fs.statSync(host); // follows a symlink, as docker does
  if (!st.isCharacterDevice() && !st.isBlockDevice()) return null;
  return { path: ctr, type: st.isCharacterDevice() ? 'c' : 'b', major: major(st.rdev), minor: minor(st.rdev), fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/** runc's GetDevices: what lives under `dir`, without pts, shm, mqueue, fd and the console. */
function walk(dir: string, ctrDir: string, out: Array<{ node: OciDevice; host: string }>): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const host = path.join(dir, e.name);
    const ctr = path.posix.join(ctrDir, e.name);
    if (e.isDirectory()) {
      if (!['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev'].includes(e.name)) walk(host, ctr, out);
    } else if ((e.isCharacterDevice() || e.isBlockDevice()) && e.name !== 'console') {
      const node = nodeOf(host, ctr);
      if (node) out.push({ node, host });
    }
  }
}

/** The nodes for one --device: the device, or every device under a directory (docker). */
function resolveDevice(d: DeviceMapping): Array<{ node: OciDevice; host: string }> {
  let st: fs.Stats;
  try {
    st = fs.statSync(d.pathOnHost);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message;
    throw new InvalidArgument(`error gathering device information while adding custom device ${JSON.stringify(d.pathOnHost)}: ${why}`);
  }
  if (st.isDirectory()) {
    const out: Array<{ node: OciDevice; host: string }> = [];
    walk(d.pathOnHost, d.pathInContainer, out);
    return out;
  }
  const node = nodeOf(d.pathOnHost, d.pathInContainer);
  if (!node) throw new InvalidArgument(`error gathering device information while adding custom device ${JSON.stringify(d.pathOnHost)}: not a device node`);
  return [{ node, host: d.pathOnHost }];
}

export interface DevicePlan {
  /** config.json linux.devices. */
  nodes: OciDevice[];
  /** Rules beyond the defaults, in devices.allow form; 'all' for --privileged. */
  rules: string[] | 'all';
}

/** The devices a container gets, resolved on the host now (at create). */
export function devicePlan(spec: Pick<ContainerSpec, 'privileged' | 'devices' | 'deviceCgroupRules'>, devDir = '/dev'): DevicePlan {
  const nodes = new Map<string, OciDevice>();
  const rules: string[] = [];
  if (spec.privileged) {
    const found: Array<{ node: OciDevice; host: string }> = [];
    walk(devDir, '/dev', found);
    for (const f of found) nodes.set(f.node.path, f.node);
  }
  for (const d of spec.devices ?? []) {
    for (const { node } of resolveDevice(d)) {
      nodes.set(node.path, node);
      rules.push(`${node.type} ${node.major}:${node.minor} ${d.cgroupPermissions}`);
    }
  }
  rules.push(...(spec.deviceCgroupRules ?? []));
  return { nodes: [...nodes.values()], rules: spec.privileged ? 'all' : rules };
}

/** OCI linux.resources.devices: deny all, docker's defaults, then these. */
export function ociDeviceResources(defaults: readonly string[], rules: string[] | 'all'): Array<Record<string, unknown>> {
  const entry = (r: string) => {
    const m = RULE_RE.exec(r)!;
    const num = (s: string) => (s === '*' ? undefined : Number(s));
    return { allow: true, type: m[1], ...(num(m[2]) !== undefined ? { major: num(m[2]) } : {}), ...(num(m[3]) !== undefined ? { minor: num(m[3]) } : {}), access: m[4] };
  };
  if (rules === 'all') return [{ allow: true, access: 'rwm' }];
  return [{ allow: false, access: 'rwm' }, ...[...defaults, ...rules].map(entry)];
}

/** The rules beyond the defaults back from a config.json written by ociDeviceResources. */
export function rulesFromResources(list: unknown, defaults: readonly string[]): string[] | 'all' {
  if (!Array.isArray(list)) return [];
  const rules = list
    .filter((e) => e && typeof e === 'object' && (e as { allow?: unknown }).allow === true)
    .map((e) => {
      const d = e as { type?: string; major?: number; minor?: number; access?: string };
      return `${d.type ?? 'a'} ${d.major ?? '*'}:${d.minor ?? '*'} ${d.access ?? 'rwm'}`;
    });
  if (rules.includes('a *:* rwm')) return 'all';
  return rules.filter((r) => !defaults.includes(r));
}
