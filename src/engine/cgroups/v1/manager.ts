// cgroup v1 (and hybrid: v1 controllers plus a dir in the cgroup2 "unified" tree).
// One dir per hierarchy; controllers co-mounted on one hierarchy share it.
import path from 'node:path';
import { BaseManager, checkName, levelsOf, type Tuning } from '../common.js';
import { CgIo, CgroupError } from '../fs.js';
import { LIMIT_FLAG, requiredControllers, validateLimits } from '../limits.js';
import { USED_V1_CONTROLLERS } from '../mountinfo.js';
import { applyPids, pidsStats } from '../pids.js';
import type { CgroupStats, Limits } from '../types.js';
import { blkioStatsV1 } from './blkio.js';
import { applyCpuV1, cpuUsageV1 } from './cpu.js';
import { initCpuset } from './cpuset.js';
import { applyDevicesV1 } from './devices.js';
import { freeze, thaw } from './freezer.js';
import { applyMemoryV1, memoryStatsV1, oomKilledV1 } from './memory.js';

export interface V1ManagerOptions {
  io: CgIo;
  parent: string;
  /** Absolute mount dirs of the v1 hierarchies with their controllers. */
  hierarchies: { mount: string; controllers: string[] }[];
  /** Absolute mount dir of the cgroup2 tree on a hybrid host; null on pure v1. */
  unified: string | null;
  timing?: Tuning;
}

export class V1Manager extends BaseManager {
  readonly mode: 'v1' | 'hybrid';
  private readonly hierarchies: { mount: string; controllers: string[] }[];
  private readonly unified: string | null;

  constructor(o: V1ManagerOptions) {
    super(o.io, o.parent, o.timing);
    this.hierarchies = o.hierarchies
      .map((h) => ({ mount: h.mount, controllers: h.controllers.filter((c) => USED_V1_CONTROLLERS.includes(c)) }))
      .filter((h) => h.controllers.length > 0);
    this.unified = o.unified;
    this.mode = o.unified ? 'hybrid' : 'v1';
  }

  pathsFor(name: string): Record<string, string> {
    checkName(name);
    const out: Record<string, string> = {};
    for (const h of this.hierarchies) {
      const dir = path.join(h.mount, this.parent, name);
      for (const c of h.controllers) out[c] = dir;
    }
    if (this.unified) out.unified = path.join(this.unified, this.parent, name);
    return out;
  }

  protected parentDirs(): string[] {
    const out = this.hierarchies.map((h) => path.join(h.mount, this.parent));
    if (this.unified) out.push(path.join(this.unified, this.parent));
    return out;
  }

  async create(name: string, limits: Limits): Promise<Record<string, string>> {
    validateLimits(limits);
    const paths = this.pathsFor(name);
    for (const c of requiredControllers(limits))
      if (!paths[c]) throw new CgroupError(`cgroup: the ${c} controller is not mounted (cgroup v1); cannot apply the ${LIMIT_FLAG[c]}`);
    const created: string[] = [];
    try {
      for (const h of this.hierarchies) this.makeDir(h.mount, name, h.controllers.includes('cpuset'), created);
      if (this.unified) this.makeDir(this.unified, name, false, created);
      if (paths.memory) applyMemoryV1(this.io, paths.memory, limits);
      if (paths.cpu) applyCpuV1(this.io, paths.cpu, limits.cpus);
      if (paths.pids) applyPids(this.io, paths.pids, limits.pidsLimit);
      if (paths.devices) applyDevicesV1(this.io, paths.devices, limits.devices);
    } catch (e) {
      for (const d of created.reverse()) {
        try {
          this.io.fs.rmdir(d);
        } catch {
          /* best effort: the original error matters */
        }
      }
      throw e;
    }
    return paths;
  }

  /** mkdir -p of the parent (kept), then the container's dir (must be new). */
  private makeDir(mount: string, name: string, cpuset: boolean, created: string[]): void {
    const parentLevels = levelsOf(mount, this.parent);
    for (const l of parentLevels) this.io.mkdirOpt(l);
    if (cpuset) initCpuset(this.io, parentLevels);
    const dir = path.join(mount, this.parent, name);
    this.io.mkdir(dir);
    created.push(dir);
    if (cpuset) initCpuset(this.io, [dir]);
  }

  async oomKilled(paths: Record<string, string>): Promise<boolean> {
    return oomKilledV1(this.io, paths.memory);
  }

  async stats(paths: Record<string, string>): Promise<CgroupStats> {
    const primary = paths.memory ?? paths.pids ?? this.joinDirs(paths)[0];
    if (!primary || !this.io.exists(primary))
      throw new CgroupError(`cgroup: stats ${primary ?? '(no cgroup)'}: ENOENT`, 'ENOENT', undefined, 'stats', primary);
    const mem = memoryStatsV1(this.io, paths.memory);
    const pids = pidsStats(this.io, paths.pids);
    const blk = blkioStatsV1(this.io, paths.blkio);
    return {
      cpuUsageNs: cpuUsageV1(this.io, paths.cpuacct),
      memoryUsage: mem.usage,
      memoryLimit: mem.limit,
      memoryCache: mem.cache,
      pids: pids.pids,
      pidsLimit: pids.pidsLimit,
      blkioRead: blk.read,
      blkioWrite: blk.write,
    };
  }

  /** Freeze, SIGKILL everything, thaw: nothing can fork between the listing and the kill. */
  protected override async killRound(paths: Record<string, string>, dirs: string[]): Promise<void> {
    const fz = paths.freezer;
    if (!fz || !this.io.exists(path.join(fz, 'freezer.state'))) return super.killRound(paths, dirs);
    try {
      await freeze(this.io, fz);
    } catch {
      /* a plain kill round still works */
    }
    try {
      await super.killRound(paths, dirs);
    } finally {
      try {
        thaw(this.io, fz);
      } catch {
        /* gone already */
      }
    }
  }
}
