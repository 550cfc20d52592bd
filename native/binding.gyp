{
  # Two artifacts: the in-process addon (hutch_native.node) and the single-threaded
  # monitor/launcher executable (hutch-monitor). Namespace entry and creation live in
  # the executable because Node is multithreaded (setns into a mount ns and
  # unshare(CLONE_NEWUSER) fail from a multithreaded process).
  'target_defaults': {
    'cflags': ['-Wall', '-Wextra', '-O2', '-fstack-protector-strong', '-D_GNU_SOURCE'],
  },
  'targets': [
    {
      'target_name': 'hutch_native',
      'sources': ['addon/addon.cc', 'addon/errors.cc', 'addon/pidfd.cc', 'addon/mount.cc', 'addon/lock.cc', 'addon/fastread.cc', 'addon/spawn.cc', 'addon/devices.cc', 'addon/extract.cc', 'addon/extract_resolve.cc', 'addon/extract_entry.cc', 'addon/extract_tree.cc', 'addon/net.cc', 'addon/inroot.cc',
                  'common/netlink.c', 'common/rtnl.c', 'common/nft.c'],
      # The netlink code shared with the monitor is C.
      'cflags_c': ['-std=gnu11'],
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      # SWALLOW_UNTHROWABLE: a worker terminated while inside the addon (an aborted
      # layer extraction) must not abort the process when an error can no longer be thrown.
      'defines': ['NAPI_VERSION=8', 'NODE_ADDON_API_DISABLE_DEPRECATED', 'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'],
      'cflags_cc': ['-std=c++17'],
    },
    {
      'target_name': 'hutch-monitor',
      'type': 'executable',
      'sources': [
        'monitor/main.c', 'monitor/run.c', 'monitor/exec.c', 'monitor/init.c', 'monitor/proc.c',
        'monitor/mounts.c', 'monitor/inroot.c', 'monitor/ns.c', 'monitor/caps.c', 'monitor/cgroup.c',
        'monitor/spec.c', 'monitor/json.c', 'monitor/arena.c', 'monitor/log.c', 'monitor/exitfile.c',
        'monitor/pty.c', 'monitor/pump.c', 'monitor/keyring.c', 'monitor/report.c', 'monitor/util.c',
        'monitor/net.c', 'monitor/ports.c', 'monitor/dns.c', 'monitor/dnsmsg.c', 'monitor/dnsserve.c',
        'common/netlink.c', 'common/rtnl.c', 'common/nft.c',
        'monitor/netattach.c', 'monitor/mountentry.c', 'monitor/mountopts.c', 'monitor/copyup.c',
        'monitor/seccomp.c', 'monitor/exitcmd.c', 'monitor/attach.c', 'monitor/serve.c', 'monitor/health.c', 'monitor/healthfile.c',
        'monitor/speclinux.c', 'monitor/devnodes.c', 'monitor/tinyinit.c', 'monitor/userns.c',
      ],
      'cflags': ['-std=gnu11'],
      # Static: no dynamic loader or relocated libc pages per monitor (smaller PSS,
      # faster exec), and nothing is ever loaded from a shared object.
      'ldflags': ['-static'],
    },
    {
      # hutch-runc: a runc-compatible OCI runtime (PROTOCOL.md, "hutch-runc"), built
      # from the monitor's container init; static like the monitor, for the same
      # start-up cost reasons.
      'target_name': 'hutch-runc',
      'type': 'executable',
      'sources': [
        'runc/main.c', 'runc/state.c', 'runc/create.c', 'runc/cmds.c', 'runc/info.c', 'runc/rcgroup.c',
        'runc/rdevices.c', 'runc/devbpf.c', 'runc/templates.c', 'runc/rseccomp.c', 'runc/syscalls.c',
        'runc/rexec.c', 'runc/update.c', 'runc/console.c', 'runc/hooks.c',
        'runc/sealed.c', 'runc/rfiles.c', 'runc/rfreeze.c', 'runc/wait.c',
        'monitor/init.c', 'monitor/proc.c', 'monitor/mounts.c', 'monitor/inroot.c', 'monitor/ns.c',
        'monitor/caps.c', 'monitor/cgroup.c', 'monitor/spec.c', 'monitor/json.c', 'monitor/arena.c',
        'monitor/pty.c', 'monitor/keyring.c', 'monitor/report.c', 'monitor/util.c', 'monitor/net.c',
        'monitor/ports.c', 'monitor/dns.c', 'monitor/dnsmsg.c', 'monitor/dnsserve.c',
        'common/netlink.c', 'common/rtnl.c', 'common/nft.c',
        'monitor/mountentry.c', 'monitor/mountopts.c', 'monitor/copyup.c', 'monitor/seccomp.c',
        'monitor/speclinux.c', 'monitor/devnodes.c', 'monitor/userns.c',
      ],
      'cflags': ['-std=gnu11'],
      'ldflags': ['-static'],
    },
    {
      # The seccomp tests' syscall probe (test/integration/seccomp.test.ts): static,
      # so it runs in any container it is bind-mounted into.
      'target_name': 'syscall-probe',
      'type': 'executable',
      'sources': ['probe/syscall-probe.c'],
      'cflags': ['-std=gnu11'],
      'ldflags': ['-static'],
    },
  ],
}
