// Flags shared by `run` and `create`, and their translation into a ContainerSpec.
import type { OptionSpec, ParsedArgs } from '../args.js';
import type { CliContext } from '../context.js';
import type { ContainerSpec } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { parseBytes } from '../../engine/units.js';
import { parsePublish } from '../../engine/network/ports.js';
import { parseMountFlag, parseTmpfsFlag, parseVolumeFlag } from '../../engine/volumes/parse.js';
import { normalizeCap } from '../../engine/security/caps.js';
import { checkDeviceRule, parseDevice } from '../../engine/security/devices.js';
import { checkOomScoreAdj, parseSysctl, parseUlimit, signalNumber } from '../../engine/security/process.js';
import { applySecurityOpts } from '../../engine/security/validate.js';
import { parseUserns } from '../../engine/security/userns.js';
import { hostPlatform } from '../../engine/images/oci/manifest.js';
import { parseRestartPolicy } from '../../engine/container/update.js';
import fs from 'node:fs';
import { healthOptions, readHealthFlags } from './health-options.js';

export const containerOptions: OptionSpec[] = [
  { long: ['name'], kind: 'string', help: 'Assign a name to the container' },
  { long: ['interactive'], short: 'i', kind: 'bool', help: 'Keep STDIN open' },
  { long: ['tty'], short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
  { long: ['rm'], kind: 'bool', help: 'Automatically remove the container when it exits' },
  { long: ['env'], short: 'e', kind: 'list', value: 'list', help: 'Set environment variables (K=V, or K to copy it from here)' },
  { long: ['env-file'], kind: 'list', value: 'list', help: 'Read in a file of environment variables (KEY=VALUE or KEY lines; # comments)' },
  { long: ['label'], short: 'l', kind: 'list', value: 'list', help: 'Set meta data on a container (K=V)' },
  { long: ['label-file'], kind: 'list', value: 'list', help: 'Read in a line delimited file of labels' },
  { long: ['cidfile'], kind: 'string', help: 'Write the container ID to the file (which must not exist)' },
  { long: ['restart'], kind: 'string', help: 'Restart policy to apply when a container exits: no, on-failure[:max-retries], always, unless-stopped' },
  ...healthOptions,
  { long: ['pull'], kind: 'string', help: 'Pull image before running ("always", "missing", "never"; default "missing")' },
  { long: ['platform'], kind: 'string', help: "Set platform if server is multi-platform capable (only the host's: linux/amd64 here)" },
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
  { long: ['cap-add'], kind: 'list', value: 'list', help: 'Add Linux capabilities (NET_ADMIN, CAP_SYS_TIME, ALL)' },
  { long: ['cap-drop'], kind: 'list', value: 'list', help: 'Drop Linux capabilities (NET_RAW, ALL)' },
  { long: ['privileged'], kind: 'bool', help: 'Give extended privileges: all capabilities and devices, no masked paths, no seccomp' },
  { long: ['security-opt'], kind: 'list', value: 'list', help: 'Security options (no-new-privileges[=true], seccomp=unconfined|PROFILE.json, apparmor=…, label=…)' },
  { long: ['device'], kind: 'list', value: 'list', help: 'Add a host device to the container (HOST[:CTR[:rwm]])' },
  { long: ['device-cgroup-rule'], kind: 'list', value: 'list', help: "Add a rule to the cgroup allowed devices list ('c 1:3 rwm')" },
  { long: ['ulimit'], kind: 'list', value: 'ulimit', help: 'Ulimit options (NAME=SOFT[:HARD], e.g. nofile=1024:2048)' },
  { long: ['sysctl'], kind: 'list', value: 'list', help: 'Sysctl options of the container\'s namespaces (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)' },
  { long: ['oom-score-adj'], kind: 'string', value: 'int', help: "Tune host's OOM preferences (-1000 to 1000)" },
  { long: ['init'], kind: 'bool', help: 'Run an init inside the container that forwards signals and reaps processes' },
  { long: ['group-add'], kind: 'list', value: 'list', help: 'Add additional groups to join (gid or name)' },
  { long: ['shm-size'], kind: 'string', value: 'bytes', help: 'Size of /dev/shm (default 64m)' },
  { long: ['stop-signal'], kind: 'string', value: 'string', help: 'Signal to stop the container (default SIGTERM)' },
  { long: ['stop-timeout'], kind: 'string', value: 'int', help: 'Timeout (in seconds) to stop a container (default 10)' },
  { long: ['userns'], kind: 'string', value: 'string', help: 'User namespace: host (default) or auto[:size=N] (a range of host ids of its own)' },
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

/** docker's env and label files: one entry per line; blank lines and `#` comments skipped. */
export function readLinesFile(file: string, what: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidArgument(`open ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message} (reading the ${what})`);
  }
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    if (/\s/.test(line.split('=')[0])) throw new InvalidArgument(`${what} ${file}: variable '${line.split('=')[0]}' contains whitespaces`);
    out.push(line);
  }
  return out;
}

