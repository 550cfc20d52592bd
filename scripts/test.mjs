// Runs every test file under test/ with node:test + tsx, and fails when a test fails
// or when no test ran at all (a green run that tested nothing is a broken run).
// Integration tests need root: they really run containers.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// As root, the whole run gets a network namespace of its own (lo up, nothing
// else): containers on the default bridge network make their bridge, veths and
// nftables table there, and all of it goes when the run ends. The machine's own
// network and firewall are never touched. And a mount namespace of its own
// (private propagation): the engines' sealed monitor mounts (/run/hutch-sealed,
// one per build, kept by design for an installed hutch) and anything a test
// fails to unmount go with the run too.
if (process.getuid?.() === 0 && process.env.HUTCH_TEST_NETNS !== '1') {
  const r = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, HUTCH_TEST_NETNS: '1' },
  });
  if (r.error) console.error(`test: cannot make a network and mount namespace for the run (${r.error.message}); util-linux and iproute2 are needed`);
  process.exit(r.status ?? 1);
}

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = [];
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.test\.tsx?$/.test(e.name)) files.push(p);
  }
};
for (const r of roots) {
  if (fs.statSync(r).isDirectory()) walk(r);
  else files.push(r);
}
if (files.length === 0) {
  console.error('test: no test files found');
  process.exit(1);
}
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-'));
const tap = path.join(runDir, 'results.tap');
// --userns=auto ranges come from a machine-wide pool (/var/lib/hutch/userns.json):
// the run keeps its own, shared by all its temporary roots, and leaves the machine's alone.
process.env.HUTCH_USERNS_POOL ??= path.join(runDir, 'userns.json');
// Other engines' containers on the machine (a podman or runc container someone runs)
// are not the tests' business: none unless a test points the scan at its own (foreign/).
process.env.HUTCH_FOREIGN_ROOTS ??= '';
process.env.HUTCH_FOREIGN_CGROUP ??= 'none';
const r = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=1',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files.sort(),
], { stdio: 'inherit' });
const out = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
// The run's own directory (the TAP file, the userns pool) goes with it.
fs.rmSync(runDir, { recursive: true, force: true });
const count = (k) => Number((new RegExp(`^# ${k} (\\d+)`, 'm').exec(out) ?? [])[1] ?? 0);
const pass = count('pass');
const fail = count('fail');
console.log(`test: ${files.length} files, ${pass} passed, ${fail} failed, ${count('skipped')} skipped, ${count('todo')} todo`);
if (r.status !== 0 || fail > 0) process.exit(r.status || 1);
if (pass === 0) {
  console.error('test: no test passed — refusing a green run that tested nothing');
  process.exit(1);
}
