// hutch update: new resource limits (and restart policy) for containers, running or
// not. Every flag is read before any container is touched: a bad value changes nothing.
import type { Verb } from '../context.js';
import type { UpdateOptions } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { parseBytes } from '../../engine/units.js';
import { parseRestartPolicy } from '../../engine/container/update.js';
import { UsageError } from '../errors.js';
import { parseCpus } from './container-options.js';
import { eachContainer } from './pause.js';

function integer(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgument(`invalid argument ${JSON.stringify(value)} for "${flag}" flag: not an integer`);
  return Number(value);
}

export const update: Verb = {
  name: 'update',
  summary: 'Update configuration of one or more containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [
    { long: ['memory'], short: 'm', kind: 'string', value: 'bytes', help: 'Memory limit' },
    { long: ['memory-swap'], kind: 'string', value: 'bytes', help: "Swap limit equal to memory plus swap: -1 to enable unlimited swap" },
    { long: ['cpus'], kind: 'string', value: 'decimal', help: 'Number of CPUs' },
    { long: ['cpu-shares'], short: 'c', kind: 'string', value: 'int', help: 'CPU shares (relative weight)' },
    { long: ['pids-limit'], kind: 'string', value: 'int', help: 'Tune container pids limit (-1 for unlimited)' },
    { long: ['restart'], kind: 'string', value: 'string', help: 'Restart policy to apply when a container exits' },
  ],
  minArgs: 1,
  examples: ['hutch update -m 512m --memory-swap 1g web', 'hutch update --cpus 1.5 --pids-limit 200 web', 'hutch update --restart on-failure:3 web'],
  async run(ctx, p) {
    const o: UpdateOptions = {};
    const memory = p.string('memory');
    if (memory !== undefined) {
      const n = parseBytes(memory);
      if (n > 0) o.memory = n; // 0: unchanged, as docker
    }
    const swap = p.string('memory-swap');
    if (swap !== undefined) o.memorySwap = swap.trim() === '-1' ? -1 : parseBytes(swap);
    const cpus = p.string('cpus');
    if (cpus !== undefined) o.cpus = parseCpus(cpus, ctx.hostCpus);
    const shares = p.string('cpu-shares');
    if (shares !== undefined) o.cpuShares = integer(shares, '--cpu-shares');
    const pids = p.string('pids-limit');
    if (pids !== undefined) o.pidsLimit = integer(pids, '--pids-limit');
    const restart = p.string('restart');
    if (restart !== undefined) o.restartPolicy = parseRestartPolicy(restart);
    if (memory === undefined && swap === undefined && cpus === undefined && shares === undefined && pids === undefined && restart === undefined)
      throw new UsageError('you must provide one or more flags when using this command', 'update');
    const engine = await ctx.engine();
    return eachContainer(ctx, p.args, (c) => engine.update(c, o));
  },
};
