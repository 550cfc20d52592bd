// `update`: new resource limits for a container, running or not. A running one's
// cgroup takes them at once; the record (which start reads to make the cgroup)
// and config.json's linux.resources keep them, so the next start has them too.
// A limit the kernel refuses (memory below what is in use) leaves the old ones.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors.js';
import { CgIo, nodeCgroupFs } from '../cgroups/fs.js';
import { CPU_PERIOD_US, cpuQuotaUs, validateLimits } from '../cgroups/limits.js';
import { applyMemoryV1 } from '../cgroups/v1/memory.js';
import { applyCpuV1 } from '../cgroups/v1/cpu.js';
import { applyLimitsV2 } from '../cgroups/v2/manager.js';
import { applyPids } from '../cgroups/pids.js';
import type { ContainerSpec, UpdateOptions } from '../types.js';
import { writeJsonAtomic } from '../state/atomic.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { files, saveRecord, type ContainerRecord } from './record.js';
import { exitAnnotations, setRestartMarker } from './exit-command.js';

/** docker's `--restart` values: no, always, unless-stopped, on-failure[:N]. */
export function parseRestartPolicy(value: string): { Name: string; MaximumRetryCount: number } {
  const m = /^(no|always|unless-stopped|on-failure)(?::(.*))?$/.exec(value);
  if (!m) throw new InvalidArgument(`invalid restart policy ${JSON.stringify(value)}: no, always, unless-stopped or on-failure[:max-retries]`);
  if (m[2] === undefined) return { Name: m[1], MaximumRetryCount: 0 };
  if (m[1] !== 'on-failure') throw new InvalidArgument(`maximum retry count cannot be used with restart policy '${m[1]}'`);
  if (!/^\d+$/.test(m[2])) throw new InvalidArgument(`invalid restart policy ${JSON.stringify(value)}: the maximum retry count must be a non-negative integer`);
  return { Name: 'on-failure', MaximumRetryCount: Number(m[2]) };
}

/** runc's conversion of docker's cpu shares (2..262144) to cgroup v2's cpu.weight (1..10000). */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** The spec with the update applied, checked as create checks limits. */
export function updatedSpec(spec: ContainerSpec, o: UpdateOptions): ContainerSpec {
  const s: ContainerSpec = { ...spec };
  if (o.memory !== undefined) {
    s.memory = o.memory;
    // Swap stays as it was set when still above the new memory, else no swap (hutch's default).
    if (o.memorySwap === undefined && s.memorySwap !== undefined && s.memorySwap !== -1 && s.memorySwap < o.memory) delete s.memorySwap;
  }
  if (o.memorySwap !== undefined) {
    if (s.memory === undefined) throw new InvalidArgument('Cannot update a container with a --memory-swap limit and no memory limit: give --memory too');
    s.memorySwap = o.memorySwap;
  }
  if (o.cpus !== undefined) s.cpus = o.cpus;
  if (o.cpuShares !== undefined) {
    if (!Number.isSafeInteger(o.cpuShares) || o.cpuShares < 0) throw new InvalidArgument(`invalid cpu shares: ${o.cpuShares}`);
    if (o.cpuShares === 0) delete s.cpuShares;
    else s.cpuShares = Math.min(Math.max(o.cpuShares, 2), 262144);
  }
  if (o.pidsLimit !== undefined) {
    if (o.pidsLimit > 0) s.pidsLimit = o.pidsLimit;
    else delete s.pidsLimit;
  }
  if (o.restartPolicy) {
    if (s.autoRemove && o.restartPolicy.Name !== 'no') throw new InvalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
    s.restartPolicy = o.restartPolicy;
  }
  validateLimits({ memory: s.memory, memorySwap: s.memorySwap, cpus: s.cpus, pidsLimit: s.pidsLimit });
  return s;
}

