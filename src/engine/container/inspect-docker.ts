// `docker inspect`'s record of a container, built from hutch's record: scripts written
// for docker (`--format '{{.State.Status}}'`, `{{.NetworkSettings.Networks.x.IPAddress}}`)
// read the same fields. What only hutch has (bundle, monitor, seccomp program, id range,
// veths) sits under one key, `Hutch`, so docker's keys mean exactly what docker's do.
// Pure but for the loader at the end: the test fake builds its records with it too.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerInfo, ContainerSpec, Endpoint, HealthState, ImageDetail } from '../types.js';
import type { IdRange } from '../security/userns.js';
import { files } from './record.js';
import { mergedHealthcheck } from './health-config.js';
import { networkMode } from '../network/endpoint.js';
import type { OciConfig } from '../spec/build.js';

/** docker's "never": StartedAt/FinishedAt of a container that has not got there. */
const ZERO_TIME = '0001-01-01T00:00:00Z';
const DEFAULT_SHM = 64 * 1024 * 1024;

type Json = Record<string, unknown>;

/** docker's ContainerJSON, as `hutch inspect` prints it. */
export interface ContainerDetail {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
    Health?: HealthState;
  };
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  ExecIDs: null;
  HostConfig: Json;
  GraphDriver: { Name: string; Data: Record<string, string> };
  Mounts: Json[];
  Config: Json;
  NetworkSettings: Json;
  /** hutch's own: where its files are, its monitor, what it runs under, the request as recorded. */
  Hutch: Json;
}

/** What the record alone does not say: from the bundle's config.json and the image. */
export interface DetailSources {
  /** The environment the container's process gets (config.json process.env). */
  env: string[];
  /** Its hostname ('' on the host's network: the host's). */
  hostname: string;
  /** The image's inspect record (null: the image is gone). */
  image: ImageDetail | null;
  /** It has a cgroup namespace of its own (config.json; not with a user namespace, nor in
   * records made before hutch gave one): docker's CgroupnsMode private, else host. */
  cgroupns?: boolean;
}

/** A stable id for a container's place on a network (docker's EndpointID is random; one made of
 * the two ids names the same endpoint in `inspect` and `network inspect`). */
export function endpointId(containerId: string, networkId: string): string {
  return createHash('sha256').update(`${containerId}/${networkId}`).digest('hex');
}

export function dockerContainer(info: ContainerInfo & { idRange?: IdRange }, src: DetailSources): ContainerDetail {
  const s = info.spec;
  const status: string = info.status;
  const img = src.image?.Config;
  const entrypoint = s.entrypoint !== undefined ? (s.entrypoint.length ? s.entrypoint : null) : (img?.Entrypoint ?? null);
  const ep = entrypoint ?? [];
  const ownCmd = ep.every((a, i) => info.command[i] === a) ? info.command.slice(ep.length) : info.command;
  const hostNet = s.network === 'host';
  const b = info.bundle;
  return {
    Id: info.id,
    Created: info.created,
    Path: info.command[0] ?? '',
    Args: info.command.slice(1),
    State: {
      // A paused container is still running (docker: Status paused, Running and Paused true).
      Status: status === 'unknown' ? 'dead' : info.paused && status === 'running' ? 'paused' : info.restarting && status === 'exited' ? 'restarting' : status,
      // docker's SetRestarting keeps Running true through the delay (Pid 0).
      Running: status === 'running' || (!!info.restarting && status === 'exited'),
      Paused: !!info.paused && status === 'running',
      // Waiting out its restart policy's delay (engine/container/restart-policy.ts).
      Restarting: !!info.restarting && status === 'exited',
      OOMKilled: info.oomKilled,
      Dead: status === 'unknown',
      Pid: info.pid,
      ExitCode: info.exitCode ?? 0,
      Error: info.problem ?? '',
      StartedAt: info.startedAt || ZERO_TIME,
      FinishedAt: info.finishedAt || ZERO_TIME,
      // Written by its monitor (container/health.ts); a container with a check that never ran shows starting.
      ...(info.healthcheck ? { Health: info.health ?? { Status: 'starting', FailingStreak: 0, Log: [] } } : {}),
    },
    Image: info.imageId ?? src.image?.Id ?? '',
    ResolvConfPath: info.endpoints?.length ? files.resolv(b) : '',
    HostnamePath: hostNet ? '' : files.hostname(b),
    HostsPath: hostNet ? '' : files.hosts(b),
    LogPath: info.logPath,
    Name: `/${info.name}`,
    RestartCount: info.restartCount ?? 0,
    Driver: 'overlay',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: info.apparmorProfile ?? '',
    ExecIDs: null,
    HostConfig: hostConfig(info, src.cgroupns),
    GraphDriver: { Name: 'overlay', Data: { MergedDir: files.rootfs(b), UpperDir: files.upper(b), WorkDir: files.work(b) } },
    Mounts: mounts(info),
    Config: {
      Hostname: src.hostname || (hostNet ? os.hostname() : ''),
      Domainname: '',
      User: s.user ?? img?.User ?? '',
      Tty: !!s.tty,
      OpenStdin: !!s.interactive,
      StdinOnce: false,
      Env: configEnv(src.env, s, img?.Env ?? []),
      Cmd: ownCmd.length ? ownCmd : null,
      ...(s.healthcheck || img?.Healthcheck ? { Healthcheck: mergedHealthcheck(s.healthcheck, img?.Healthcheck) } : {}),
      Image: info.image,
      Volumes: volumes(info, img?.Volumes),
      WorkingDir: s.workdir || img?.WorkingDir || '',
      Entrypoint: entrypoint,
      OnBuild: img?.OnBuild ?? null,
      Labels: { ...(img?.Labels ?? {}), ...(s.labels ?? {}) },
      ...(exposed(info, img?.ExposedPorts) ?? {}),
      ...(s.stopSignal || img?.StopSignal ? { StopSignal: s.stopSignal || img?.StopSignal } : {}),
      ...(s.stopTimeout !== undefined ? { StopTimeout: s.stopTimeout } : {}),
    },
    NetworkSettings: networkSettings(info, img?.ExposedPorts),
    Hutch: {
      bundle: b,
      monitorPid: info.monitorPid,
      cgroupPaths: info.cgroupPaths,
      ...(info.seccompProfile ? { seccompProfile: info.seccompProfile } : {}),
      ...(info.idRange ? { idRange: info.idRange } : {}),
      endpoints: info.endpoints ?? [],
      spec: s,
    },
  };
}

