// The kernel surface the engine uses in-process, as an interface so that higher
// layers can be unit-tested against FakeNative (fake.ts) instead of the addon
// (real.ts, over native/addon/*.cc).
//
// Only plain syscalls live here. Creating or entering namespaces cannot be done
// from Node (the kernel refuses unshare(CLONE_NEWUSER) and setns into a mount
// namespace to a multithreaded process), so that is the job of the
// single-threaded hutch-monitor executable at `monitorPath`.
//
// Errors: a failed syscall throws (or rejects with) a SystemError whose fields
// match Node's own system errors: code 'ENOENT', errno -2, syscall 'mount',
// path '/x' where a path is involved. Narrow on `code`.

export type LockMode = 'sh' | 'ex' | 'un';

/** Flag values for mount/umount2 (Linux <sys/mount.h>). */
export interface MountConstants {
  readonly MS_RDONLY: number;
  readonly MS_NOSUID: number;
  readonly MS_NODEV: number;
  readonly MS_NOEXEC: number;
  readonly MS_REMOUNT: number;
  readonly MS_BIND: number;
  readonly MS_REC: number;
  readonly MS_PRIVATE: number;
  readonly MS_SLAVE: number;
  readonly MS_SHARED: number;
  readonly MNT_FORCE: number;
  readonly MNT_DETACH: number;
  readonly UMOUNT_NOFOLLOW: number;
}

/** What inRootStat reports (statx). */
export interface InRootStat {
  /** st_mode: type and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeSec: number;
  mtimeNsec: number;
  ino: number;
  nlink: number;
  rdevMajor: number;
  rdevMinor: number;
  /** "major:minor" of the filesystem, and the mount's id: a mount point differs from its parent. */
  dev: string;
  mntId: number;
}

export interface Native {
  /** Absolute path of the hutch-monitor executable, built next to the addon. */
  readonly monitorPath: string;
  readonly constants: MountConstants;

  // --- Processes. A pidfd names one process for good: a recycled pid cannot
  // make us signal or wait on an unrelated process once the fd is open.

  /** pidfd_open(2); throws ESRCH when no such process. The fd is close-on-exec. */
  pidfdOpen(pid: number): number;
  /** pidfd_send_signal(2). Signal 0 only checks that the process still exists. */
  pidfdSendSignal(fd: number, signal: number): void;
  /**
   * Resolves when the process has exited (also when it is not our child).
   * Polled on the event loop, no thread: while pending it keeps the process
   * alive, like a timer. Closing the fd with closeFd abandons the wait: the
   * promise then never settles and no longer holds the process open (it does
   * not reject, so a caller that raced it against a timeout and closed the fd
   * gets no unhandled rejection). Close pidfds with closeFd, not fs.closeSync,
   * or a pending wait keeps running until the process exits.
   */
  pidfdWait(fd: number): Promise<void>;
  /** close(2) for fds from this interface; cancels pidfdWait calls on the fd. */
  closeFd(fd: number): void;

  // --- Locks. flock locks belong to the open file and vanish when it is
  // closed, even by a crash: no stale lock files.

  /** flock(2). Returns false only when nonblock is set and the lock is held elsewhere. */
  flock(fd: number, mode: LockMode, nonblock: boolean): boolean;
  /** Blocking flock on a libuv threadpool thread (one of 4): for locks held briefly. */
  lockAsync(fd: number, mode: LockMode): Promise<void>;
  /**
   * Who holds a POSIX write lock on path (F_GETLK: asks, takes nothing), and the
   * file's first 64 bytes: null when there is no such file, holder 0 when it is
   * not locked. A container's monitor holds one on `exit.lock` for its whole
   * life (native/monitor/exitfile.h).
   */
  lockHolder(path: string): { holder: number; text: string } | null;

  // --- Mounts (plain ones in the host namespace; container mounts are the monitor's).