export async function updateContainer(ctx: Ctx, id: string, o: UpdateOptions): Promise<ContainerRecord> {
  return lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    const spec = updatedSpec(rec.spec, o);
    if (rec.status === 'running') {
      try {
        applyToCgroup(ctx, rec.cgroupPaths, spec, o);
      } catch (e) {
        // Back to what it had; the error says what the kernel refused.
        try {
          applyToCgroup(ctx, rec.cgroupPaths, rec.spec, o);
        } catch {
          /* the old values were in place already, or the cgroup is gone */
        }
        throw e;
      }
    }
    const next = { ...rec, spec };
    saveRecord(next);
    writeResources(rec.bundle, spec, o.restartPolicy ? exitAnnotations(ctx, id) : undefined);
    // The marker arms the monitor's exit command for this run too (exit-command.ts).
    if (o.restartPolicy) setRestartMarker(rec.bundle, spec.restartPolicy?.Name !== 'no');
    return next;
  });
}

/** The changed limits written to the container's cgroup directories. */
export function applyToCgroup(ctx: Ctx, paths: Record<string, string>, s: ContainerSpec, o: UpdateOptions, io = new CgIo(nodeCgroupFs)): void {
  const memory = o.memory !== undefined || o.memorySwap !== undefined ? s.memory : undefined;
  const memorySwap = memory === undefined ? undefined : (s.memorySwap ?? memory);
  const pidsLimit = o.pidsLimit === undefined ? undefined : (s.pidsLimit ?? 0);
  const cpus = o.cpus !== undefined ? s.cpus : undefined;
  if (ctx.cgroups.mode === 'v2') {
    if (!paths.unified) return;
    applyLimitsV2(io, paths.unified, { memory, memorySwap, cpus, pidsLimit });
    if (o.cpuShares !== undefined) io.write(path.join(paths.unified, 'cpu.weight'), s.cpuShares ? sharesToWeight(s.cpuShares) : 100);
    return;
  }
  if (paths.memory && memory !== undefined) applyMemoryV1(io, paths.memory, { memory, memorySwap });
  if (paths.cpu && cpus !== undefined) applyCpuV1(io, paths.cpu, cpus);
  if (paths.cpu && o.cpuShares !== undefined) io.write(path.join(paths.cpu, 'cpu.shares'), s.cpuShares ?? 1024);
  if (paths.pids && pidsLimit !== undefined) applyPids(io, paths.pids, pidsLimit);
}

/** start: the cpu shares a restart keeps (the cgroup manager's limits have no shares). */
export function applyCpuShares(ctx: Ctx, paths: Record<string, string>, shares: number | undefined): void {
  if (shares === undefined) return;
  applyToCgroup(ctx, paths, { image: '', cpuShares: shares }, { cpuShares: shares });
}

/** config.json's linux.resources as buildConfig writes them, with the new values; and
 * the exit command's annotations, which a container made before they were always
 * written lacks (the monitor reads them at its next start). */
function writeResources(bundle: string, s: ContainerSpec, onExit?: Record<string, string>): void {
  const file = files.config(bundle);
  let config: { linux?: { resources?: Record<string, unknown> } };
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return; // no config.json (a broken bundle): the record is what start reads
  }
  const r: Record<string, unknown> = { ...(config.linux?.resources ?? {}) };
  delete r.memory;
  delete r.cpu;
  delete r.pids;
  if (s.memory) r.memory = { limit: s.memory, swap: s.memorySwap ?? s.memory };
  if (s.cpus || s.cpuShares) r.cpu = { ...(s.cpus ? { quota: cpuQuotaUs(s.cpus), period: CPU_PERIOD_US } : {}), ...(s.cpuShares ? { shares: s.cpuShares } : {}) };
  if (s.pidsLimit) r.pids = { limit: s.pidsLimit };
  config.linux = { ...(config.linux ?? {}), resources: r };
  if (onExit !== undefined) {
    const c = config as { annotations?: Record<string, string> };
    c.annotations = { ...(c.annotations ?? {}), ...onExit };
  }
  writeJsonAtomic(file, config);
}
