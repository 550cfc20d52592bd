// Network rows of `npm run bench` (issue 12), in the bench's own network namespace
// (bench/run.mjs): nothing reaches the machine's network or firewall.
// - start→exit of /bin/true on the default bridge with one published port, paired
//   with the same on --network none (target ≤ 1.5×);
// - `hutch run --rm` on the bridge vs `podman run --rm` on podman's (netavark) (≤ 0.3×);
// - bytes through a published port (kernel DNAT, no proxy) vs straight to the
//   container's address (time ratio ≤ 1/0.9);
// - `network create` + `rm` vs podman's;
// - start→exit on a network holding 500 containers vs an empty one (≤ 1.2×).
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import type { Engine } from '../src/engine/index.js';
import { HUTCH } from '../test/integration/helpers.js';
import { paired, row } from './stats.js';

async function startToExit(engine: Engine, spec: Parameters<Engine['create']>[0]): Promise<() => Promise<number>> {
  return async () => {
    const c = await engine.create(spec);
    const t0 = process.hrtime.bigint();
    await engine.start(c.id);
    const r = await engine.wait(c.id);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    await engine.remove(c.id);
    if (r.exitCode !== 0) throw new Error(`/bin/true exited ${r.exitCode}`);
    return ms;
  };
}

/** Pairs two timed-inside functions (each returns its own ms). */
async function pairedInner(n: number, a: () => Promise<number>, b: () => Promise<number>) {
  const res = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < n + 2; i++) {
    const [x, y] = i % 2 ? [await b(), await a()].reverse() : [await a(), await b()];
    if (i >= 2) {
      res.a.push(x);
      res.b.push(y);
    }
  }
  return res;
}

function send(host: string, port: number, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => {
      const chunk = Buffer.alloc(1 << 20);
      let left = bytes;
      const pump = () => {
        while (left > 0) {
          left -= chunk.length;
          if (!s.write(chunk)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    s.on('error', reject);
    s.on('close', () => resolve());
    s.resume();
  });
}

export async function networkRows(engine: Engine, env: NodeJS.ProcessEnv, n: number, podmanImage: string | null): Promise<string[]> {
  const out: string[] = [];
  const bridge = await startToExit(engine, { image: 'busybox', cmd: ['/bin/true'], network: 'bridge', ports: [{ hostIp: '0.0.0.0', hostPort: 18080, containerPort: 80, protocol: 'tcp' }] });
  const none = await startToExit(engine, { image: 'busybox', cmd: ['/bin/true'], network: 'none' });
  out.push(row('net: start→exit, bridge + 1 port', 'hutch --network none', await pairedInner(n, bridge, none), 1.5));

  if (podmanImage) {
    const hutchCli = () => {
      const r = spawnSync(process.execPath, [HUTCH, 'run', '--rm', 'busybox', '/bin/true'], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`hutch run exited ${r.status}: ${r.stderr.trim()}`);
    };
    const podman = () => {
      // podman's default network (netavark's bridge); the ulimits as the other podman rows give them (crun refuses podman's own here).
      const r = spawnSync('podman', ['run', '--rm', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', podmanImage, '/bin/true'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`podman run (bridge) exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
    };
    try {
      out.push(row('net: cli run --rm, bridge', 'podman run --rm (bridge)', await paired(Math.min(n, 20), 2, hutchCli, podman), 0.3));
    } catch (e) {
      out.push(`net: cli row skipped: ${(e as Error).message}`);
    }
  }

  // Throughput: a sink in a container (node from the host image), 64 MiB per send.
  const sink = await engine.create({ image: 'host', network: 'bridge', ports: [{ hostIp: '0.0.0.0', hostPort: 18081, containerPort: 80, protocol: 'tcp' }], cmd: ['node', '-e', "require('net').createServer((s) => s.resume().on('end', () => s.end())).listen(80)"] });
  await engine.start(sink.id);
  const ip = (await engine.inspect(sink.id)).endpoints![0].ipAddress;
  for (let i = 0; i < 100; i++) {
    if (await send(ip, 80, 1).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const MiB = 64;
  const tp = await paired(Math.min(n, 15), 2, () => send('127.0.0.1', 18081, MiB << 20), () => send(ip, 80, MiB << 20));
  const mbps = (ms: number[]) => ((MiB / ([...ms].sort((a, b) => a - b)[ms.length >> 1] / 1000)) | 0);
  out.push(`${row('net: 64 MiB via published port', 'straight to the address', tp, 1 / 0.9)}  (${mbps(tp.a)} vs ${mbps(tp.b)} MiB/s; target: ≥ 0.9× the throughput)`);
  await engine.remove(sink.id, { force: true });

  const hutchNet = () => {
    for (const args of [['network', 'create', 'bench-net'], ['network', 'rm', 'bench-net']]) {
      const r = spawnSync(process.execPath, [HUTCH, ...args], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`hutch ${args.join(' ')}: ${r.stderr.trim()}`);
    }
  };
  const podmanNet = () => {
    for (const args of [['network', 'create', 'bench-pnet'], ['network', 'rm', 'bench-pnet']]) {
      const r = spawnSync('podman', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr.trim()}`);
    }
  };
  try {
    out.push(row('net: network create + rm', 'podman network create + rm', await paired(Math.min(n, 15), 1, hutchNet, podmanNet)));
  } catch (e) {
    out.push(`net: network create row skipped: ${(e as Error).message}`);
  }

  // A network with 500 containers (created: each holds a lease and its names) vs an empty one.
  await engine.createNetwork({ name: 'bench-big', subnet: '10.96.0.0/20' });
  await engine.createNetwork({ name: 'bench-empty' });
  const fill: string[] = [];
  for (let i = 0; i < 500; i++) fill.push((await engine.create({ image: 'busybox', cmd: ['/bin/true'], network: 'bench-big' })).id);
  const big = await startToExit(engine, { image: 'busybox', cmd: ['/bin/true'], network: 'bench-big' });
  const empty = await startToExit(engine, { image: 'busybox', cmd: ['/bin/true'], network: 'bench-empty' });
  out.push(row('net: start→exit, 500 on the network', 'on an empty network', await pairedInner(n, big, empty), 1.2));
  for (const id of fill) await engine.remove(id, { force: true });
  await engine.removeNetwork('bench-big');
  await engine.removeNetwork('bench-empty');
  return out;
}
