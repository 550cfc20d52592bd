// Types of the raw addon (addon/*.cc) as loaded by index.cjs. The engine uses it
// through src/engine/native/real.ts, which also turns its errors into SystemError.
//
// Failed syscalls throw (or reject with) an Error shaped like Node's system
// errors: { message: "ENOENT: No such file or directory, mount '/x'",
// code: 'ENOENT', errno: -2, syscall: 'mount', path: '/x' }. Bad argument types
// throw TypeError/RangeError with code ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE.

export interface NativeConstants {
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

export type LockMode = 'sh' | 'ex' | 'un';

export interface HutchAddon {
  /** pidfd_open(pid, 0). The fd is close-on-exec. */
  pidfdOpen(pid: number): number;
  /** pidfd_send_signal(fd, signal, NULL, 0). Signal 0 only checks the process exists. */
  pidfdSendSignal(fd: number, signal: number): void;
  /**
   * Resolves once the process behind the pidfd has exited. Polls on Node's event
   * loop (no thread); a pending wait keeps the process alive like a timer.
   * Rejects with ECANCELED when closeFd(fd) closes the fd first.
   */
  pidfdWait(fd: number): Promise<void>;
  /** close(fd), cancelling pidfdWait calls on it first. */
  closeFd(fd: number): void;

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  readonly constants: NativeConstants;

  /** flock(2). False only when nonblock is set and the lock is held elsewhere. */
  flock(fd: number, mode: LockMode, nonblock: boolean): boolean;
  /** Blocking flock(2) on a libuv threadpool thread. */
  lockAsync(fd: number, mode: LockMode): Promise<void>;
  /** null when path does not exist; else [pid holding a POSIX write lock on it (0: none), its first 64 bytes]. */
  lockHolder(path: string): [number, string] | null;

  /** open(path, O_RDONLY|O_CLOEXEC). */
  openRead(path: string): number;
  /** The whole file, read with pread from offset 0 (fresh contents each call), as UTF-8. */
  preadString(fd: number): string;
  /** preadString for each fd; null where that read failed. */
  readMany(fds: Int32Array | readonly number[]): (string | null)[];
  /** A file holding one integer; "max" gives Infinity. Exact up to 2^53. */
  readInt(fd: number): number;
  /** posix_spawn of the monitor, in a session of its own, with fds 0-2 (-1 = /dev/null) and a sync pipe as fd 3. */
  spawnMonitor(path: string, argv: string[], stdio: [number, number, number]): [number, number];
  /** One of fds 0-2 is a terminal that hung up (tcsetattr of its own settings fails with EIO). */
  terminalHungUp(): boolean;
  /** _exit(2): ends the process now, without atexit handlers (Node's terminal reset). */
  exitNow(code: number): never;
  /** waitpid: exit status (128+N for signal N), or null if still running (non-blocking). */
  reapPid(pid: number, block: boolean): number | null;
  /** BPF_CGROUP_DEVICE program allowing only `rules` ("c 1:3 rwm", "b *:* m"), attached to a cgroup v2 dir. */
  attachDeviceFilter(dir: string, rules: string[]): void;

  /** Layer extraction (addon/extract*.cc); see src/engine/native/native.ts. */
  layerOpen(root: string, flags: number): number;
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
  layerData(h: number, data: Uint8Array, offset: number, length: number): boolean;
  layerWhiteout(h: number, dir: string, name: string): void;
  layerOpaque(h: number, dir: string): void;
  layerList(h: number, dir: string): string[];
  layerRemove(h: number, path: string): void;
  layerClose(h: number, finish: boolean): string[];
  removeTree(path: string): void;

  /** In-root file access (addon/inroot.cc); see src/engine/native/native.ts. */
  openRoot(path: string): number;
  inRootOpen(dirfd: number, path: string, flags: number): number;
  inRootStat(dirfd: number, path: string, follow: boolean): Float64Array | null;
  inRootList(dirfd: number, path: string): string[];
  inRootReadlink(dirfd: number, path: string): string;
  inRootGetXattr(dirfd: number, path: string, name: string): string | null;

  /** Network links and nftables (addon/net.cc), in the caller's network namespace. */
  linkExists(name: string): boolean;
  createBridge(name: string, addressCidr: string, mtu?: number): void;
  deleteLink(name: string): void;
  listLinks(prefix: string): string[];
  nftTableExists(table: string): boolean;
  nftDeletePorts(table: string, ports: string, containerAddress: string): void;
}

export declare const addon: HutchAddon;
/** Absolute path of the hutch-monitor executable built next to the addon. */
export declare const monitorPath: string;
