// `top` and the runtime config: what the dashboard's detail view shows besides the
// stats. Processes come from the container's cgroup (every process of the
// container, however deep), then /proc for each.
import fs from 'node:fs';
import path from 'node:path';
import type { ProcessInfo, RuntimeConfig } from '../types.js';
import { parseStat } from '../proc.js';
import { mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { files } from './record.js';
import type { OciConfig } from '../spec/build.js';

const PAGE = 4096;
const HZ = 100;
/** Enough for a screen; a fork bomb must not make a view read /proc forever. */
const MAX = 200;

export async function listProcesses(ctx: Ctx, id: string): Promise<ProcessInfo[]> {
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  if (rec.status !== 'running') return [];
  const pids = await ctx.cgroups.pids(rec.cgroupPaths).catch(() => [rec.pid]);
  const out: ProcessInfo[] = [];
  await Promise.all(
    pids.slice(0, MAX).map(async (pid) => {
      try {
        const [stat, cmdline] = await Promise.all([
          fs.promises.readFile(`/proc/${pid}/stat`, 'utf8'),
          fs.promises.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
        ]);
        const s = parseStat(stat);
        if (!s) return;
        const cmd = cmdline.split('\0').filter(Boolean).join(' ') || `[${s.comm}]`;
        out.push({ pid, ppid: s.ppid, state: s.state, rss: s.rss * PAGE, cpuSeconds: (s.utime + s.stime) / HZ, cmd });
      } catch {
        // the process exited meanwhile
      }
    }),
  );
  return out.sort((a, b) => a.pid - b.pid);
}

export function runtimeConfig(ctx: Ctx, id: string): RuntimeConfig {
  const bundle = mustLoad(ctx, id).bundle;
  const spec = JSON.parse(fs.readFileSync(files.config(path.resolve(bundle)), 'utf8')) as Partial<OciConfig>;
  return {
    hostname: spec.hostname || undefined,
    mounts: (spec.mounts ?? []).map((m) => ({ destination: m.destination, type: m.type, readonly: (m.options ?? []).includes('ro') })),
  };
}
