// v1 cpu (CFS bandwidth) and cpuacct (usage) controllers; often co-mounted as cpu,cpuacct.
import path from 'node:path';
import type { CgIo } from '../fs.js';
import { CPU_PERIOD_US, cpuQuotaUs } from '../limits.js';

export function applyCpuV1(io: CgIo, dir: string, cpus: number | undefined): void {
  if (cpus === undefined) return;
  io.write(path.join(dir, 'cpu.cfs_period_us'), CPU_PERIOD_US);
  io.write(path.join(dir, 'cpu.cfs_quota_us'), cpuQuotaUs(cpus));
}

/** cpuacct.usage: total CPU time in nanoseconds. */
export function cpuUsageV1(io: CgIo, cpuacctDir: string | undefined): number {
  if (!cpuacctDir) return 0;
  const t = io.readOpt(path.join(cpuacctDir, 'cpuacct.usage'));
  return t === null ? 0 : Number(t.trim()) || 0;
}
