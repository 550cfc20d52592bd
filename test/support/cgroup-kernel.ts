// A fake cgroup kernel over a tmp dir, for the cgroup managers' tests and the
// engine's lifecycle tests: mkdir populates interface files like cgroupfs does,
// subtree_control writes are checked and merged, v1 memsw >= limit is enforced, rmdir
// refuses populated or parent cgroups, writes to missing files fail with ENOENT.
import fs from 'node:fs';
import path from 'node:path';
import { parsePids, type CgroupFs } from '../../src/engine/cgroups/index.js';

const errno = (code: string, p: string) => Object.assign(new Error(`${code}: ${p}`), { code });
export const UNLIMITED = '9223372036854771712';

export interface FakeKernelOptions {
  version: 'v1' | 'v2';
  /** v2: swap accounting (memory.swap.max); v1: memsw files. */
  swap?: boolean;
  /** Throws this errno on a write to a file with this basename. */
  failWrite?: { file: string; code: string };
  /** rmdir answers EBUSY this many times first (tasks still exiting). */
  busyRmdirs?: number;
}

export class FakeKernel implements CgroupFs {
  writes: { file: string; data: string }[] = [];
  constructor(
    readonly cgroupRoot: string,
    readonly o: FakeKernelOptions,
  ) {}

  readFile(p: string): string {
    return fs.readFileSync(p, 'utf8');
  }
  exists(p: string): boolean {
    return fs.existsSync(p);
  }
  readdir(p: string) {
    return fs.readdirSync(p, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
  }
  writeFile(p: string, data: string): void {
    if (!fs.existsSync(p)) throw errno('ENOENT', p);
    const base = path.basename(p);
    if (this.o.failWrite?.file === base) throw errno(this.o.failWrite.code, p);
    this.writes.push({ file: path.relative(this.cgroupRoot, p), data });
    const dir = path.dirname(p);
    const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8').trim();
    if (base === 'cgroup.subtree_control') {
      const avail = read('cgroup.controllers').split(' ');
      const on = new Set(read('cgroup.subtree_control').split(' ').filter(Boolean));
      for (const tok of data.split(' ')) {
        if (!avail.includes(tok.slice(1))) throw errno('ENOENT', p);
        if (tok[0] === '+') on.add(tok.slice(1));
        else on.delete(tok.slice(1));
      }
      data = [...on].join(' ');
    }
    if (base === 'memory.limit_in_bytes' && fs.existsSync(path.join(dir, 'memory.memsw.limit_in_bytes'))) {
      if (Number(data) > Number(read('memory.memsw.limit_in_bytes'))) throw errno('EINVAL', p);
    }
    if (base === 'memory.memsw.limit_in_bytes' && Number(data) !== -1) {
      if (Number(data) < Number(read('memory.limit_in_bytes'))) throw errno('EINVAL', p);
    }
    if (base === 'memory.memsw.limit_in_bytes' && Number(data) === -1) data = UNLIMITED;
    fs.writeFileSync(p, data);
  }
  mkdir(p: string): void {
    fs.mkdirSync(p); // EEXIST like the kernel
    const put = (f: string, v: string) => fs.writeFileSync(path.join(p, f), v);
    put('cgroup.procs', '');
    if (this.o.version === 'v2') {
      const ctrls = fs.readFileSync(path.join(path.dirname(p), 'cgroup.subtree_control'), 'utf8').trim().split(' ').filter(Boolean);
      put('cgroup.controllers', ctrls.join(' '));
      put('cgroup.subtree_control', '');
      put('cpu.stat', 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n');
      if (ctrls.includes('memory')) {
        for (const [f, v] of Object.entries({ 'memory.max': 'max', 'memory.current': '0', 'memory.stat': 'file 0\ninactive_file 0\n', 'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n' })) put(f, v);
        if (this.o.swap) put('memory.swap.max', 'max');
      }
      if (ctrls.includes('cpu')) put('cpu.max', 'max 100000');
      if (ctrls.includes('pids')) {
        put('pids.max', 'max');
        put('pids.current', '0');
      }
      if (ctrls.includes('io')) put('io.stat', '');
      return;
    }
    // v1: the hierarchy's controllers are in its mount dir's name (cpu,cpuacct).
    const hier = path.relative(this.cgroupRoot, p).split(path.sep)[0].split(',');
    put('tasks', '');
    const files: Record<string, Record<string, string>> = {
      cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '' },
      cpu: { 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '-1' },
      cpuacct: { 'cpuacct.usage': '0' },
      memory: {
        'memory.limit_in_bytes': UNLIMITED,
        'memory.usage_in_bytes': '0',
        'memory.stat': 'total_cache 0\ntotal_inactive_file 0\n',
        'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
        ...(this.o.swap ? { 'memory.memsw.limit_in_bytes': UNLIMITED } : {}),
      },
      pids: { 'pids.max': 'max', 'pids.current': '0' },
      devices: { 'devices.allow': '', 'devices.deny': '', 'devices.list': 'a *:* rwm\n' },
      freezer: { 'freezer.state': 'THAWED\n' },
      blkio: { 'blkio.throttle.io_service_bytes': 'Total 0\n' },
    };
    for (const c of hier) for (const [f, v] of Object.entries(files[c] ?? {})) put(f, v);
  }
  rmdirCalls = 0;
  rmdir(p: string): void {
    if (!fs.existsSync(p)) throw errno('ENOENT', p);
    if (this.rmdirCalls++ < (this.o.busyRmdirs ?? 0)) throw errno('EBUSY', p);
    if (this.readdir(p).some((d) => d.dir)) throw errno('EBUSY', p);
    if (fs.readFileSync(path.join(p, 'cgroup.procs'), 'utf8').trim() !== '') throw errno('EBUSY', p);
    fs.rmSync(p, { recursive: true });
  }
  /** What a kill does in the fake: the pid leaves every cgroup.procs. */
  reap(pid: number): void {
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const f = path.join(d, e.name);
        if (e.isDirectory()) walk(f);
        else if (e.name === 'cgroup.procs') {
          const left = parsePids(fs.readFileSync(f, 'utf8')).filter((x) => x !== pid);
          fs.writeFileSync(f, left.map((x) => `${x}\n`).join(''));
        }
      }
    };
    walk(this.cgroupRoot);
  }
}

/** A v2 host's cgroup root under tmp (sys/fs/cgroup): its controllers, memory and pids
 * already enabled for children, pid 1 in it. Returns the root's path. */
export function fakeV2Root(tmp: string, controllers = 'cpuset cpu io memory hugetlb pids rdma misc'): string {
  const cg = path.join(tmp, 'sys/fs/cgroup');
  fs.mkdirSync(cg, { recursive: true });
  fs.writeFileSync(path.join(cg, 'cgroup.controllers'), controllers);
  fs.writeFileSync(path.join(cg, 'cgroup.subtree_control'), 'memory pids');
  fs.writeFileSync(path.join(cg, 'cgroup.procs'), '1\n');
  return cg;
}
