// `start`: makes the container's cgroups with its limits, then has the monitor create
// the container. Anything made here is undone if the monitor reports a failure.
import fs from 'node:fs';
import type { StartOptions } from '../types.js';
import { containerDir } from '../paths.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { launchMonitor } from './monitor.js';
import { parseDetachKeys } from './detach-keys.js';
import { reconcile } from './reconcile.js';
import { files, liveMonitor, saveRecord, type ContainerRecord } from './record.js';
import { Conflict } from '../errors.js';
import { procStartTime } from '../proc.js';
import { applyCpuShares } from './update.js';
import { networkAtStart } from '../network/start.js';
import { DEFAULT_DEVICE_RULES } from '../cgroups/index.js';
import { rulesFromResources } from '../security/devices.js';

export async function startContainer(ctx: Ctx, id: string, opts: StartOptions = {}): Promise<ContainerRecord> {
  return lockContainer(ctx, id, async () => {
    // reconcile finds a live monitor by its lock (even one the record does not
    // know): then the container runs, and its exit file is that monitor's to write.
    // Otherwise no monitor of this container is alive, and none can start but ours
    // (we hold the container's lock): an exit file from now on is our run's.
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    if (rec.status === 'running') return rec;
    const dir = containerDir(ctx.paths, id);
    // A monitor still setting up after reconcile's wait: never start a second one.
    if (liveMonitor(ctx.native, dir)) throw new Conflict(`container ${rec.name} is being started (its monitor is still setting it up)`);
    fs.rmSync(files.exit(dir), { force: true });
    networkAtStart(ctx, rec);
    const s = rec.spec;
    const limits = { memory: s.memory, memorySwap: s.memorySwap ?? s.memory, cpus: s.cpus, pidsLimit: s.pidsLimit, devices: deviceRules(dir, rec) };
    const cgroupPaths = await ctx.cgroups.create(id, limits).catch(async () => {
      // A cgroup is already there: the previous run's (kept for its stats and
      // OOM record until the next start or rm) or one left by a killed start.
      await ctx.cgroups.remove(ctx.cgroups.pathsFor(id));
      return ctx.cgroups.create(id, limits);
    });
    try {
      // `update --cpu-shares`: the one limit the cgroup manager does not take.
      applyCpuShares(ctx, cgroupPaths, s.cpuShares);
      const launched = await launchMonitor(ctx.native, {
        monitorPath: ctx.native.monitorPath,
        bundle: dir,
        id,
        log: files.log(dir),
        exitFile: files.exit(dir),
        cgroups: ctx.cgroups.joinDirs(cgroupPaths),
        attach: !!opts.attach,
        // Detached, a -i container's stdin pipe waits for `hutch attach` (attach.ts).
        stdin: opts.attach ? (opts.interactive ?? !!s.interactive) && (opts.streams?.includes('stdin') ?? true) : !!s.interactive,
        signals: opts.signals,
        ...(opts.attach && s.tty ? { detachKeys: parseDetachKeys(opts.detachKeys), onDetach: opts.onDetach } : {}),
        ...(opts.streams ? { stdout: opts.streams.includes('stdout'), stderr: opts.streams.includes('stderr') } : {}),
        command: rec.command[0] ?? '',
      });
      ctx.exits.set(id, launched.exited);
      const next: ContainerRecord = {
        ...rec,
        status: 'running',
        pid: launched.pid,
        monitorPid: launched.monitorPid,
        pidStartTime: procStartTime(launched.pid) ?? 0,
        monitorStartTime: procStartTime(launched.monitorPid) ?? 0,
        startedAt: new Date().toISOString(),
        finishedAt: '',
        exitCode: null,
        oomKilled: false,
        // A start (the user's or the policy's) ends a manual stop and a pending restart.
        manuallyStopped: false,
        restarting: false,
        cgroupPaths,
      };
      saveRecord(next);
      return next;
    } catch (e) {
      await ctx.cgroups.remove(cgroupPaths).catch(() => {});
      throw e;
    }
  });
}

/** The device rules beyond the defaults, as config.json has them (resolved at create,
 * with the nodes it makes); none to read for a container without device flags. */
function deviceRules(dir: string, rec: ContainerRecord): readonly string[] | 'all' | undefined {
  const s = rec.spec;
  if (!s.privileged && !s.devices?.length && !s.deviceCgroupRules?.length) return undefined;
  const config = JSON.parse(fs.readFileSync(files.config(dir), 'utf8')) as { linux?: { resources?: { devices?: unknown } } };
  return rulesFromResources(config.linux?.resources?.devices, DEFAULT_DEVICE_RULES);
}