/** `--cidfile`: refused when the file is there (docker: another container may own it). */
export function checkCidfile(file: string): void {
  if (fs.existsSync(file)) throw new InvalidArgument(`Container ID file found, make sure the other container isn't running or delete ${file}`);
}

export function writeCidfile(file: string, id: string): void {
  fs.writeFileSync(file, id, { flag: 'wx' });
}

/** `--platform`: only the host's own is runnable here (no emulation). */
export function checkPlatform(v: string): void {
  const host = hostPlatform();
  const [os, arch, variant] = v.toLowerCase().split('/');
  const archOk = (arch ?? os) === host.architecture || (arch === undefined && os === host.os);
  if (!((arch === undefined ? true : os === host.os) && archOk && (variant === undefined || variant === host.variant)))
    throw new InvalidArgument(`image platform ${JSON.stringify(v)} is not the host's (${host.os}/${host.architecture}${host.variant ? `/${host.variant}` : ''}): hutch runs no emulation`);
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
  // docker: --env-file first, -e after (a later one wins).
  const env = [...p.list('env-file').flatMap((f) => resolveEnv(readLinesFile(f, 'env file'), ctx.env)), ...resolveEnv(p.list('env'), ctx.env)];
  if (env.length > 0) spec.env = env;
  const labels = [...p.list('label-file').flatMap((f) => readLinesFile(f, 'label file')), ...p.list('label')];
  if (labels.length) spec.labels = Object.fromEntries(labels.map((l) => (l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, ''])));
  const restart = p.string('restart');
  if (restart !== undefined) spec.restartPolicy = parseRestartPolicy(restart);
  const healthcheck = readHealthFlags(p);
  if (healthcheck) spec.healthcheck = healthcheck;
  const platform = p.string('platform');
  if (platform !== undefined) checkPlatform(platform);

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

  securityFlags(spec, p);

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

/** --cap-add … --stop-timeout: read with the engine's parsers (docker's words and errors). */
function securityFlags(spec: ContainerSpec, p: ParsedArgs): void {
  const capAdd = p.list('cap-add').map((c) => normalizeCap(c, 'CapAdd'));
  if (capAdd.length) spec.capAdd = capAdd;
  const capDrop = p.list('cap-drop').map((c) => normalizeCap(c, 'CapDrop'));
  if (capDrop.length) spec.capDrop = capDrop;
  if (p.bool('privileged')) spec.privileged = true;
  applySecurityOpts(spec, p.list('security-opt'));
  const devices = p.list('device').map(parseDevice);
  if (devices.length) spec.devices = devices;
  const rules = p.list('device-cgroup-rule');
  rules.forEach(checkDeviceRule);
  if (rules.length) spec.deviceCgroupRules = rules;
  const ulimits = p.list('ulimit').map(parseUlimit);
  if (ulimits.length) spec.ulimits = ulimits;
  const sysctls = p.list('sysctl').map(parseSysctl);
  if (sysctls.length) spec.sysctls = Object.fromEntries(sysctls);
  const oom = p.string('oom-score-adj');
  if (oom !== undefined) {
    if (!/^-?\d+$/.test(oom.trim())) throw new InvalidArgument(`invalid argument ${JSON.stringify(oom)} for "--oom-score-adj" flag: not an integer`);
    checkOomScoreAdj(Number(oom));
    spec.oomScoreAdj = Number(oom);
  }
  if (p.bool('init')) spec.init = true;
  const groups = p.list('group-add');
  if (groups.length) spec.groupAdd = groups;
  const shm = p.string('shm-size');
  if (shm !== undefined) {
    const bytes = parseBytes(shm);
    if (bytes > 0) spec.shmSize = bytes; // 0: the default, as docker
  }
  const stopSignal = p.string('stop-signal');
  if (stopSignal !== undefined) {
    signalNumber(stopSignal);
    spec.stopSignal = stopSignal;
  }
  const userns = p.string('userns');
  if (userns !== undefined) {
    parseUserns(userns); // bad input fails here, before any image is looked at
    spec.userns = userns;
  }
  const stopTimeout = p.string('stop-timeout');
  if (stopTimeout !== undefined) {
    if (!/^-?\d+$/.test(stopTimeout.trim())) throw new InvalidArgument(`invalid argument ${JSON.stringify(stopTimeout)} for "--stop-timeout" flag: not an integer`);
    spec.stopTimeout = Number(stopTimeout);
  }
}
