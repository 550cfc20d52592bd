// Build rows of `npm run bench` (issue 15): `hutch build` against `podman build`
// (buildah inside podman) on one context and one Dockerfile — FROM a busybox image
// imported into both, COPY of the bench's ~200 MiB tree (bench/extract.ts's list),
// three cheap RUNs, CMD — both through their command line, RUNs on --network none
// (no bridge set up in the timing), SOURCE_DATE_EPOCH unset. Rows, paired round by
// round (who goes first alternates; one unrecorded warm-up round):
// - cold: each round in fresh stores (a new hutch root, a new podman --root), so no
//   layer, build cache or stat cache is there; the base image is imported untimed;
// - one file of the tree changed (new content each round): COPY and the RUNs rerun;
// - fully cached: the same build again, nothing changed.
// Each build's output is checked (how many steps were cached, the RUN's output), so
// a row cannot time a build that did something else. podman uses the overlay driver
// (its default as root, and its fast one: vfs would copy the 200 MiB per step) in a
// private --root/--runroot/--tmpdir under this row's directory, on the same
// filesystem as hutch's root. `sync` before each timed build: neither engine pays
// for the other's writeback. Runs alone (as root, in the bench's namespace):
//   unshare --mount --net --propagation private -- sh -c 'ip link set lo up &&
//     mount -t tmpfs -o size=1m b /sys/fs/cgroup/unified; exec node --import tsx bench/build.ts'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { busyboxRootfsTar, HUTCH } from '../test/integration/helpers.js';
import { treeList } from './extract.js';
import { row } from './stats.js';

const ROUNDS = Number(process.env.BENCH_BUILD_ROUNDS ?? 5);
const BASE = 'localhost/hutch-bench-busybox:latest';
const TAG = 'localhost/hutch-bench-build:latest';
const DOCKERFILE = `FROM ${BASE}
COPY src /src
RUN find /src -type f | wc -l > /n
RUN echo a > /a
RUN cat /n
CMD ["sh"]
`;

type Kind = 'cold' | 'changed' | 'cached';

/** One engine with its own store: set up (untimed), one timed build, removed. */
interface Side {
  name: string;
  setup(): void;
  build(kind: Kind): number;
  teardown(): void;
}

