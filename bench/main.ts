// The benchmark rows of `npm run bench`, each paired with its peer in the same run.
// Runs inside the namespace bench/run.mjs sets up. Prints medians and ratios.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openEngine } from '../src/engine/index.js';
import { busyboxRootfsTar, HUTCH } from '../test/integration/helpers.js';
import { median, paired, row } from './stats.js';
import { sweepRows } from './sweep.js';
import { inkFloorRow } from './ink-floor.js';
import { dashboardRows } from './dashboard.js';
import { imageRows } from './images.js';
import { usernsRows } from './userns.js';
import { extractRows } from './extract.js';
import { startupRows } from './startup.js';
import { networkRows } from './network.js';
import { cpRows } from './cp.js';
import { buildRows } from './build.js';
import { volumeRows } from './volumes.js';
import { seccompRows } from './seccomp.js';
import { psRows } from './ps.js';
import { runcRows } from './runc.js';
import { remoteRows } from './remote.js';

const N = Number(process.env.BENCH_N ?? 40);
/** An RFC 3339 time with nanoseconds as fractional ms since the epoch (Date.parse stops at ms). */
const rfcMs = (t: string) => Date.parse(`${t.slice(0, 19)}Z`) + Number(`0.${/\.(\d+)/.exec(t)?.[1] ?? '0'}`) * 1000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-bench-'));
process.env.HUTCH_ROOT = root;
process.env.HUTCH_CGROUP_PARENT = `hutch-bench-${randomBytes(3).toString('hex')}`;
process.env.HUTCH_USERNS_POOL ??= path.join(root, 'userns-pool.json'); // the machine's pool stays untouched
// Without NODE_EXTRA_CA_CERTS: Node reads that CA bundle at start-up when it is set
// (~30 ms here, where the environment sets it; a stock host does not). README.
const env: NodeJS.ProcessEnv = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const engine = await openEngine({ root });
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};
const podmanArgs = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
const podmanImage = 'localhost/hutch-bench-busybox:latest';
const crunBundle = path.join(root, 'crun-bundle');
const cleanup: Array<() => void> = [];