  /** mount(2). Errors carry `path` = target. */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  /** umount2(2), e.g. with constants.MNT_DETACH. */
  umount2(target: string, flags: number): void;

  // --- Stats. cgroup and /proc files are sampled often: keep them open and
  // re-read them with pread from offset 0, which yields fresh contents.

  /** open(2) with O_RDONLY|O_CLOEXEC; close with closeFd. */
  openRead(path: string): number;
  /** The whole file as a string (UTF-8), read into a reused native buffer. */
  preadString(fd: number): string;
  /** preadString for several fds in one call; null where a read failed (e.g. cgroup removed). */
  readMany(fds: Int32Array | readonly number[]): (string | null)[];
  /**
   * A file holding one integer (memory.current, pids.max…). "max" reads as
   * Infinity. A JS number: exact up to 2^53, plenty for cgroup counters.
   * Throws EINVAL when the file does not hold an integer.
   */
  readInt(fd: number): number;

  // --- process start (the hot path of every container start) ---
  /**
   * Starts the monitor with posix_spawn: far cheaper than libuv's fork of a large
   * Node process. It gets a session of its own: terminal signals reach hutch
   * alone, which forwards them. stdio fds -1 mean /dev/null. Returns the pid and the read end
   * of a pipe whose write end is the monitor's fd 3 (the sync fd).
   */
  spawnMonitor(path: string, argv: string[], stdio: [number, number, number]): { pid: number; syncFd: number };
  /**
   * _exit(2): ends this process at once, skipping atexit handlers. For a hangup:
   * Node 20 resets its terminal at exit and aborts (SIGABRT) when the terminal is gone.
   */
  exitNow(code: number): never;
  /** One of fds 0-2 is a terminal that has hung up (probed with tcsetattr of its own settings). */
  terminalHungUp(): boolean;
  /** waitpid for a process started by spawnMonitor: its status, or null if still running (non-blocking). */
  reapPid(pid: number, block: boolean): number | null;

  // --- Devices. cgroup v2 has no devices.allow: the kernel asks a BPF program
  // attached to the cgroup (BPF_CGROUP_DEVICE) instead.

  /** Attaches a program allowing only `rules` (v1 syntax: "c 1:3 rwm", "c 136:* rwm", "b *:* m") to the cgroup v2 dir. */
  attachDeviceFilter(dir: string, rules: readonly string[]): void;

  // --- Layer extraction (images/extract). One numbered handle per extraction;
  // every entry is written relative to an fd on the root directory (parents
  // resolved with openat2 RESOLVE_IN_ROOT, last components never followed), so
  // nothing in a layer can reach outside the root. Names are byte strings
  // (latin1: one char per byte). Errors carry a one-line reason as message
  // and, when a syscall failed, code/errno.

  /** Starts an extraction into the existing directory `root`. flags: 1 overlay whiteouts, 2 chown, 4 devices. */
  layerOpen(root: string, flags: number): number;
  /**
   * Writes one entry (kind: 0 file, 1 hardlink, 2 symlink, 3 char, 4 block, 5 dir, 6 fifo).
   * meta = [mode, uid, gid, mtimeSec, mtimeNsec, devMajor, devMinor]; for files,
   * data[offset, offset+length) holds the first bytes of `size`. xattrs: [name, value, …].
   * Returns true when the file is still open for layerData.
   */
  layerEntry(
    h: number,
    kind: number,
    path: string,
    link: string | null,
    meta: Float64Array,
    data: Uint8Array | null,
    offset: number,
    length: number,
    size: number,
    xattrs: Array<string | Uint8Array> | null,
  ): boolean;
  /** More bytes of the open file; true while bytes are still missing. */
  layerData(h: number, data: Uint8Array, offset: number, length: number): boolean;
  /** Overlay: char device 0:0 dir/name. Apply: removes dir/name (a tree, nothing followed). */
  layerWhiteout(h: number, dir: string, name: string): void;
  /** Overlay: trusted.overlay.opaque=y on dir. */
  layerOpaque(h: number, dir: string): void;
  /** Children of dir (reached without symlinks), directories '/'-suffixed; [] when missing. */
  layerList(h: number, dir: string): string[];
  /** Removes path (a tree when a directory) without following symlinks. */
  layerRemove(h: number, path: string): void;
  /** Ends the extraction (finish: apply directory modes and times); returns what was skipped. */
  layerClose(h: number, finish: boolean): string[];
  /**
   * rm -rf of path (nothing when missing) through fds, at any depth: a layer can
   * make a tree whose paths exceed PATH_MAX. Never follows a symlink or crosses
   * a mount point. Errors are one short line.
   */
  removeTree(path: string): void;

