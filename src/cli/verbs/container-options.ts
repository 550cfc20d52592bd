// Flags shared by `run` and `create`, and their translation into a ContainerSpec.
import type { OptionSpec, ParsedArgs } from '../args.js';
import type { CliContext } from '../context.js';
import type { ContainerSpec } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { parseBytes } from '../../engine/units.js';
import { parsePublish } from '../../engine/network/ports.js';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag } from '../../engine/volumes/parse.js';

export const containerOptions: OptionSpec[] = [
  { long: ['name'], kind: 'string', help: 'Assign a name to the container' },
  { long: ['interactive'], short: 'i', kind: 'bool', help: 'Keep STDIN open' },
  { long: ['tty'], short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
  { long: ['rm'], kind: 'bool', help: 'Automatically remove the container when it exits' },
  { long: ['env'], short: 'e', kind: 'list', value: 'list', help: 'Set environment variables (K=V, or K to copy it from here)' },
  { long: ['workdir'], short: 'w', kind: 'string', help: 'Working directory inside the container (absolute)' },
  { long: ['user'], short: 'u', kind: 'string', help: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { long: ['entrypoint'], kind: 'string', help: "Overwrite the image's default ENTRYPOINT" },
  { long: ['hostname'], short: 'h', kind: 'string', help: 'Container host name' },
  { long: ['network', 'net'], kind: 'string', help: "Connect to a network: 'bridge', a network's name, 'none' (only lo), 'host', 'container:NAME'" },
  { long: ['publish'], short: 'p', kind: 'list', value: 'list', help: "Publish a container's port to the host ([IP:][HOSTPORT:]PORT[/udp], ranges too)" },
  { long: ['publish-all'], short: 'P', kind: 'bool', help: 'Publish all exposed ports to free host ports' },
  { long: ['ip'], kind: 'string', help: 'IPv4 address on the network (e.g. 10.78.0.10)' },
  { long: ['network-alias'], kind: 'list', value: 'list', help: 'Add a network-scoped alias for the container' },
  { long: ['dns'], kind: 'list', value: 'list', help: 'Set custom DNS servers' },
  { long: ['dns-search'], kind: 'list', value: 'list', help: 'Set custom DNS search domains' },
  { long: ['dns-option'], kind: 'list', value: 'list', help: 'Set DNS options' },
  { long: ['add-host'], kind: 'list', value: 'list', help: 'Add a custom host-to-IP mapping (host:ip)' },
  { long: ['volume'], short: 'v', kind: 'list', value: 'list', help: 'Bind mount a volume (/host:/ctr[:opts], NAME:/ctr[:opts], /ctr; opts ro, rw, nocopy, [r]private|[r]shared|[r]slave)' },
  { long: ['mount'], kind: 'list', value: 'mount', help: 'Attach a filesystem mount (type=bind|volume|tmpfs,src=…,dst=…[,readonly][,…])' },
  { long: ['tmpfs'], kind: 'list', value: 'list', help: 'Mount a tmpfs directory (/dst[:opts]; default rw,noexec,nosuid,nodev)' },
  { long: ['read-only'], kind: 'bool', help: "Mount the container's root filesystem as read only" },
  { long: ['volumes-from'], kind: 'list', value: 'list', help: 'Mount volumes from the specified container(s) (CONTAINER[:ro|rw])' },
  { long: ['memory'], short: 'm', kind: 'string', value: 'bytes', help: 'Memory limit (e.g. 256m, 1g); swap is limited to the same' },
  { long: ['cpus'], kind: 'string', value: 'decimal', help: 'Number of CPUs (e.g. 0.5)' },
  { long: ['pids-limit'], kind: 'string', value: 'int', help: 'Tune container pids limit (-1 for unlimited)' },
  { long: ['help'], kind: 'bool', help: 'Print usage' },
];

/** Resolves -e values: 'K=V' as is, 'K' from this environment (dropped if unset). */
export function resolveEnv(entries: readonly string[], env: CliContext['env']): string[] {
  const out: string[] = [];
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq === 0 || e === '') throw new InvalidArgument(`invalid environment variable: ${e}`);
    if (eq > 0) out.push(e);
    else if (env[e] !== undefined) out.push(`${e}=${env[e]}`);
  }
  return out;
}

