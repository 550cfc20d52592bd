// The detail view of a remote container: what its stream row does not carry (its
// command, limits, env, mounts, addresses, ports, hostname) from `hutch inspect` there,
// its processes from `hutch top --format json`, and a signal to one of them with the
// unlisted `hutch signal-process`, all over the host's ssh master. Errors name the host.
import type { ContainerDetail, ContainerInfo, ContainerSpec, Endpoint, MountPoint, PortMapping, ProcessInfo, RuntimeConfig } from '../types.js';
import type { SpawnFn } from './remote-host.js';
import { runRemote } from './remote-actions.js';
import { remoteJson } from './remote-shell.js';
import type { SshConfig } from './ssh.js';

/** The fields of a ContainerInfo that `hutch inspect` gives and the stream does not. */
export type RemoteDetail = Pick<ContainerInfo, 'command' | 'spec' | 'mounts' | 'endpoints' | 'ports' | 'oomKilled'> & { hostname: string };

export async function remoteInspect(spawn: SpawnFn, cfg: SshConfig, host: string, id: string): Promise<ContainerDetail> {
  const list = await remoteJson<ContainerDetail[]>(spawn, cfg, host, ['inspect', '--type', 'container', id]);
  if (!Array.isArray(list) || !list[0]?.Id) throw new Error(`${host}: hutch inspect printed no container record for ${id.slice(0, 12)}`);
  return list[0];
}

type Json = Record<string, unknown>;

/** docker's NetworkSettings.Ports (`"80/tcp": [{HostIp, HostPort}]`) as published ports. */
function ports(d: ContainerDetail): PortMapping[] {
  const out: PortMapping[] = [];
  const all = ((d.NetworkSettings as Json).Ports ?? {}) as Record<string, { HostIp: string; HostPort: string }[] | null>;
  for (const [key, binds] of Object.entries(all)) {
    const [port, proto] = key.split('/');
    for (const b of binds ?? []) out.push({ hostIp: b.HostIp || '0.0.0.0', hostPort: Number(b.HostPort), containerPort: Number(port), protocol: (proto ?? 'tcp') as PortMapping['protocol'] });
  }
  return out;
}

/** docker's Mounts back as the engine's mount points. */
function mounts(d: ContainerDetail): MountPoint[] {
  return (d.Mounts as Json[]).map((m) => ({
    type: m.Type as MountPoint['type'],
    ...(typeof m.Name === 'string' && m.Name ? { name: m.Name } : {}),
    source: String(m.Source ?? ''),
    destination: String(m.Destination ?? ''),
    rw: m.RW !== false,
    propagation: String(m.Propagation ?? ''),
    mode: String(m.Mode ?? ''),
  }));
}

/** What the detail view shows of `d` beyond the stream's row. */
export function detailOf(d: ContainerDetail): RemoteDetail {
  const hutch = d.Hutch ?? {};
  return {
    command: d.Path ? [d.Path, ...d.Args] : [],
    spec: (hutch.spec ?? {}) as ContainerSpec,
    mounts: mounts(d),
    endpoints: (hutch.endpoints ?? []) as Endpoint[],
    ports: ports(d),
    oomKilled: !!d.State?.OOMKilled,
    hostname: String((d.Config as Json).Hostname ?? ''),
  };
}

/** A stream row with the detail merged in (the stream's name, image and state stay: they are newer). */
export function withDetail(row: ContainerInfo, d: RemoteDetail | undefined): ContainerInfo {
  if (!d) return row;
  return { ...row, command: d.command, spec: { ...d.spec, image: row.image, name: row.name }, mounts: d.mounts, endpoints: d.endpoints, ports: d.ports, oomKilled: d.oomKilled };
}

export function runtimeConfigOf(d: RemoteDetail): RuntimeConfig {
  // The runtime's own mounts (/proc, /dev …) are in the bundle there, not in inspect: the container's own are in `mounts`.
  return { hostname: d.hostname, mounts: [] };
}

export async function remoteTop(spawn: SpawnFn, cfg: SshConfig, host: string, id: string): Promise<ProcessInfo[]> {
  const procs = await remoteJson<ProcessInfo[]>(spawn, cfg, host, ['top', '--format', 'json', id]);
  if (!Array.isArray(procs)) throw new Error(`${host}: hutch top --format json printed no list`);
  return procs;
}

export async function remoteSignalProcess(spawn: SpawnFn, cfg: SshConfig, host: string, id: string, pid: number, signal: string | number): Promise<void> {
  await runRemote(spawn, cfg, host, ['signal-process', id, String(pid), String(signal)]);
}
