// cgroup manager: detects the host's layout (v1, hybrid, v2) from /proc/self/mountinfo
// and returns the matching implementation.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_TUNING, normalizeParent, type DeviceFilter, type Tuning } from './common.js';
import { CgIo, CgroupError, nodeCgroupFs } from './fs.js';
import { detectLayout, parseMountinfo, type CgroupLayout } from './mountinfo.js';
import type { CgroupFs, CgroupManager } from './types.js';
import { V1Manager } from './v1/manager.js';
import { V2Manager } from './v2/manager.js';

export type { CgroupFs, CgroupManager, CgroupMode, CgroupStats, Limits } from './types.js';
export { CgroupError, nodeCgroupFs } from './fs.js';
export { detectLayout, parseMountinfo, type CgroupLayout, type MountInfoEntry, type V1Hierarchy } from './mountinfo.js';
export { blkioTotals, ioStatTotals, parseFlatKeyed, parseIoStat, parseMax, parsePids, parseV1Limit } from './parse.js';
export { CPU_PERIOD_US, cpuQuotaUs, validateLimits } from './limits.js';
export { DEFAULT_DEVICE_RULES } from './v1/devices.js';
export type { DeviceFilter } from './common.js';
export { V1Manager } from './v1/manager.js';
export { V2Manager } from './v2/manager.js';

import { DEFAULT_CGROUP_PARENT } from '../paths.js';
export { DEFAULT_CGROUP_PARENT, cgroupParentFor } from '../paths.js';

export interface DetectOptions {
  /** Parent cgroup; default $HUTCH_CGROUP_PARENT or 'hutch'. openEngine passes its
   * state root's own (Paths.cgroupParent, see cgroupParentFor). */
  parent?: string;
  /** mountinfo text; default /proc/self/mountinfo. */
  mountinfo?: string;
  /** Prefix for every mount point (fixture trees); default '/'. */
  root?: string;
  /** File access; default node:fs. */
  fs?: CgroupFs;
  /** Bounds of remove()'s kill and rmdir loops, and its kill function. */
  tuning?: Partial<Tuning>;
  /** The device allow-list for v2 (v1 and hybrid use the v1 devices controller). */
  deviceFilter?: DeviceFilter;
}

export function detectCgroups(opts: DetectOptions = {}): CgroupManager {
  const parent = normalizeParent(opts.parent || process.env.HUTCH_CGROUP_PARENT || DEFAULT_CGROUP_PARENT);
  const text = opts.mountinfo ?? fs.readFileSync('/proc/self/mountinfo', 'utf8');
  let layout: CgroupLayout;
  try {
    layout = detectLayout(parseMountinfo(text));
  } catch (e) {
    throw new CgroupError(`cgroup: ${e instanceof Error ? e.message : String(e)}`);
  }
  const at = (mountPoint: string) => path.join(opts.root ?? '/', mountPoint);
  const io = new CgIo(opts.fs ?? nodeCgroupFs);
  const timing = { ...DEFAULT_TUNING, ...opts.tuning };
  if (layout.mode === 'v2') return new V2Manager(io, parent, at(layout.unified!.mountPoint), timing, opts.deviceFilter);
  return new V1Manager({
    io,
    parent,
    hierarchies: layout.v1.map((h) => ({ mount: at(h.mountPoint), controllers: h.controllers })),
    unified: layout.unified ? at(layout.unified.mountPoint) : null,
    timing,
  });
}
