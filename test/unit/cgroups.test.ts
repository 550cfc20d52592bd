// cgroup manager: pure parsers with exact values, and the v1 / hybrid / v2 managers
// against a fake kernel (a tmp dir tree whose mkdir/write/rmdir behave like cgroupfs).
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  blkioTotals,
  cpuQuotaUs,
  detectCgroups,
  detectLayout,
  ioStatTotals,
  parseFlatKeyed,
  parseIoStat,
  parseMax,
  parseMountinfo,
  parsePids,
  parseV1Limit,
  validateLimits,
  DEFAULT_DEVICE_RULES,
  type CgroupManager,
} from '../../src/engine/cgroups/index.js';
import { InvalidArgument } from '../../src/engine/errors.js';
import { FakeKernel, fakeV2Root, UNLIMITED, type FakeKernelOptions } from '../support/cgroup-kernel.js';

// ---------------------------------------------------------------------------------
// mountinfo samples

/** This project's dev machine: v1 controllers each on their own hierarchy (cpu and
 * cpuacct separate), name=systemd, and cgroup2 at /sys/fs/cgroup/unified. */
const HYBRID = `22 27 0:21 / /proc rw,relatime - proc proc rw
23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k,nr_inodes=3083615,mode=755
25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684084k
26 24 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

/** A systemd host on the unified hierarchy (Debian 12 / Fedora / Ubuntu 22.04 style). */
const V2 = `22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
25 24 0:6 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:3 - securityfs securityfs rw
26 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
27 24 0:24 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:5 - pstore pstore rw
28 24 0:25 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:6 - bpf bpf rw,mode=700
44 22 259:3 / /mnt/my\\040disk rw,relatime shared:27 - ext4 /dev/nvme0n1p3 rw
`;

/** Legacy v1 (CentOS 7 style): cpu,cpuacct and net_cls,net_prio co-mounted, no cgroup2;
 * plus a second bind mount of the memory hierarchy's sub-tree, which must lose to the
 * full one. */
const V1_COMOUNT = `18 62 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw
19 62 0:3 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:7 - tmpfs tmpfs ro,mode=755
25 24 0:21 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
27 24 0:23 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,net_prio,net_cls
28 24 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,cpuacct,cpu
29 24 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory
30 24 0:26 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,blkio
31 24 0:27 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids
32 24 0:28 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,devices
33 24 0:29 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,freezer
34 24 0:30 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpuset
35 24 0:31 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,hugetlb
36 24 0:32 / /sys/fs/cgroup/perf_event rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,perf_event
90 62 0:25 /docker/abc /run/other/memory rw,relatime - cgroup cgroup rw,memory
`;

describe('mountinfo', () => {
  test('parses fields, optional fields and octal escapes', () => {
    const m = parseMountinfo(V2);
    assert.equal(m.length, 8);
    assert.deepEqual(m[4], {
      id: 26,
      parentId: 24,
      majorMinor: '0:23',
      root: '/',
      mountPoint: '/sys/fs/cgroup',
      mountOptions: ['rw', 'nosuid', 'nodev', 'noexec', 'relatime'],
      optionalFields: ['shared:4'],
      fsType: 'cgroup2',
      source: 'cgroup2',
      superOptions: ['rw', 'nsdelegate', 'memory_recursiveprot'],
    });
    assert.equal(m[7].mountPoint, '/mnt/my disk');
    assert.deepEqual(m[0].optionalFields, ['shared:1']);
    // No optional fields at all (the hybrid sample).
    assert.deepEqual(parseMountinfo(HYBRID)[7].optionalFields, []);
    assert.deepEqual(parseMountinfo('garbage line\n\n'), []);
  });

  test('hybrid layout: one hierarchy per controller, unified at /sys/fs/cgroup/unified', () => {
    const l = detectLayout(parseMountinfo(HYBRID));
    assert.equal(l.mode, 'hybrid');
    assert.deepEqual(l.unified, { mountPoint: '/sys/fs/cgroup/unified', root: '/' });
    assert.deepEqual(
      l.v1.map((h) => [h.mountPoint, h.controllers.join(','), h.name ?? '']),
      [
        ['/sys/fs/cgroup/cpu', 'cpu', ''],
        ['/sys/fs/cgroup/cpuacct', 'cpuacct', ''],
        ['/sys/fs/cgroup/cpuset', 'cpuset', ''],
        ['/sys/fs/cgroup/memory', 'memory', ''],
        ['/sys/fs/cgroup/devices', 'devices', ''],
        ['/sys/fs/cgroup/freezer', 'freezer', ''],
        ['/sys/fs/cgroup/blkio', 'blkio', ''],
        ['/sys/fs/cgroup/pids', 'pids', ''],
        ['/sys/fs/cgroup/systemd', '', 'systemd'],
      ],
    );
  });

  test('a cgroup2 mount hidden under a tmpfs (crun bench namespace) makes the host plain v1', () => {
    const hidden = HYBRID + '\n999 35 0:99 / /sys/fs/cgroup/unified rw,relatime - tmpfs hutch-bench rw,size=1024k\n';
    const l = detectLayout(parseMountinfo(hidden));
    assert.equal(l.mode, 'v1');
    assert.equal(l.unified, null);
  });

  test('pure v2 layout', () => {
    const l = detectLayout(parseMountinfo(V2));
    assert.equal(l.mode, 'v2');
    assert.deepEqual(l.unified, { mountPoint: '/sys/fs/cgroup', root: '/' });
    assert.deepEqual(l.v1, []);
  });

  test('v1 layout with co-mounted controllers from superblock options', () => {
    const l = detectLayout(parseMountinfo(V1_COMOUNT));
    assert.equal(l.mode, 'v1');
    assert.equal(l.unified, null);
    const by = Object.fromEntries(l.v1.map((h) => [h.controllers.join(',') || `name=${h.name}`, h.mountPoint]));
    assert.deepEqual(by, {
      'name=systemd': '/sys/fs/cgroup/systemd',
      'net_cls,net_prio': '/sys/fs/cgroup/net_cls,net_prio',
      'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct',
      memory: '/sys/fs/cgroup/memory', // not the /docker/abc sub-tree bind mount
      blkio: '/sys/fs/cgroup/blkio',
      pids: '/sys/fs/cgroup/pids',
      devices: '/sys/fs/cgroup/devices',
      freezer: '/sys/fs/cgroup/freezer',
      cpuset: '/sys/fs/cgroup/cpuset',
      hugetlb: '/sys/fs/cgroup/hugetlb',
      perf_event: '/sys/fs/cgroup/perf_event',
    });
  });

  test('a v2 host with a stray v1 net_cls mount is still v2; no cgroup mount at all throws', () => {
    const stray = V2 + '50 24 0:40 / /sys/fs/cgroup/net_cls rw,relatime - cgroup cgroup rw,net_cls\n';
    assert.equal(detectLayout(parseMountinfo(stray)).mode, 'v2');
    assert.throws(() => detectLayout(parseMountinfo(V2.split('\n').filter((l) => !l.includes('cgroup2')).join('\n'))), /no cgroup filesystem/);
    assert.throws(() => detectCgroups({ mountinfo: '1 0 0:1 / / rw - ext4 /dev/sda rw\n' }), /^CgroupError: cgroup: no cgroup filesystem/);
  });
});

// ---------------------------------------------------------------------------------
// interface file parsers

const V1_MEMORY_STAT = `cache 9543680
rss 7016448
rss_huge 0
shmem 9084928
mapped_file 7479296
inactive_file 8192
active_file 450560
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 9223372036854771712
total_cache 307941376
total_rss 13471744
total_inactive_anon 6225920
total_active_anon 1581056
total_inactive_file 135548928
total_active_file 166318080
`;

const BLKIO = `8:16 Read 4096
8:16 Write 1052672
8:16 Sync 1056768
8:16 Async 0
8:16 Discard 0
8:16 Total 1056768
8:0 Read 20480
8:0 Write 8192
8:0 Sync 28672
8:0 Async 0
8:0 Discard 0
8:0 Total 28672
Total 1085440
`;

const IO_STAT = `259:0 rbytes=2142208 wbytes=4096 rios=97 wios=1 dbytes=0 dios=0
8:0 rbytes=1048576 wbytes=524288 rios=10 wios=4 dbytes=0 dios=0
`;

describe('parsers', () => {
  test('flat keyed files', () => {
    const s = parseFlatKeyed(V1_MEMORY_STAT);
    assert.equal(s.total_inactive_file, 135548928);
    assert.equal(s.total_cache, 307941376);
    assert.equal(s.inactive_file, 8192);
    assert.equal(s.hierarchical_memory_limit, 9223372036854771712);
    assert.deepEqual(parseFlatKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n'), { oom_kill_disable: 0, under_oom: 0, oom_kill: 3 });
    assert.deepEqual(parseFlatKeyed('usage_usec 1234\nuser_usec 1000\nsystem_usec 234\n').usage_usec, 1234);
  });

  test('io.stat', () => {
    assert.deepEqual(parseIoStat(IO_STAT)['8:0'], { rbytes: 1048576, wbytes: 524288, rios: 10, wios: 4, dbytes: 0, dios: 0 });
    assert.deepEqual(ioStatTotals(IO_STAT), { read: 2142208 + 1048576, write: 4096 + 524288 });
    assert.deepEqual(ioStatTotals(''), { read: 0, write: 0 });
  });

  test('blkio io_service_bytes', () => {
    assert.deepEqual(blkioTotals(BLKIO), { read: 4096 + 20480, write: 1052672 + 8192 });
    assert.deepEqual(blkioTotals('Total 0\n'), { read: 0, write: 0 });
  });

  test('limits and pid lists', () => {
    assert.equal(parseV1Limit('9223372036854771712\n'), null);
    assert.equal(parseV1Limit('4611686018427387904'), null); // 2^62
    assert.equal(parseV1Limit('16777216\n'), 16777216);
    assert.equal(parseV1Limit('-1'), null);
    assert.equal(parseMax('max\n'), null);
    assert.equal(parseMax('67108864\n'), 67108864);
    assert.deepEqual(parsePids('12\n7\n\n'), [12, 7]);
  });

  test('limit validation', () => {
    assert.equal(cpuQuotaUs(1.5), 150000);
    assert.equal(cpuQuotaUs(0.333333), 33333);
    validateLimits({ memory: 1 << 24, memorySwap: -1, cpus: 0.01, pidsLimit: 0 });
    for (const bad of [
      { memory: -1 },
      { memory: 1.5 },
      { memorySwap: 1 << 20 },
      { memory: 1 << 24, memorySwap: 1 << 20 },
      { cpus: 0.001 },
      { cpus: Number.NaN },
      { pidsLimit: 2.5 },
    ])
      assert.throws(() => validateLimits(bad), InvalidArgument, JSON.stringify(bad));
  });
});

// ---------------------------------------------------------------------------------
// The managers against a fake kernel (test/support/cgroup-kernel.ts).

// Pids in these fixtures are above PID_MAX_LIMIT (2^22): no real process can have them.

const tmps: string[] = [];
afterEach(() => {
  while (tmps.length) fs.rmSync(tmps.pop()!, { recursive: true, force: true });
});

function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-cgroups-'));
  tmps.push(d);
  return d;
}

const MiB = 1024 * 1024;
const rd = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8').trim();
const wr = (p: string, v: string) => fs.writeFileSync(p, v);

/** A fake v2 host: root controllers, some already enabled for children. */
function v2Host(o: Partial<FakeKernelOptions> & { controllers?: string } = {}) {
  const tmp = tmpdir();
  const cg = fakeV2Root(tmp, o.controllers);
  const kernel = new FakeKernel(cg, { version: 'v2', swap: true, ...o });
  const killed: number[] = [];
  const filters: Array<[string, readonly string[]]> = [];
  const mgr = detectCgroups({
    mountinfo: V2,
    root: tmp,
    fs: kernel,
    parent: 'hutch-fx',
    tuning: { killMs: 300, rmdirMs: 100, kill: (pid) => (killed.push(pid), kernel.reap(pid)) },
    deviceFilter: (dir, rules) => filters.push([dir, rules]),
  });
  return { tmp, cg, kernel, mgr, killed, filters };
}

describe('v2 manager on a fake kernel', () => {
  test('create enables controllers top-down and writes the limits', async () => {
    const { cg, kernel, mgr, filters } = v2Host();
    assert.equal(mgr.mode, 'v2');
    assert.equal(mgr.parent, 'hutch-fx');
    const paths = await mgr.create('c1', { memory: 64 * MiB, memorySwap: 96 * MiB, cpus: 1.5, pidsLimit: 100 });
    const dir = path.join(cg, 'hutch-fx/c1');
    assert.deepEqual(paths, { unified: dir });
    assert.deepEqual(mgr.joinDirs(paths), [dir]);
    assert.deepEqual(mgr.pathsFor('c1'), paths);
    assert.deepEqual(rd(cg, 'cgroup.subtree_control').split(' ').sort(), ['cpu', 'cpuset', 'io', 'memory', 'pids']);
    assert.deepEqual(rd(cg, 'hutch-fx/cgroup.subtree_control').split(' ').sort(), ['cpu', 'cpuset', 'io', 'memory', 'pids']);
    assert.equal(rd(dir, 'memory.max'), String(64 * MiB));
    assert.equal(rd(dir, 'memory.swap.max'), String(32 * MiB));
    assert.equal(rd(dir, 'cpu.max'), '150000 100000');
    assert.equal(rd(dir, 'pids.max'), '100');
    // v2 has no devices.allow: the allow-list goes to the BPF device filter.
    assert.deepEqual(filters, [[dir, DEFAULT_DEVICE_RULES]]);
    // Only the root's missing controllers were written, one per write.
    assert.deepEqual(
      kernel.writes.filter((w) => w.file === 'cgroup.subtree_control').map((w) => w.data),
      ['+cpu', '+io', '+cpuset'],
    );
    assert.deepEqual(await mgr.listChildren(), ['c1']);
  });

  test('swap defaults to none; unlimited swap is max; no swap file, no swap write', async () => {
    const h = v2Host();
    const a = await h.mgr.create('a', { memory: 16 * MiB });
    assert.equal(rd(a.unified, 'memory.swap.max'), '0');
    const b = await h.mgr.create('b', { memory: 16 * MiB, memorySwap: -1 });
    assert.equal(rd(b.unified, 'memory.swap.max'), 'max');
    const c = await h.mgr.create('c', {});
    assert.equal(rd(c.unified, 'memory.max'), 'max');
    assert.equal(rd(c.unified, 'pids.max'), 'max');

    const n = v2Host({ swap: false });
    const d = await n.mgr.create('d', { memory: 16 * MiB });
    assert.equal(rd(d.unified, 'memory.max'), String(16 * MiB));
    assert.equal(fs.existsSync(path.join(d.unified, 'memory.swap.max')), false);
  });

  test('an existing cgroup is a clear error and is left alone', async () => {
    const { mgr } = v2Host();
    const p = await mgr.create('dup', { pidsLimit: 5 });
    await assert.rejects(mgr.create('dup', {}), /cgroup: .*hutch-fx\/dup already exists/);
    assert.equal(rd(p.unified, 'pids.max'), '5');
    await assert.rejects(mgr.create('../x', {}), InvalidArgument);
  });

  test('a failing write names the file and undoes the creation', async () => {
    const { cg, mgr } = v2Host({ failWrite: { file: 'cpu.max', code: 'EINVAL' } });
    await assert.rejects(mgr.create('bad', { memory: 32 * MiB, cpus: 2 }), (e: Error) => {
      assert.match(e.message, /^cgroup: write .*\/sys\/fs\/cgroup\/hutch-fx\/bad\/cpu\.max: EINVAL/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(cg, 'hutch-fx/bad')), false);
    assert.equal(fs.existsSync(path.join(cg, 'hutch-fx')), true); // the parent stays
  });

  test('a limit whose controller the host lacks is refused before anything is created', async () => {
    const { cg, mgr } = v2Host({ controllers: 'cpu memory io' });
    await assert.rejects(mgr.create('np', { pidsLimit: 10 }), /the pids controller is not available .*cannot apply the pids limit/);
    assert.equal(fs.existsSync(path.join(cg, 'hutch-fx/np')), false);
    // Without that limit, the missing controller is fine.
    await mgr.create('ok', { memory: 8 * MiB });
  });

  test('stats, oomKilled and pids read the right files', async () => {
    const { mgr } = v2Host();
    const p = await mgr.create('s', { memory: 64 * MiB, pidsLimit: 100 });
    const d = p.unified;
    wr(path.join(d, 'cpu.stat'), 'usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n');
    wr(path.join(d, 'memory.current'), `${10 * MiB}\n`);
    wr(path.join(d, 'memory.stat'), `anon 4194304\nfile ${3 * MiB}\nkernel 0\nactive_file ${MiB}\ninactive_file ${2 * MiB}\n`);
    wr(path.join(d, 'pids.current'), '3\n');
    wr(path.join(d, 'io.stat'), IO_STAT);
    assert.deepEqual(await mgr.stats(p), {
      cpuUsageNs: 123456000,
      memoryUsage: 8 * MiB,
      memoryLimit: 64 * MiB,
      memoryCache: 3 * MiB,
      pids: 3,
      pidsLimit: 100,
      blkioRead: 3190784,
      blkioWrite: 528384,
    });
    const q = await mgr.create('u', {});
    const st = await mgr.stats(q);
    assert.equal(st.memoryLimit, null);
    assert.equal(st.pidsLimit, null);

    assert.equal(await mgr.oomKilled(p), false);
    wr(path.join(d, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n');
    assert.equal(await mgr.oomKilled(p), true);

    wr(path.join(d, 'cgroup.procs'), '9000012\n9000007\n');
    fs.mkdirSync(path.join(d, 'nested'));
    wr(path.join(d, 'nested/cgroup.procs'), '9000030\n9000007\n');
    assert.deepEqual(await mgr.pids(p), [9000007, 9000012, 9000030]);
    await assert.rejects(mgr.stats(mgr.pathsFor('missing')), /cgroup: stats .*missing: ENOENT/);
  });

  test('remove kills every pid, removes nested cgroups, ignores ENOENT', async () => {
    const { mgr, killed } = v2Host();
    const p = await mgr.create('r', {});
    wr(path.join(p.unified, 'cgroup.procs'), '9000001\n9000002\n');
    await mgr.create('r2', {}); // a sibling stays
    fs.mkdirSync(path.join(p.unified, 'inner'));
    wr(path.join(p.unified, 'inner/cgroup.procs'), '9000003\n');
    await mgr.remove(p);
    assert.deepEqual(killed.sort(), [9000001, 9000002, 9000003]);
    assert.equal(fs.existsSync(p.unified), false);
    assert.deepEqual(await mgr.listChildren(), ['r2']);
    await mgr.remove(p); // gone already: fine
    assert.deepEqual(await mgr.pids(p), []);
    assert.equal(await mgr.removeParentIfEmpty(), false);
    await mgr.remove(mgr.pathsFor('r2'));
    assert.equal(await mgr.removeParentIfEmpty(), true);
    assert.deepEqual(await mgr.listChildren(), []);
  });

  test('remove retries a transient EBUSY', async () => {
    const { kernel, mgr } = v2Host({ busyRmdirs: 2 });
    const p = await mgr.create('b', {});
    kernel.rmdirCalls = 0;
    await mgr.remove(p);
    assert.equal(kernel.rmdirCalls, 3);
    assert.equal(fs.existsSync(p.unified), false);
  });

  test('remove gives up on a process that will not die, saying which', async () => {
    const { cg, kernel, mgr } = v2Host();
    const undying = detectCgroups({
      mountinfo: V2,
      root: path.dirname(path.dirname(path.dirname(cg))),
      fs: kernel,
      parent: 'hutch-fx',
      tuning: { killMs: 50, rmdirMs: 50, kill: () => {} },
    });
    const p = await mgr.create('z', {});
    wr(path.join(p.unified, 'cgroup.procs'), '9000099\n');
    await assert.rejects(undying.remove(p), /cgroup: rmdir .*hutch-fx\/z: EBUSY \(processes still inside: 9000099\)/);
    assert.equal(fs.existsSync(p.unified), true);
  });

  test('remove refuses dirs that are not children of the parent', async () => {
    const { cg, mgr, killed } = v2Host();
    for (const bad of [cg, path.join(cg, 'hutch-fx'), path.join(cg, 'system.slice'), path.join(cg, 'other/x')])
      await assert.rejects(mgr.remove({ unified: bad }), /refusing to remove/);
    assert.deepEqual(killed, []);
    assert.equal(fs.existsSync(cg), true);
  });
});

/** A fake v1 host: the co-mounted CentOS layout (or this machine's hybrid one). */
function v1Host(mountinfo: string, o: Partial<FakeKernelOptions> = {}) {
  const tmp = tmpdir();
  const cg = path.join(tmp, 'sys/fs/cgroup');
  const layout = detectLayout(parseMountinfo(mountinfo));
  const kernel = new FakeKernel(cg, { version: 'v1', swap: true, ...o });
  for (const h of layout.v1) {
    const d = path.join(tmp, h.mountPoint);
    fs.mkdirSync(d, { recursive: true });
    wr(path.join(d, 'cgroup.procs'), '1\n');
    if (h.controllers.includes('cpuset')) {
      wr(path.join(d, 'cpuset.cpus'), '0-3\n');
      wr(path.join(d, 'cpuset.mems'), '0\n');
    }
  }
  if (layout.unified) {
    const d = path.join(tmp, layout.unified.mountPoint);
    fs.mkdirSync(d, { recursive: true });
    wr(path.join(d, 'cgroup.controllers'), 'hugetlb');
    wr(path.join(d, 'cgroup.subtree_control'), '');
    wr(path.join(d, 'cgroup.procs'), '');
  }
  // The fake's v1 mkdir finds a hierarchy's controllers from its dir name.
  const killed: number[] = [];
  const mgr = detectCgroups({
    mountinfo,
    root: tmp,
    fs: kernel,
    parent: 'hutch-fx',
    tuning: { killMs: 300, rmdirMs: 100, kill: (pid) => (killed.push(pid), kernel.reap(pid)) },
  });
  return { cg, kernel, mgr, killed };
}

describe('v1 manager on a fake kernel', () => {
  test('co-mounted cpu,cpuacct share one dir; limits, cpuset and devices written', async () => {
    const { cg, kernel, mgr } = v1Host(V1_COMOUNT);
    assert.equal(mgr.mode, 'v1');
    const p = await mgr.create('c1', { memory: 64 * MiB, cpus: 0.5, pidsLimit: 50 });
    const d = (h: string) => path.join(cg, h, 'hutch-fx/c1');
    assert.deepEqual(p, {
      cpu: d('cpu,cpuacct'),
      cpuacct: d('cpu,cpuacct'),
      memory: d('memory'),
      blkio: d('blkio'),
      pids: d('pids'),
      devices: d('devices'),
      freezer: d('freezer'),
      cpuset: d('cpuset'),
    });
    assert.deepEqual(
      mgr.joinDirs(p),
      ['cpu,cpuacct', 'memory', 'blkio', 'pids', 'devices', 'freezer', 'cpuset'].map(d),
    );
    assert.equal(rd(p.memory, 'memory.limit_in_bytes'), String(64 * MiB));
    assert.equal(rd(p.memory, 'memory.memsw.limit_in_bytes'), String(64 * MiB));
    assert.equal(rd(p.cpu, 'cpu.cfs_period_us'), '100000');
    assert.equal(rd(p.cpu, 'cpu.cfs_quota_us'), '50000');
    assert.equal(rd(p.pids, 'pids.max'), '50');
    for (const dir of [path.join(cg, 'cpuset/hutch-fx'), p.cpuset]) {
      assert.equal(rd(dir, 'cpuset.cpus'), '0-3');
      assert.equal(rd(dir, 'cpuset.mems'), '0');
    }
    const dev = kernel.writes.filter((w) => w.file.startsWith('devices/hutch-fx/c1/'));
    assert.deepEqual(
      dev.map((w) => `${path.basename(w.file)} ${w.data}`),
      ['devices.deny a', ...DEFAULT_DEVICE_RULES.map((r) => `devices.allow ${r}`)],
    );
    // Nothing was created outside the hierarchies we use.
    assert.equal(fs.existsSync(path.join(cg, 'net_cls,net_prio/hutch-fx')), false);
    assert.equal(fs.existsSync(path.join(cg, 'systemd/hutch-fx')), false);
  });

  test('memsw: writes ordered so memsw ≥ limit holds; skipped without swap accounting', async () => {
    const { kernel, mgr } = v1Host(V1_COMOUNT);
    const p = await mgr.create('a', { memory: 32 * MiB, memorySwap: 48 * MiB });
    assert.equal(rd(p.memory, 'memory.memsw.limit_in_bytes'), String(48 * MiB));
    const order = kernel.writes.filter((w) => w.file.startsWith('memory/hutch-fx/a/')).map((w) => path.basename(w.file));
    assert.deepEqual(order, ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
    const q = await mgr.create('b', { memory: 32 * MiB, memorySwap: -1 });
    assert.equal(rd(q.memory, 'memory.memsw.limit_in_bytes'), UNLIMITED);

    const n = v1Host(V1_COMOUNT, { swap: false });
    const r = await n.mgr.create('c', { memory: 32 * MiB, memorySwap: 64 * MiB });
    assert.equal(rd(r.memory, 'memory.limit_in_bytes'), String(32 * MiB));
    assert.equal(fs.existsSync(path.join(r.memory, 'memory.memsw.limit_in_bytes')), false);
  });

  test('failure part-way removes every dir created so far', async () => {
    const { cg, mgr } = v1Host(V1_COMOUNT, { failWrite: { file: 'pids.max', code: 'EINVAL' } });
    await assert.rejects(mgr.create('x', { pidsLimit: 7 }), /CgroupError: cgroup: write .*\/pids\/hutch-fx\/x\/pids\.max: EINVAL/);
    for (const h of ['cpu,cpuacct', 'memory', 'blkio', 'pids', 'devices', 'freezer', 'cpuset'])
      assert.equal(fs.existsSync(path.join(cg, h, 'hutch-fx/x')), false, h);
    assert.deepEqual(await mgr.listChildren(), []);
  });

  test('a leftover dir in one hierarchy fails the create and only ours are undone', async () => {
    const { cg, kernel, mgr } = v1Host(V1_COMOUNT);
    fs.mkdirSync(path.join(cg, 'pids/hutch-fx'));
    kernel.mkdir(path.join(cg, 'pids/hutch-fx/left'));
    await assert.rejects(mgr.create('left', {}), /cgroup: .*\/pids\/hutch-fx\/left already exists/);
    assert.equal(fs.existsSync(path.join(cg, 'pids/hutch-fx/left')), true);
    assert.equal(fs.existsSync(path.join(cg, 'memory/hutch-fx/left')), false);
    assert.deepEqual(await mgr.listChildren(), ['left']);
  });

  test('stats and oomKilled', async () => {
    const { mgr } = v1Host(V1_COMOUNT);
    const p = await mgr.create('s', { pidsLimit: 20 });
    wr(path.join(p.cpuacct, 'cpuacct.usage'), '987654321\n');
    wr(path.join(p.memory, 'memory.usage_in_bytes'), '150000000\n');
    wr(path.join(p.memory, 'memory.stat'), V1_MEMORY_STAT);
    wr(path.join(p.pids, 'pids.current'), '2\n');
    wr(path.join(p.blkio, 'blkio.throttle.io_service_bytes'), BLKIO);
    assert.deepEqual(await mgr.stats(p), {
      cpuUsageNs: 987654321,
      memoryUsage: 150000000 - 135548928,
      memoryLimit: null,
      memoryCache: 307941376,
      pids: 2,
      pidsLimit: 20,
      blkioRead: 24576,
      blkioWrite: 1060864,
    });
    wr(path.join(p.memory, 'memory.limit_in_bytes'), `${16 * MiB}\n`);
    assert.equal((await mgr.stats(p)).memoryLimit, 16 * MiB);
    assert.equal(await mgr.oomKilled(p), false);
    wr(path.join(p.memory, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
    assert.equal(await mgr.oomKilled(p), true);
  });

  test('remove freezes, kills and thaws, then removes every hierarchy', async () => {
    const { cg, kernel, mgr, killed } = v1Host(V1_COMOUNT);
    const p = await mgr.create('k', {});
    for (const d of mgr.joinDirs(p)) wr(path.join(d, 'cgroup.procs'), '9000005\n');
    assert.deepEqual(await mgr.pids(p), [9000005]);
    await mgr.remove(p);
    assert.deepEqual(killed, [9000005]);
    const fz = kernel.writes.filter((w) => w.file === 'freezer/hutch-fx/k/freezer.state').map((w) => w.data);
    assert.deepEqual(fz, ['FROZEN', 'THAWED']);
    for (const d of mgr.joinDirs(p)) assert.equal(fs.existsSync(d), false, d);
    assert.equal(await mgr.removeParentIfEmpty(), true);
    assert.equal(fs.existsSync(path.join(cg, 'memory/hutch-fx')), false);
  });

  test('hybrid: separate cpu and cpuacct dirs plus one in the unified tree', async () => {
    const { cg, mgr } = v1Host(HYBRID);
    assert.equal(mgr.mode, 'hybrid');
    const p = await mgr.create('h', { cpus: 2 });
    assert.equal(p.cpu, path.join(cg, 'cpu/hutch-fx/h'));
    assert.equal(p.cpuacct, path.join(cg, 'cpuacct/hutch-fx/h'));
    assert.equal(p.unified, path.join(cg, 'unified/hutch-fx/h'));
    assert.equal(p.systemd, undefined);
    assert.equal(mgr.joinDirs(p).length, 9);
    assert.ok(fs.statSync(p.unified).isDirectory());
    assert.equal(rd(p.cpu, 'cpu.cfs_quota_us'), '200000');
    await mgr.remove(p);
    assert.deepEqual(await mgr.listChildren(), []);
  });
});

describe('detectCgroups', () => {
  let saved: string | undefined;
  test('parent from the option, else HUTCH_CGROUP_PARENT, else hutch', () => {
    saved = process.env.HUTCH_CGROUP_PARENT;
    try {
      delete process.env.HUTCH_CGROUP_PARENT;
      assert.equal(detectCgroups({ mountinfo: V2 }).parent, 'hutch');
      process.env.HUTCH_CGROUP_PARENT = '/from-env/';
      assert.equal(detectCgroups({ mountinfo: V2 }).parent, 'from-env');
      assert.equal(detectCgroups({ mountinfo: V2, parent: 'opt/nested' }).parent, 'opt/nested');
      assert.deepEqual(detectCgroups({ mountinfo: V2, parent: 'opt/nested' }).pathsFor('x'), { unified: '/sys/fs/cgroup/opt/nested/x' });
      assert.throws(() => detectCgroups({ mountinfo: V2, parent: 'a/../b' }), InvalidArgument);
    } finally {
      if (saved === undefined) delete process.env.HUTCH_CGROUP_PARENT;
      else process.env.HUTCH_CGROUP_PARENT = saved;
    }
  });

  test('this host is detected from /proc/self/mountinfo', { skip: process.platform !== 'linux' }, () => {
    const m: CgroupManager = detectCgroups({ parent: 'hutch-probe' });
    assert.ok(['v1', 'v2', 'hybrid'].includes(m.mode));
    assert.ok(Object.values(m.pathsFor('x')).every((p) => p.endsWith('/hutch-probe/x')));
  });
});

describe('removeIfEmpty (gc of cgroups no container of this root owns)', () => {
  for (const [label, host] of [
    ['v2', () => v2Host()],
    ['hybrid', () => v1Host(HYBRID)],
  ] as const) {
    test(`${label}: an empty cgroup goes, nested ones first; one with a process stays, nothing killed`, async () => {
      const { mgr, killed } = host();
      const empty = await mgr.create('e', {});
      const d = mgr.joinDirs(empty)[0];
      fs.mkdirSync(path.join(d, 'inner'));
      wr(path.join(d, 'inner/cgroup.procs'), '');
      assert.equal(await mgr.removeIfEmpty(empty), true);
      assert.ok(mgr.joinDirs(empty).every((x) => !fs.existsSync(x)));
      const busy = await mgr.create('b', {});
      const b = mgr.joinDirs(busy);
      fs.mkdirSync(path.join(b[0], 'inner'));
      wr(path.join(b[0], 'inner/cgroup.procs'), '9000041\n');
      assert.equal(await mgr.removeIfEmpty(busy), false);
      assert.deepEqual(killed, []);
      assert.ok(b.every((x) => fs.existsSync(x)), 'no dir of a busy cgroup is removed');
      assert.equal(await mgr.removeIfEmpty(mgr.pathsFor('gone')), true); // ENOENT: gone already
      await assert.rejects(mgr.removeIfEmpty({ x: path.dirname(b[0]) }), /refusing to remove/);
      assert.deepEqual(await mgr.listChildren(), ['b']);
    });
  }
});