try {
  const tar = busyboxRootfsTar();
  await engine.importImage(tar, 'busybox');
  // A one-layer image's snapshot is its whole root filesystem.
  const chain = (await engine.inspectImage('busybox')).Manifest!.Layers[0].ChainID;
  const rootfs = path.join(root, 'images', 'snapshots', chain.slice(7), 'fs');

  // crun: the same rootfs, a config from `crun spec` running /bin/true.
  fs.mkdirSync(crunBundle);
  spawnSync('crun', ['spec'], { cwd: crunBundle });
  const cfg = JSON.parse(fs.readFileSync(path.join(crunBundle, 'config.json'), 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = ['/bin/true'];
  cfg.root = { path: rootfs, readonly: true };
  fs.writeFileSync(path.join(crunBundle, 'config.json'), JSON.stringify(cfg));
  const crunId = `hutch-bench-crun-${process.pid}`;
  const crun = () => {
    const r = spawnSync('crun', ['run', '--bundle', crunBundle, crunId], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`crun run failed (${r.status})`);
  };
  const hutchRun = async () => {
    // --network none: crun's spec gives its container a new network namespace with nothing in it.
    const c = await engine.create({ image: 'busybox', cmd: ['/bin/true'], network: 'none' });
    await engine.start(c.id);
    const r = await engine.wait(c.id);
    await engine.remove(c.id);
    if (r.exitCode !== 0) throw new Error(`hutch /bin/true exited ${r.exitCode}`);
  };
  say(`hutch bench — ${new Date().toISOString()} — ${os.cpus().length} CPUs, kernel ${os.release()}`);
  say('row                                  hutch median   peer                     peer median   ratio (hutch/peer)');
  const eng = await paired(N, 3, hutchRun, crun);
  say(row('engine: create+start+wait+rm true', 'crun run', eng, 0.8));

  // Start-to-exit only (create and remove outside the timing), against the same crun run.
  const startOnly: number[] = [];
  const crunTimes: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = await engine.create({ image: 'busybox', cmd: ['/bin/true'], network: 'none' });
    const t0 = process.hrtime.bigint();
    await engine.start(c.id);
    await engine.wait(c.id);
    startOnly.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await engine.remove(c.id);
    const t1 = process.hrtime.bigint();
    crun();
    crunTimes.push(Number(process.hrtime.bigint() - t1) / 1e6);
  }
  say(row('engine: start→exit true', 'crun run', { a: startOnly, b: crunTimes }, 0.8));
  for (const l of await seccompRows(engine, 'busybox', rootfs, root, N)) say(l);
  for (const l of await imageRows(engine, root, N)) say(l);
  for (const l of await usernsRows(engine, root, N)) say(l);
  for (const l of await extractRows()) say(l);
  for (const l of await cpRows()) say(l);
  for (const l of await buildRows(env)) say(l);
  for (const l of await volumeRows(engine, N)) say(l);

  // CLI against podman, same rootfs.
  const imp = spawnSync('podman', ['import', tar, podmanImage], { encoding: 'utf8' });
  if (imp.status === 0) {
    cleanup.push(() => spawnSync('podman', ['rmi', '-f', podmanImage], { stdio: 'ignore' }));
    const hutchCli = () => {
      const r = spawnSync(process.execPath, [HUTCH, 'run', '--rm', '--network', 'none', 'busybox', '/bin/true'], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`hutch run exited ${r.status}: ${r.stderr.trim()}`);
    };
    const podman = () => {
      const r = spawnSync('podman', ['run', '--rm', ...podmanArgs, podmanImage, '/bin/true'], { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`podman run exited ${r.status}`);
    };
    say(row('cli: hutch run --rm true', 'podman run --rm', await paired(Math.min(N, 20), 2, hutchCli, podman), 0.6));
    for (const l of await networkRows(engine, env, N, podmanImage)) say(l);
  } else say(`cli row skipped: podman import failed: ${imp.stderr.trim()}`);
  for (const l of await psRows(engine, env, 'busybox', tar, Math.min(N, 10))) say(l);
  for (const l of await runcRows(engine, 'busybox', tar, root, N)) say(l);

  // Monitor memory: PSS of the per-container monitor vs podman's conmon.
  const M = 10;
  const ids: string[] = [];
  for (let i = 0; i < M; i++) {
    const c = await engine.create({ image: 'busybox', cmd: ['sleep', '1000'] });
    ids.push((await engine.start(c.id)).id);
  }
  await new Promise((r) => setTimeout(r, 500));
  const pss = (pid: number) => Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  const ours = await Promise.all(ids.map(async (id) => pss((await engine.inspect(id)).monitorPid)));
  const conmon: number[] = [];
  const pnames: string[] = [];
  if (imp.status === 0) {
    for (let i = 0; i < 5; i++) {
      const name = `hutch-bench-mem-${process.pid}-${i}`;
      if (spawnSync('podman', ['run', '-d', '--name', name, ...podmanArgs, podmanImage, 'sleep', '1000'], { stdio: 'ignore' }).status === 0) pnames.push(name);
    }
    for (const n of pnames) {
      const pid = Number(spawnSync('podman', ['inspect', '--format', '{{.State.ConmonPid}}', n], { encoding: 'utf8' }).stdout.trim());
      if (pid) conmon.push(pss(pid));
    }
    cleanup.push(() => pnames.length && spawnSync('podman', ['rm', '-f', '-t', '0', ...pnames], { stdio: 'ignore' }));
  }
  const pm = median(ours);
  say(`${'monitor PSS per running container'.padEnd(34)} ${pm.toFixed(0).padStart(8)} KiB  ${'conmon (podman)'.padEnd(22)} ${(conmon.length ? median(conmon).toFixed(0) : 'n/a').padStart(8)} KiB  ${conmon.length ? `ratio ${(pm / median(conmon)).toFixed(2)}` : ''}  target ≤ 150 KiB ${pm <= 150 ? 'MET' : 'NOT MET'}`);
  for (const id of ids) await engine.remove(id, { force: true });
  // The same with a health check every second (the monitor probes through the exec
  // path, keeps 5 results): measured after 6 probes, probe processes not counted.
  const hids: string[] = [];
  for (let i = 0; i < M; i++) {
    const c = await engine.create({ image: 'busybox', cmd: ['sleep', '1000'], healthcheck: { Test: ['CMD', 'true'], Interval: 1e9 } });
    hids.push((await engine.start(c.id)).id);
  }
  await new Promise((r) => setTimeout(r, 6500));
  const hp = median(await Promise.all(hids.map(async (id) => pss((await engine.inspect(id)).monitorPid))));
  const probes = (await engine.inspect(hids[0])).health?.Log.length ?? 0;
  say(`${'monitor PSS, 1 s health check'.padEnd(34)} ${hp.toFixed(0).padStart(8)} KiB  ${'conmon (podman)'.padEnd(22)} ${(conmon.length ? median(conmon).toFixed(0) : 'n/a').padStart(8)} KiB  ${conmon.length ? `ratio ${(hp / median(conmon)).toFixed(2)}` : ''}  target ≤ 200 KiB ${hp <= 200 ? 'MET' : 'NOT MET'}  (${probes} results kept; podman runs its checks from systemd timers)`);
  // One probe (the monitor's own hutch-monitor exec, End − Start of its result) against
  // an exec of the same command through the engine, `true` both.
  const probeMs = (await Promise.all(hids.map(async (id) => (await engine.inspect(id)).health?.Log ?? []))).flat().map((l) => rfcMs(l.End) - rfcMs(l.Start));
  const execMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await engine.exec(hids[i % hids.length], ['true'], {});
    execMs.push(performance.now() - t0);
  }
  const pr = median(probeMs) / median(execMs);
  say(`${'health: one probe of true'.padEnd(34)} ${median(probeMs).toFixed(2).padStart(8)} ms   ${'hutch exec (engine)'.padEnd(22)} ${median(execMs).toFixed(2).padStart(8)} ms   ratio ${pr.toFixed(2)} (n=${probeMs.length}/${execMs.length}, medians; probes are timer-driven, not paired)  target ≤ 1.2× ${pr <= 1.2 ? 'MET' : 'NOT MET'}`);
  for (const id of hids) await engine.remove(id, { force: true });

  for (const l of await sweepRows(engine, 'busybox', Number(process.env.BENCH_CONTAINERS ?? 200))) say(l);
  for (const l of await dashboardRows()) say(l);
  for (const l of await remoteRows(engine, 'busybox', env)) say(l);
  for (const l of await (await import('./foreign.js')).foreignRows()) say(l);
  for (const l of await (await import('./pane.js')).paneRows()) say(l);
  for (const l of await startupRows(engine, 'busybox', Math.min(N, 20))) say(l);
  say(inkFloorRow());
} finally {
  for (const f of cleanup.reverse()) {
    try {
      f();
    } catch {
      /* best effort */
    }
  }
  for (const c of await engine.list({ all: true }).catch(() => [])) await engine.remove(c.id, { force: true }).catch(() => {});
  await engine.gc().catch(() => {});
  for (const d of fs.readdirSync('/sys/fs/cgroup')) {
    try {
      fs.rmdirSync(path.join('/sys/fs/cgroup', d, process.env.HUTCH_CGROUP_PARENT!));
    } catch {
      /* not there */
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(crunBundle, { recursive: true, force: true });
}
