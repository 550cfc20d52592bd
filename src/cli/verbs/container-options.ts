// Flags shared by `run` and `create`, and their translation into a ContainerSpec.
import type { OptionSpec, ParsedArgs } from '../args.js';
import type { CliContext } from '../context.js';
import type { ContainerSpec, NetworkMode } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { parseBytes } from '../../engine/units.js';

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
  { long: ['network', 'net'], kind: 'string', help: "Network: 'none' (default: own namespace, only lo) or 'host'" },
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
    if (network !== 'none' && network !== 'host') {
      throw new InvalidArgument(`invalid network mode ${JSON.stringify(network)}: use 'none' or 'host'`);
    }
    spec.network = network as NetworkMode;
  }

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
  return spec;
}