/**
 * docker's Config.Env: the image's variables, PATH, TERM for a tty and the user's,
 * with the values the process got (a bare `-e K` was resolved at create). HOME and
 * HOSTNAME, which the runtime adds, are left out, as docker does.
 */
function configEnv(processEnv: string[], s: ContainerSpec, imageEnv: string[]): string[] {
  const key = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  const keep = new Set(['PATH', ...(s.tty ? ['TERM'] : []), ...imageEnv.map(key), ...(s.env ?? []).map(key)]);
  return processEnv.filter((e) => keep.has(key(e)));
}

function hostConfig(info: ContainerInfo, cgroupns: boolean | undefined): Json {
  const s = info.spec;
  const reqs = s.mounts ?? [];
  // `-v` binds and named volumes are Binds as docker writes them; --mount binds are Mounts.
  const binds = reqs
    .filter((m) => (m.type === 'bind' && m.createSource) || (m.type === 'volume' && m.source))
    .map((m) => `${m.source}:${m.target}${m.mode ? `:${m.mode}` : m.readOnly ? ':ro' : ''}`);
  const mountFlags = reqs.filter((m) => m.type === 'bind' && !m.createSource).map((m) => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: !!m.readOnly }));
  const tmpfs = reqs.filter((m) => m.type === 'tmpfs');
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of s.ports ?? []) (bindings[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp === '0.0.0.0' ? '' : p.hostIp, HostPort: p.hostPort ? String(p.hostPort) : '' });
  const list = <T>(l: T[] | undefined) => (l?.length ? l : null);
  return {
    Binds: list(binds),
    ContainerIDFile: '',
    LogConfig: { Type: 'k8s-file', Config: {} },
    NetworkMode: s.network ?? 'bridge',
    PortBindings: bindings,
    RestartPolicy: s.restartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: !!s.autoRemove,
    VolumeDriver: '',
    VolumesFrom: list(s.volumesFrom),
    CapAdd: list(s.capAdd),
    CapDrop: list(s.capDrop),
    ...(cgroupns !== undefined ? { CgroupnsMode: cgroupns ? 'private' : 'host' } : {}),
    Dns: s.dns ?? [],
    DnsOptions: s.dnsOptions ?? [],
    DnsSearch: s.dnsSearch ?? [],
    ExtraHosts: list(s.addHosts),
    GroupAdd: list(s.groupAdd),
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: s.oomScoreAdj ?? 0,
    PidMode: '',
    Privileged: !!s.privileged,
    PublishAllPorts: !!s.publishAll,
    ReadonlyRootfs: !!s.readOnly,
    SecurityOpt: list(s.securityOpt),
    ...(tmpfs.length ? { Tmpfs: Object.fromEntries(tmpfs.map((m) => [m.target, tmpfsOptions(m)])) } : {}),
    UTSMode: '',
    UsernsMode: s.userns ?? '',
    ShmSize: s.shmSize ?? DEFAULT_SHM,
    Runtime: 'hutch-monitor',
    Isolation: '',
    CpuShares: s.cpuShares ?? 0,
    Memory: s.memory ?? 0,
    NanoCpus: s.cpus ? Math.round(s.cpus * 1e9) : 0,
    CgroupParent: '',
    CpuPeriod: 0,
    CpuQuota: 0,
    Devices: (s.devices ?? []).map((d) => ({ PathOnHost: d.pathOnHost, PathInContainer: d.pathInContainer, CgroupPermissions: d.cgroupPermissions })),
    DeviceCgroupRules: list(s.deviceCgroupRules),
    // Swap is limited to the memory limit unless `update --memory-swap` said otherwise:
    // memory+swap (docker's MemorySwap) is then the memory limit itself.
    MemorySwap: s.memorySwap ?? s.memory ?? 0,
    PidsLimit: s.pidsLimit ?? null,
    Ulimits: s.ulimits?.length ? s.ulimits.map((u) => ({ Name: u.name, Hard: u.hard, Soft: u.soft })) : null,
    ...(mountFlags.length ? { Mounts: mountFlags } : {}),
    ...(s.init ? { Init: true } : {}),
    ...(s.sysctls && Object.keys(s.sysctls).length ? { Sysctls: s.sysctls } : {}),
  };
}