export function parseCpus(value: string, hostCpus: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new InvalidArgument(`invalid argument ${JSON.stringify(value)} for "--cpus" flag: not a number`);
  }
  if (n < 0.01 || n > hostCpus) {
    throw new InvalidArgument(
      `range of CPUs is from 0.01 to ${hostCpus.toFixed(2)}, as there are only ${hostCpus} CPUs available`,
    );
  }
  return n;
}

export function buildSpec(ctx: CliContext, p: ParsedArgs): ContainerSpec {
  const [image, ...cmd] = p.args;
  const spec: ContainerSpec = { image };
  const name = p.string('name');
  if (name !== undefined) spec.name = name;
  if (cmd.length > 0) spec.cmd = cmd;
  const env = resolveEnv(p.list('env'), ctx.env);
  if (env.length > 0) spec.env = env;

  const workdir = p.string('workdir');
  if (workdir !== undefined) {
    if (!workdir.startsWith('/')) {
      throw new InvalidArgument(`the working directory '${workdir}' is invalid, it needs to be an absolute path`);
    }
    spec.workdir = workdir;
  }
  const user = p.string('user');
  if (user !== undefined) spec.user = user;
  const entrypoint = p.string('entrypoint');
  if (entrypoint !== undefined) spec.entrypoint = entrypoint === '' ? [] : [entrypoint];
  const hostname = p.string('hostname');
  if (hostname !== undefined) spec.hostname = hostname;

  const network = p.string('network');
  if (network !== undefined) {
    if (network === '') throw new InvalidArgument('invalid network mode "": give a network name, none, host or container:NAME');
    spec.network = network;
  }
  const ports = p.list('publish').flatMap(parsePublish);
  if (ports.length > 0) spec.ports = ports;
  if (p.bool('publish-all')) spec.publishAll = true;
  const ip = p.string('ip');
  if (ip !== undefined) spec.ip = ip;
  const lists: [string, 'networkAliases' | 'dns' | 'dnsSearch' | 'dnsOptions' | 'addHosts'][] = [
    ['network-alias', 'networkAliases'],
    ['dns', 'dns'],
    ['dns-search', 'dnsSearch'],
    ['dns-option', 'dnsOptions'],
    ['add-host', 'addHosts'],
  ];
  for (const [flag, key] of lists) {
    const v = p.list(flag);
    if (v.length > 0) spec[key] = v;
  }

  // docker's order: -v, then --mount, then --tmpfs; duplicates are the engine's to refuse.
  const mounts = [...p.list('volume').map(parseVolumeFlag), ...p.list('mount').map(parseMountFlag), ...p.list('tmpfs').map(parseTmpfsFlag)];
  if (mounts.length > 0) spec.mounts = mounts;
  if (p.bool('read-only')) spec.readOnly = true;
  const from = p.list('volumes-from');
  if (from.length > 0) spec.volumesFrom = from;

  const memory = p.string('memory');
  if (memory !== undefined) {
    const bytes = parseBytes(memory);
    if (bytes > 0) spec.memory = bytes; // 0 means unlimited, as in docker
  }
  const cpus = p.string('cpus');
  if (cpus !== undefined) spec.cpus = parseCpus(cpus, ctx.hostCpus);

  const pids = p.string('pids-limit');
  if (pids !== undefined) {
    if (!/^-?\d+$/.test(pids.trim())) {
      throw new InvalidArgument(`invalid argument ${JSON.stringify(pids)} for "--pids-limit" flag: not an integer`);
    }
    const n = Number(pids);
    if (n > 0) spec.pidsLimit = n; // 0 or -1: unlimited
  }

  if (p.bool('tty')) spec.tty = true;
  if (p.bool('interactive')) spec.interactive = true;
  if (p.bool('rm')) spec.autoRemove = true;
  if (spec.network === 'host' && (spec.ports?.length || spec.publishAll)) {
    // docker's warning; the ports are dropped.
    ctx.stderr.write('WARNING: Published ports are discarded when using host network mode\n');
    delete spec.ports;
    delete spec.publishAll;
  }
  return spec;
}
