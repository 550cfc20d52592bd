// `npm run bench`: performance goals, measured against a peer in the same run.
// Installs the peers with apt (scripts/system-packages.mjs: crun, podman, busybox-static), then runs the
// benchmarks inside a private mount namespace with a throw-away tmpfs over
// /sys/fs/cgroup/unified: crun 1.8.1 refuses this machine's hybrid cgroups otherwise
// (see shared/research/peer-baseline.md). hutch runs in the same namespace, so the
// pair is fair. Nothing outside the namespace changes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { ensurePackages } from '../scripts/system-packages.mjs';

if (process.getuid?.() !== 0) {
  console.error('bench: must run as root (it runs real containers)');
  process.exit(1);
}
if (!ensurePackages('bench')) process.exit(1);
const unified = '/sys/fs/cgroup/unified';
// A network namespace of its own too (lo up): the bridge rows make their bridges,
// veths and nftables table there, and podman its own; all of it goes with the run.
const inner = `ip link set lo up && ${fs.existsSync(unified) ? `mount -t tmpfs -o size=1m hutch-bench ${unified} && ` : ''}exec "${process.execPath}" --import tsx bench/main.ts "$@"`;
const r = spawnSync('unshare', ['--mount', '--net', '--propagation', 'private', '--', 'sh', '-c', inner, 'bench', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