/** `--tmpfs /x:OPTS`'s OPTS as docker shows them (HostConfig.Tmpfs). */
function tmpfsOptions(m: NonNullable<ContainerSpec['mounts']>[number]): string {
  return [...(m.readOnly ? ['ro'] : []), ...(m.tmpfsSize ? [`size=${m.tmpfsSize}`] : []), ...(m.tmpfsMode !== undefined ? [`mode=${m.tmpfsMode.toString(8)}`] : []), ...(m.tmpfsFlags ?? [])].join(',');
}

/** docker's Mounts: Type, Name, Source, Destination, Driver, Mode, RW, Propagation. */
function mounts(info: ContainerInfo): Json[] {
  return (info.mounts ?? []).map((m) =>
    m.type === 'volume'
      ? { Type: 'volume', Name: m.name ?? '', Source: m.source, Destination: m.destination, Driver: 'local', Mode: m.mode, RW: m.rw, Propagation: '' }
      : { Type: m.type, Source: m.source, Destination: m.destination, Mode: m.mode, RW: m.rw, Propagation: m.propagation },
  );
}

/** Config.Volumes: the image's, and the anonymous `-v /dst` ones (docker puts both there). */
function volumes(info: ContainerInfo, image: Record<string, object> | undefined): Record<string, object> | null {
  const out: Record<string, object> = { ...(image ?? {}) };
  for (const m of info.spec.mounts ?? []) if (m.type === 'volume' && !m.source) out[m.target] = {};
  return Object.keys(out).length ? out : null;
}

/** Config.ExposedPorts: the image's and the published ones; absent when none (docker's omitempty). */
function exposed(info: ContainerInfo, image: Record<string, object> | undefined): { ExposedPorts: Record<string, object> } | null {
  const out: Record<string, object> = { ...(image ?? {}) };
  for (const p of info.spec.ports ?? []) out[`${p.containerPort}/${p.protocol}`] = {};
  return Object.keys(out).length ? { ExposedPorts: out } : null;
}

function networkSettings(info: ContainerInfo, imagePorts: Record<string, object> | undefined): Json {
  // Exposed but unpublished ports are listed with null, as docker does.
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const k of Object.keys(imagePorts ?? {})) ports[k] = null;
  for (const p of info.ports ?? []) (ports[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  // hutch's endpoint names are docker's DNSNames (name, short id, --network-alias);
  // Aliases are the ones asked for (docker 25 on).
  const asked = (e: Endpoint) => e.aliases.filter((a) => a !== info.name && a !== info.id.slice(0, 12));
  const entry = (e: Endpoint) => ({
    IPAMConfig: null,
    Links: null,
    Aliases: asked(e).length ? asked(e) : null,
    MacAddress: e.macAddress,
    NetworkID: e.networkId,
    EndpointID: endpointId(info.id, e.networkId),
    Gateway: e.gateway,
    IPAddress: e.ipAddress,
    IPPrefixLen: e.prefixLen,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DriverOpts: null,
    DNSNames: e.aliases.length ? e.aliases : null,
  });
  const networks: Record<string, Json> = Object.fromEntries((info.endpoints ?? []).map((e) => [e.network, entry(e)]));
  const mode = networkMode(info.spec);
  if (mode.kind === 'host' || mode.kind === 'none')
    networks[mode.kind] = { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null };
  // The top-level address fields are the default bridge's alone (docker's legacy fields).
  const def = (info.endpoints ?? []).find((e) => e.network === 'bridge');
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: info.status === 'running' && info.pid ? `/proc/${info.pid}/ns/net` : '',
    HairpinMode: false,
    Ports: ports,
    EndpointID: def ? endpointId(info.id, def.networkId) : '',
    Gateway: def?.gateway ?? '',
    IPAddress: def?.ipAddress ?? '',
    IPPrefixLen: def?.prefixLen ?? 0,
    MacAddress: def?.macAddress ?? '',
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    Networks: networks,
  };
}

/** The container's own process environment and hostname, from its bundle's config.json. */
export function bundleSources(info: ContainerInfo): Omit<DetailSources, 'image'> {
  try {
    const c = JSON.parse(fs.readFileSync(files.config(path.resolve(info.bundle)), 'utf8')) as Partial<OciConfig>;
    return { env: c.process?.env ?? [], hostname: c.hostname ?? '', cgroupns: (c.linux?.namespaces ?? []).some((n) => n.type === 'cgroup') };
  } catch {
    // A bundle being removed under us: what the record says.
    return { env: info.spec.env ?? [], hostname: info.spec.hostname ?? '' };
  }
}
