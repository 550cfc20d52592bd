// The Debian packages hutch's tests and benchmarks need, in one list (used by
// `npm test`, `.ci/run` and `npm run bench`, so no second copy drifts), and the one
// place that installs them: as root with apt-get when any is missing, saying so in one
// line; otherwise one line naming them and the command, and a non-zero exit, before
// anything runs. No node_modules needed: .ci/run calls it before `npm ci`.
//
//   node scripts/system-packages.mjs test|bench          (exit 0: all present)
//   node scripts/system-packages.mjs --list test|bench   (the names, one line: for apt-get)
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Package → why (the test or tool that needs it). */
export const PACKAGES = {
  test: {
    'python3': 'node-gyp (the native build)',
    'make': 'node-gyp (the native build)',
    'g++': 'node-gyp (the native build)',
    'tar': 'rootfs tarballs for tests',
    'busybox-static': 'test rootfs tarballs (test/integration/helpers.ts)',
    'tmux': 'dashboard end-to-end tests (test/e2e)',
    'iproute2': 'network namespace checks',
    'procps': 'process checks',
    'docker-registry': 'registry round-trip tests, on 127.0.0.1 (test/support/registry.ts)',
    'podman': 'OCI archive interop tests',
    'skopeo': 'OCI archive interop tests',
    'zstd': 'zstd-compressed layers',
    'keyutils': 'keyctl, session keyring tests (test/integration/keyring.test.ts)',
    'bsdutils': 'script(1), a terminal for -t tests (test/integration/stdio-escape.test.ts)',
    'nftables': 'nft(8): bridge networks, hutch\'s firewall table (test/integration/network.test.ts)',
    'util-linux': 'unshare/nsenter: the network tests\' own namespaces (test/integration/netns.ts)',
    'runc': 'the differential checks: one config.json under runc and hutch-monitor (test/integration/runc-differential.test.ts), runc and hutch-runc (hutch-runc*.test.ts)',
    'containerd': 'ctr run --runc-binary hutch-runc (test/integration/hutch-runc-peers.test.ts)',
    'openssh-server': 'sshd, started by the test in a namespace of its own: the dashboard\'s remote hosts over a real ssh (test/integration/remote-sshd.test.ts)',
  },
  bench: {
    'crun': 'the peer of the engine rows',
    'runc': 'the peer of the hutch-runc rows (bench/runc.ts)',
    'containerd': 'ctr run --rm with hutch-runc against runc (bench/runc.ts)',
    'podman': 'the peer of the image rows',
    'busybox-static': 'the benchmark rootfs',
    'bsdutils': 'script(1), the terminal of the startup row (bench/startup.ts)',
    'htop': 'the context row of dashboard startup (lazydocker is not in Debian)',
    'nftables': 'nft(8): the bridge network rows',
  },
};

/** The packages of `set` that dpkg does not have installed. */
export function missingPackages(set) {
  const names = Object.keys(PACKAGES[set]);
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...names], { encoding: 'utf8' });
  if (r.error) return names; // no dpkg: nothing can be known installed
  const installed = new Set(
    r.stdout
      .split('\n')
      .map((l) => l.split(' '))
      .filter(([, status]) => status === 'installed')
      .map(([p]) => p.replace(/:.*$/, '')),
  );
  return names.filter((n) => !installed.has(n));
}

/** Installs what is missing (as root, with apt), or says what to install. True when all are there. */
export function ensurePackages(set, who = set) {
  const missing = missingPackages(set);
  if (missing.length === 0) return true;
  const list = missing.join(' ');
  const command = `apt-get install -y --no-install-recommends ${list}`;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (process.getuid?.() !== 0 || !apt) {
    console.error(`${who}: missing Debian packages: ${list}; install them as root: ${command}`);
    return false;
  }
  console.log(`${who}: installing ${list} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-15).join('\n'));
      console.error(`${who}: apt-get ${args[0]} failed (status ${r.status}); install them as root: ${command}`);
      return false;
    }
  }
  const still = missingPackages(set);
  if (still.length) {
    console.error(`${who}: still missing after apt-get: ${still.join(' ')}`);
    return false;
  }
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const list = process.argv[2] === '--list';
  const set = process.argv[list ? 3 : 2];
  if (!(set in PACKAGES)) {
    console.error(`usage: node scripts/system-packages.mjs ${Object.keys(PACKAGES).join('|')}`);
    process.exit(2);
  }
  if (list) console.log(Object.keys(PACKAGES[set]).join(' '));
  else process.exit(ensurePackages(set) ? 0 : 1);
}