function check(what: string, r: SpawnSyncReturns<string>): string {
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status ?? r.signal}: ${out.trim().split('\n').slice(-3).join(' | ')}`);
  return out;
}

/** Unmounts what is mounted at or below dir (podman's overlay home is a bind of itself), deepest first. */
function unmountUnder(dir: string): void {
  const points = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && (m === dir || m.startsWith(`${dir}/`)));
  for (const m of points.sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m]);
}

/** The cached-step count a build of this kind shows, and that the last RUN printed the file count. */
function expectBuild(who: string, kind: Kind, out: string, cached: number, allCached: number, files: number): void {
  const want = kind === 'cached' ? allCached : 0;
  if (cached !== want) throw new Error(`${who} (${kind}): ${cached} steps taken from the cache, expected ${want}`);
  if (kind !== 'cached' && !new RegExp(`(^|\\s)${files}$`, 'm').test(out)) throw new Error(`${who} (${kind}): the RUN did not print the file count ${files}`);
}

function timed(fn: () => SpawnSyncReturns<string>): { ms: number; r: SpawnSyncReturns<string> } {
  spawnSync('sync');
  const t0 = process.hrtime.bigint();
  const r = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}

function hutchSide(dir: string, ctx: string, tar: string, env: NodeJS.ProcessEnv, files: number): Side {
  const root = path.join(dir, 'root');
  const e = { ...env, HUTCH_ROOT: root, TMPDIR: path.join(dir, 'tmp') };
  const cli = (args: string[]) => spawnSync(process.execPath, [HUTCH, ...args], { env: e, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, timeout: 600_000 });
  return {
    name: 'hutch',
    setup() {
      fs.mkdirSync(e.TMPDIR, { recursive: true });
      check('hutch import', cli(['import', tar, BASE]));
    },
    build(kind) {
      const { ms, r } = timed(() => cli(['build', '--progress', 'plain', '--network', 'none', '-t', TAG, ctx]));
      const out = check(`hutch build (${kind})`, r);
      // COPY and the three RUNs make layers; FROM and CMD are never "CACHED" in BuildKit's output.
      expectBuild('hutch build', kind, out, (out.match(/^#\d+ CACHED$/gm) ?? []).length, 4, files);
      return ms;
    },
    teardown() {
      unmountUnder(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// dir's name is short: podman refuses a runroot of more than 50 characters.
function podmanSide(dir: string, ctx: string, tar: string, env: NodeJS.ProcessEnv, files: number): Side {
  const global = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--tmpdir', path.join(dir, 'libpod'), '--storage-driver', 'overlay', '--events-backend', 'file'];
  // TMPDIR: buildah's scratch (else /var/tmp) stays in the row's directory.
  const e = { ...env, TMPDIR: path.join(dir, 'tmp') };
  const podman = (args: string[]) => spawnSync('podman', [...global, ...args], { env: e, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, timeout: 600_000 });
  return {
    name: 'podman',
    setup() {
      fs.mkdirSync(e.TMPDIR, { recursive: true });
      check('podman import', podman(['import', tar, BASE]));
    },
    build(kind) {
      const { ms, r } = timed(() => podman(['build', '--layers', '--network', 'none', '-t', TAG, ctx]));
      const out = check(`podman build (${kind})`, r);
      // podman also prints "Using cache" for the CMD step (a layerless image of its own).
      expectBuild('podman build', kind, out, (out.match(/^--> Using cache /gm) ?? []).length, 5, files);
      return ms;
    },
    teardown() {
      podman(['rmi', '-a', '-f']);
      unmountUnder(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Builds with a then b, or b then a on odd rounds; their times. */
function pair(i: number, a: Side, b: Side, kind: Kind): [number, number] {
  if (i % 2) {
    const y = b.build(kind);
    return [a.build(kind), y];
  }
  const x = a.build(kind);
  return [x, b.build(kind)];
}

/** The three build rows; `env` is the environment the hutch CLI runs with. */
export async function buildRows(env: NodeJS.ProcessEnv, rounds = ROUNDS): Promise<string[]> {
  const help = spawnSync(process.execPath, [HUTCH, 'build', '--help'], { env, encoding: 'utf8' });
  if (help.status !== 0) return [`build rows skipped: this hutch has no build command (npm run build): ${help.stderr.trim().split('\n')[0]}`];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-bench-build-'));
  const cgroupParent = `hutch-test-bench-build-${process.pid}`;
  const base: NodeJS.ProcessEnv = { ...env, HUTCH_CGROUP_PARENT: cgroupParent };
  delete base.SOURCE_DATE_EPOCH;
  const made: Side[] = [];
  const fresh = (name: string, mk: typeof hutchSide, ...args: [string, string, NodeJS.ProcessEnv, number]) => {
    const s = mk(path.join(dir, name), ...args);
    made.push(s);
    s.setup();
    return s;
  };
  const done = (s: Side) => {
    made.splice(made.indexOf(s), 1);
    s.teardown();
  };
  try {
    const ctx = path.join(dir, 'ctx');
    const src = path.join(ctx, 'src');
    fs.mkdirSync(src, { recursive: true });
    const list = path.join(dir, 'list');
    const entries = treeList();
    fs.writeFileSync(list, entries.join('\n') + '\n');
    check('copying the tree', spawnSync('sh', ['-c', `tar -C / --no-recursion -T "${list}" -cf - | tar -C "${src}" -xf -`], { encoding: 'utf8' }));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), DOCKERFILE);
    const files = Number(check('counting files', spawnSync('sh', ['-c', 'find src -type f | wc -l'], { cwd: ctx, encoding: 'utf8' })).trim());
    const mib = Number(spawnSync('du', ['-sb', src], { encoding: 'utf8' }).stdout.split('\t')[0]) / 2 ** 20;
    // The one source file changed: the tree's last regular file, new content each round.
    const changed = path.join(src, [...entries].reverse().find((p) => fs.lstatSync(path.join(src, p)).isFile())!);
    const original = fs.readFileSync(changed);
    const tar = busyboxRootfsTar();
    const args = (): [string, string, NodeJS.ProcessEnv, number] => [ctx, tar, base, files];

    const cold = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i <= rounds; i++) {
      const h = fresh(`hc${i}`, hutchSide, ...args());
      const p = fresh(`pc${i}`, podmanSide, ...args());
      const [x, y] = pair(i, h, p, 'cold');
      if (i > 0) {
        cold.a.push(x);
        cold.b.push(y);
      }
      done(h);
      done(p);
    }

    const h = fresh('h', hutchSide, ...args());
    const p = fresh('p', podmanSide, ...args());
    h.build('cold');
    p.build('cold');
    const edit = { a: [] as number[], b: [] as number[] };
    const cached = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i <= rounds; i++) {
      fs.writeFileSync(changed, Buffer.concat([original, Buffer.from(`\n/* hutch bench round ${i} */\n`)]));
      const [x, y] = pair(i, h, p, 'changed');
      const [u, v] = pair(i + 1, h, p, 'cached');
      if (i === 0) continue;
      edit.a.push(x);
      edit.b.push(y);
      cached.a.push(u);
      cached.b.push(v);
    }
    const version = spawnSync('podman', ['--version'], { encoding: 'utf8' }).stdout.trim();
    const fstype = spawnSync('findmnt', ['-no', 'FSTYPE', '-T', dir], { encoding: 'utf8' }).stdout.trim();
    return [
      `build: 6 steps, COPY of ${mib.toFixed(0)} MiB (${files} files), RUN --network none; ${version}, overlay driver; stores on ${fstype || 'disk'}`,
      row('build: cold (fresh stores)', 'podman build', cold, 0.8),
      row('build: one source file changed', 'podman build --layers', edit, 0.3),
      row('build: fully cached rebuild', 'podman build --layers', cached, 0.2),
    ];
  } catch (e) {
    // One line, and the bench's other rows still run.
    return [`build rows failed: ${(e as Error).message.split('\n')[0]}`];
  } finally {
    for (const s of made.reverse()) {
      try {
        s.teardown();
      } catch {
        /* best effort: the directory goes below */
      }
    }
    unmountUnder(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    for (const hier of fs.readdirSync('/sys/fs/cgroup')) {
      try {
        fs.rmdirSync(path.join('/sys/fs/cgroup', hier, cgroupParent));
      } catch {
        /* not in this hierarchy */
      }
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // as bench/main.ts: Node would read that bundle at each start
  for (const l of await buildRows(env)) console.log(l);
}
