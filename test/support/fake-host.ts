// The real engine on fakes, without root: FakeNative, the fake cgroup kernel (v2), the
// scripted monitor (fake-monitor.ts) and the real image store with its built-in host
// image, everything under one temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEngine, type Engine } from '../../src/engine/engine.js';
import { detectCgroups } from '../../src/engine/cgroups/index.js';
import { FakeNative } from '../../src/engine/native/fake.js';
import { FakeKernel, fakeV2Root } from './cgroup-kernel.js';
import { FakeMonitors } from './fake-monitor.js';

const V2_MOUNTINFO = '26 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n';
const PARENT = 'hutch-unit';

export interface FakeHost {
  engine: Engine;
  native: FakeNative;
  monitors: FakeMonitors;
  kernel: FakeKernel;
  /** The state root. */
  root: string;
  /** The container's cgroup directory in the fake kernel. */
  cgroupOf(id: string): string;
  /** Ends the monitors' stand-in processes and removes the directory. */
  cleanup(): Promise<void>;
}

export async function openFakeHost(): Promise<FakeHost> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-fake-host-'));
  const native = new FakeNative();
  const kernel = new FakeKernel(fakeV2Root(tmp), { version: 'v2', swap: true });
  const monitors = new FakeMonitors(native, kernel);
  const cgroups = detectCgroups({
    mountinfo: V2_MOUNTINFO,
    root: tmp,
    fs: kernel,
    parent: PARENT,
    tuning: { killMs: 300, rmdirMs: 100, kill: (pid) => monitors.kill(pid) },
    deviceFilter: () => {},
  });
  const root = path.join(tmp, 'state');
  const engine = await openEngine({ root, native, cgroups });
  return {
    engine,
    native,
    monitors,
    kernel,
    root,
    cgroupOf: (id) => path.join(tmp, 'sys/fs/cgroup', PARENT, id),
    async cleanup() {
      await monitors.cleanup();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
