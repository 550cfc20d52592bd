// cgroup v2: one dir in the unified tree; controllers are enabled top-down through
// cgroup.subtree_control from the root to our parent.
import path from 'node:path';
import { BaseManager, checkName, levelsOf, type DeviceFilter, type Tuning } from '../common.js';
import { DEFAULT_DEVICE_RULES } from '../v1/devices.js';
import { CgIo, CgroupError, errCode } from '../fs.js';
import { CPU_PERIOD_US, LIMIT_FLAG, cpuQuotaUs, requiredControllers, validateLimits } from '../limits.js';
import { ioStatTotals, parseFlatKeyed, parseMax } from '../parse.js';
import { applyPids, pidsStats } from '../pids.js';
import type { CgroupStats, Limits } from '../types.js';
import { usageNoCache } from '../v1/memory.js';

/** Controllers enabled for containers when the host offers them. */
export const V2_CONTROLLERS = ['cpu', 'memory', 'pids', 'io', 'cpuset'];

const words = (s: string) => s.split(/\s+/).filter(Boolean);

export function applyLimitsV2(io: CgIo, dir: string, l: Limits): void {
  if (l.memory !== undefined) {
    io.write(path.join(dir, 'memory.max'), l.memory);
    const swapFile = path.join(dir, 'memory.swap.max');
    // v2 limits swap alone: memory+swap minus memory; default 0 (no swap).
    if (io.exists(swapFile)) io.write(swapFile, l.memorySwap === -1 ? 'max' : (l.memorySwap ?? l.memory) - l.memory);
  }
  if (l.cpus !== undefined) io.write(path.join(dir, 'cpu.max'), `${cpuQuotaUs(l.cpus)} ${CPU_PERIOD_US}`);
  applyPids(io, dir, l.pidsLimit);
}

export function statsV2(io: CgIo, dir: string): CgroupStats {
  const read = (f: string) => io.readOpt(path.join(dir, f));
  const cpuStat = parseFlatKeyed(read('cpu.stat') ?? '');
  const memStat = parseFlatKeyed(read('memory.stat') ?? '');
  const current = Number((read('memory.current') ?? '0').trim()) || 0;
  const max = read('memory.max');
  const pids = pidsStats(io, dir);
  const blk = ioStatTotals(read('io.stat') ?? '');
  return {
    cpuUsageNs: (cpuStat.usage_usec ?? 0) * 1000,
    memoryUsage: usageNoCache(current, memStat.inactive_file),
    memoryLimit: max === null ? null : parseMax(max),
    memoryCache: memStat.file ?? 0,
    pids: pids.pids,
    pidsLimit: pids.pidsLimit,
    blkioRead: blk.read,
    blkioWrite: blk.write,
  };
}

export class V2Manager extends BaseManager {
  readonly mode = 'v2' as const;

  constructor(
    io: CgIo,
    parent: string,
    /** Absolute dir of the cgroup2 mount. */
    private readonly mount: string,
    timing?: Tuning,
    private readonly deviceFilter?: DeviceFilter,
  ) {
    super(io, parent, timing);
  }

  pathsFor(name: string): Record<string, string> {
    checkName(name);
    return { unified: path.join(this.mount, this.parent, name) };
  }

  protected parentDirs(): string[] {
    return [path.join(this.mount, this.parent)];
  }

  async create(name: string, limits: Limits): Promise<Record<string, string>> {
    validateLimits(limits);
    const paths = this.pathsFor(name);
    this.prepareParent(requiredControllers(limits));
    this.io.mkdir(paths.unified);
    try {
      applyLimitsV2(this.io, paths.unified, limits);
      if (limits.devices !== 'all') this.deviceFilter?.(paths.unified, [...DEFAULT_DEVICE_RULES, ...(limits.devices ?? [])]);
    } catch (e) {
      try {
        this.io.fs.rmdir(paths.unified);
      } catch {
        /* best effort: the original error matters */
      }
      throw e;
    }
    return paths;
  }

  /** Creates the parent levels and enables, at the root and every level down to the
   * parent, the controllers containers use (those a limit needs must succeed). */
  private prepareParent(required: string[]): void {
    const levels = [this.mount, ...levelsOf(this.mount, this.parent)];
    for (const [i, dir] of levels.entries()) {
      if (i > 0) this.io.mkdirOpt(dir);
      const available = words(this.io.read(path.join(dir, 'cgroup.controllers')));
      const enabled = words(this.io.read(path.join(dir, 'cgroup.subtree_control')));
      for (const c of required)
        if (!available.includes(c))
          throw new CgroupError(
            `cgroup: the ${c} controller is not available in ${dir} (cgroup.controllers: ${available.join(' ') || 'none'}); cannot apply the ${LIMIT_FLAG[c]}`,
          );
      for (const c of V2_CONTROLLERS) {
        if (!available.includes(c) || enabled.includes(c)) continue;
        try {
          this.io.write(path.join(dir, 'cgroup.subtree_control'), `+${c}`);
        } catch (e) {
          if (required.includes(c)) throw e; // else: the container just lacks those stats
        }
      }
    }
  }

  async oomKilled(paths: Record<string, string>): Promise<boolean> {
    if (!paths.unified) return false;
    const events = this.io.readOpt(path.join(paths.unified, 'memory.events'));
    return events !== null && (parseFlatKeyed(events).oom_kill ?? 0) > 0;
  }

  async stats(paths: Record<string, string>): Promise<CgroupStats> {
    const dir = paths.unified;
    if (!dir || !this.io.exists(dir))
      throw new CgroupError(`cgroup: stats ${dir ?? '(no cgroup)'}: ENOENT`, 'ENOENT', undefined, 'stats', dir);
    return statsV2(this.io, dir);
  }

  /** cgroup.kill (kernel ≥ 5.14) kills the whole subtree atomically; the per-pid round
   * after it covers older kernels. */
  protected override async killRound(paths: Record<string, string>, dirs: string[]): Promise<void> {
    for (const d of dirs) {
      const f = path.join(d, 'cgroup.kill');
      if (!this.io.exists(f)) continue;
      try {
        this.io.fs.writeFile(f, '1');
      } catch (e) {
        if (errCode(e) !== 'ENOENT') throw e;
      }
    }
    await super.killRound(paths, dirs);
  }
}