  // --- In-root file access (addon/inroot.cc), for cp, export and diff. Every
  // path is resolved by the kernel with dirfd as the root (openat2
  // RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS): absolute symlinks restart there,
  // `..` stops there, /proc magic links are refused. Paths are byte strings
  // (latin1), relative to dirfd ('' is dirfd itself). Fds are real: close them
  // with closeFd (or read them with fs).

  /** open(path, O_PATH|O_DIRECTORY): follows /proc/PID/root on purpose (the container's root). */
  openRoot(path: string): number;
  /** An fd on path inside dirfd. flags: 1 follow a last-component symlink, 2 O_RDONLY (else O_PATH), 4 must be a directory. */
  inRootOpen(dirfd: number, path: string, flags: number): number;
  /** lstat (stat when follow) of path inside dirfd ('': the fd itself, whatever it is); null when missing (ENOENT, ENOTDIR). */
  inRootStat(dirfd: number, path: string, follow: boolean): InRootStat | null;
  /** The names in the directory at path (no . or ..), unsorted; its last component is never followed. */
  inRootList(dirfd: number, path: string): string[];
  /** The target of the symlink at path. */
  inRootReadlink(dirfd: number, path: string): string;
  /** The value (latin1) of xattr `name` of path (not followed), or null when unset. */
  inRootGetXattr(dirfd: number, path: string, name: string): string | null;

  // --- Networks (addon/net.cc, the same netlink code as the monitor's), in
  // the caller's network namespace. The per-container part (veth pair,
  // addresses, routes, port reservation, map elements) is the monitor's,
  // driven by config.json annotations (native/PROTOCOL.md, "Networking").

  /** A link (any kind) of that name exists. */
  linkExists(name: string): boolean;
  /** A bridge, up, with addressCidr ("10.88.0.1/16", the gateway) on it. EEXIST when the name is taken. */
  createBridge(name: string, addressCidr: string, mtu?: number): void;
  /** Deletes a link (a bridge, a veth's host end with its peer); ENODEV when missing. */
  deleteLink(name: string): void;
  /** Names of the links whose name starts with prefix. */
  listLinks(prefix: string): string[];
  /** Table `ip <table>` exists (nftables). */
  nftTableExists(table: string): boolean;
  /**
   * Removes the map elements (pub_any / pub_ip) of `ports` (run.hutch.ports syntax,
   * "tcp:0.0.0.0:8080:80,…") that still map to containerAddress. Missing elements,
   * maps or table are not an error: for gc after a monitor was killed.
   */
  nftDeletePorts(table: string, ports: string, containerAddress: string): void;
  /**
   * Applies an nft(8) script in one transaction (network create/rm, a lost table
   * rebuilt): rules are written rarely and by the nft program, elements per
   * container by the monitor. Throws a SystemError with nft's first error line.
   */
  nftApply(script: string): void;
  /** `nft -j list WHAT…` as JSON text; '' when nft or the object is missing. */
  nftList(what: string[]): string;
  /** Writes /proc/sys/KEY (dots for slashes) unless it already holds value. */
  writeSysctl(key: string, value: string): void;
}

