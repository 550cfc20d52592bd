// Seccomp rows of `npm run bench` (issue 14): the cost of the default profile.
// 1. start→exit of /bin/true with the default profile against `seccomp=unconfined`,
//    paired (create and rm outside the timing; the program is cached at create, the
//    monitor reads ~1.4 KB and loads it right before execve). Target ≤ 1.1×.
// 2. engine create+start+wait+rm against `crun run` of the same rootfs with the same
//    profile in its config.json (its OCI form, ociSeccomp). Target ≤ 0.8×.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EngineApi } from '../src/engine/types.js';
import { ociSeccomp } from '../src/engine/security/seccomp/oci.js';
import { DEFAULT_CAPS } from '../src/engine/spec/defaults.js';
import { paired, row } from './stats.js';

/** `image`'s /bin/true; `rootfs` is the same image's root for crun; `dir` a scratch directory. */
export async function seccompRows(engine: EngineApi, image: string, rootfs: string, dir: string, n: number): Promise<string[]> {
  const startExit = async (seccomp?: string) => {
    const c = await engine.create({ image, cmd: ['/bin/true'], network: 'none', ...(seccomp ? { seccomp } : {}) });
    return {
      id: c.id,
      run: async () => {
        await engine.start(c.id);
        const r = await engine.wait(c.id);
        if (r.exitCode !== 0) throw new Error(`/bin/true exited ${r.exitCode}`);
      },
    };
  };
  // Pairs built by hand: create and rm happen outside each timed start→exit.
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n + 3; i++) {
    for (const [mode, out] of (i % 2 ? [['unconfined', b], [undefined, a]] : [[undefined, a], ['unconfined', b]]) as Array<[string | undefined, number[]]>) {
      const c = await startExit(mode);
      const t0 = process.hrtime.bigint();
      await c.run();
      if (i >= 3) out.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await engine.remove(c.id);
    }
  }
  const lines = [row('seccomp: start→exit default profile', 'seccomp=unconfined', { a, b }, 1.1)];

  const bundle = path.join(dir, 'crun-seccomp');
  fs.mkdirSync(bundle, { recursive: true });
  spawnSync('crun', ['spec'], { cwd: bundle });
  const cfg = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = ['/bin/true'];
  cfg.root = { path: rootfs, readonly: true };
  cfg.linux.seccomp = ociSeccomp(DEFAULT_CAPS);
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(cfg));
  const id = `hutch-bench-crun-seccomp-${process.pid}`;
  const crun = () => {
    const r = spawnSync('crun', ['run', '--bundle', bundle, id], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`crun run with the profile failed (${r.status}): ${r.stderr.trim()}`);
  };
  const hutch = async () => {
    const c = await engine.create({ image, cmd: ['/bin/true'], network: 'none' });
    await engine.start(c.id);
    const r = await engine.wait(c.id);
    await engine.remove(c.id);
    if (r.exitCode !== 0) throw new Error(`hutch /bin/true exited ${r.exitCode}`);
  };
  lines.push(row('seccomp: create+start+wait+rm', 'crun run + same profile', await paired(n, 3, hutch, crun), 0.8));
  fs.rmSync(bundle, { recursive: true, force: true });
  return lines;
}
