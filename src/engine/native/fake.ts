// An in-memory Native for unit tests of higher layers: records every call,
// simulates processes, fds and files well enough for the common paths, and lets
// a test script any method with on(). Errors are SystemErrors shaped like the
// real ones (code, errno, syscall, path).
import fs from 'node:fs';
import os from 'node:os';
import { SystemError } from '../errors.js';
import type { InRootStat, LockMode, MountConstants, Native } from './native.js';

/** Names of Native's methods (everything but monitorPath and constants). */
export type NativeMethod = {
  [K in keyof Native]: Native[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Native];

export interface NativeCall {
  name: NativeMethod;
  args: unknown[];
}

/** The SystemError the real addon would throw for `code` (e.g. 'ESRCH'). */
export function errnoError(code: string, syscall: string, path?: string): SystemError {
  const errno = (os.constants.errno as Record<string, number | undefined>)[code] ?? 0;
  const message = `${code}: ${syscall}${path === undefined ? '' : ` '${path}'`}`;
  return new SystemError(message, code, -errno, syscall, path);
}

/** Linux values, same as the addon's (a unit test checks they agree). */
export const LINUX_MOUNT_CONSTANTS: MountConstants = Object.freeze({
  MS_RDONLY: 1,
  MS_NOSUID: 2,
  MS_NODEV: 4,
  MS_NOEXEC: 8,
  MS_REMOUNT: 32,
  MS_BIND: 4096,
  MS_REC: 16384,
  MS_PRIVATE: 1 << 18,
  MS_SLAVE: 1 << 19,
  MS_SHARED: 1 << 20,
  MNT_FORCE: 1,
  MNT_DETACH: 2,
  UMOUNT_NOFOLLOW: 8,
});

interface FakeFd {
  pid?: number;
  path?: string;
}

export class FakeNative implements Native {
  readonly calls: NativeCall[] = [];
  monitorPath = '/nonexistent/hutch-monitor';
  readonly constants = LINUX_MOUNT_CONSTANTS;
  /** Files openRead can open, by path; change or delete them between reads. */
  readonly files = new Map<string, string>();
  /** Pids that have exited: pidfdOpen on them throws ESRCH. Use exit(pid). */
  readonly exited = new Set<number>();
  /** Open fds and what they refer to. */
  readonly fds = new Map<number, FakeFd>();
  /** Holders (pids) of POSIX locks, by path, as lockHolder reports them: a fake
   * monitor holds one on its container's `exit.lock`. */
  readonly locks = new Map<string, number>();
  /** Told of every signal the default pidfdSendSignal delivers (to a live pid): a
   * test's fake processes can die of it. */
  onSignal?: (pid: number, signal: number) => void;
  /** Links of the fake network namespace, by name (createBridge adds one; tests may add veths). */
  readonly links = new Map<string, { kind: string; address?: string; mtu?: number }>();
  /** nftables tables (family ip) that exist, with their map elements: key "tcp . 8080" or
   * "127.0.0.1 . tcp . 8080" → "10.88.0.5 . 80", as `nft list map` prints them. */
  readonly nftTables = new Map<string, { pub_any: Map<string, string>; pub_ip: Map<string, string> }>();
  private nextFd = 100;
  private readonly waiters = new Map<number, (() => void)[]>();
  private readonly scripted = new Map<NativeMethod, (...args: never[]) => unknown>();

  /** Replaces a method's behaviour (the call is still recorded). */
  on<K extends NativeMethod>(name: K, impl: Native[K]): this {
    this.scripted.set(name, impl as (...args: never[]) => unknown);
    return this;
  }

  /** Arguments of each recorded call to `name`. */
  callsOf(name: NativeMethod): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  /** Marks `pid` as exited and resolves pending pidfdWait calls on it. */
  exit(pid: number): void {
    this.exited.add(pid);
    for (const [fd, f] of this.fds) {
      if (f.pid !== pid) continue;
      for (const resolve of this.waiters.get(fd) ?? []) resolve();
      this.waiters.delete(fd);
    }
  }

  private invoke<R>(name: NativeMethod, args: unknown[], fallback: () => R): R {
    this.calls.push({ name, args });
    const impl = this.scripted.get(name) as ((...a: unknown[]) => R) | undefined;
    return impl ? impl(...args) : fallback();
  }

  private open(f: FakeFd): number {
    const fd = this.nextFd++;
    this.fds.set(fd, f);
    return fd;
  }

  private fd(fd: number, syscall: string): FakeFd {
    const f = this.fds.get(fd);
    if (!f) throw errnoError('EBADF', syscall);
    return f;
  }

  private read(fd: number): string {
    const { path } = this.fd(fd, 'read');
    const text = path === undefined ? undefined : this.files.get(path);
    if (text === undefined) throw errnoError(path === undefined ? 'EINVAL' : 'ENODEV', 'read');
    return text;
  }

  pidfdOpen(pid: number): number {
    return this.invoke('pidfdOpen', [pid], () => {
      if (pid <= 0) throw errnoError('EINVAL', 'pidfd_open');
      if (this.exited.has(pid)) throw errnoError('ESRCH', 'pidfd_open');
      return this.open({ pid });
    });
  }

  pidfdSendSignal(fd: number, signal: number): void {
    return this.invoke('pidfdSendSignal', [fd, signal], () => {
      const { pid } = this.fd(fd, 'pidfd_send_signal');
      if (pid === undefined) throw errnoError('EBADF', 'pidfd_send_signal');
      if (this.exited.has(pid)) throw errnoError('ESRCH', 'pidfd_send_signal');
      if (signal !== 0) this.onSignal?.(pid, signal);
    });
  }

  pidfdWait(fd: number): Promise<void> {
    return this.invoke('pidfdWait', [fd], () => {
      let f: FakeFd;
      try {
        f = this.fd(fd, 'dup');
      } catch (e) {
        return Promise.reject(e);
      }
      if (f.pid !== undefined && this.exited.has(f.pid)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const list = this.waiters.get(fd) ?? [];
        list.push(resolve);
        this.waiters.set(fd, list);
      });
    });
  }

  closeFd(fd: number): void {
    return this.invoke('closeFd', [fd], () => {
      this.fd(fd, 'close');
      this.fds.delete(fd);
      this.waiters.delete(fd); // abandoned: those promises never settle, as with the addon
    });
  }

  flock(fd: number, mode: LockMode, nonblock: boolean): boolean {
    return this.invoke('flock', [fd, mode, nonblock], () => true);
  }

  /** The file from `files`, else the real one (a container's bundle is on disk even in
   * unit tests); its holder from `locks`. */
  lockHolder(path: string): { holder: number; text: string } | null {
    return this.invoke('lockHolder', [path], () => {
      let text = this.files.get(path);
      if (text === undefined) {
        try {
          text = fs.readFileSync(path, 'latin1');
        } catch {
          return null;
        }
      }
      return { holder: this.locks.get(path) ?? 0, text: text.slice(0, 64) };
    });
  }

  lockAsync(fd: number, mode: LockMode): Promise<void> {
    return this.invoke('lockAsync', [fd, mode], () => Promise.resolve());
  }

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    return this.invoke('mount', [source, target, fstype, flags, data], () => undefined);
  }

  umount2(target: string, flags: number): void {
    return this.invoke('umount2', [target, flags], () => undefined);
  }

  openRead(path: string): number {
    return this.invoke('openRead', [path], () => {
      if (!this.files.has(path)) throw errnoError('ENOENT', 'open', path);
      return this.open({ path });
    });
  }

  preadString(fd: number): string {
    return this.invoke('preadString', [fd], () => this.read(fd));
  }

  readMany(fds: Int32Array | readonly number[]): (string | null)[] {
    return this.invoke('readMany', [fds], () =>
      Array.from(fds, (fd) => {
        try {
          return this.read(fd);
        } catch {
          return null;
        }
      }),
    );
  }

  readInt(fd: number): number {
    return this.invoke('readInt', [fd], () => {
      const text = this.read(fd).trim();
      if (text === 'max') return Infinity;
      if (!/^-?\d+$/.test(text)) throw errnoError('EINVAL', 'read');
      return Number(text);
    });
  }

  spawnMonitor(path: string, argv: string[], stdio: [number, number, number]): { pid: number; syncFd: number } {
    return this.invoke('spawnMonitor', [path, argv, stdio], () => {
      throw errnoError('ENOSYS', 'posix_spawn');
    });
  }

  exitNow(code: number): never {
    return this.invoke('exitNow', [code], () => {
      throw errnoError('ENOSYS', 'exit');
    });
  }

  terminalHungUp(): boolean {
    return this.invoke('terminalHungUp', [], () => false);
  }

  reapPid(pid: number, block: boolean): number | null {
    return this.invoke('reapPid', [pid, block], () => 0);
  }

  attachDeviceFilter(dir: string, rules: readonly string[]): void {
    this.invoke('attachDeviceFilter', [dir, rules], () => undefined);
  }

  // Layer extraction needs a real filesystem: the fake only records the calls.
  layerOpen(root: string, flags: number): number {
    return this.invoke('layerOpen', [root, flags], () => {
      throw errnoError('ENOSYS', 'openat2', root);
    });
  }

  layerEntry(h: number, kind: number, path: string, link: string | null, meta: Float64Array, data: Uint8Array | null, offset: number, length: number, size: number, xattrs: Array<string | Uint8Array> | null): boolean {
    return this.invoke('layerEntry', [h, kind, path, link, meta, data, offset, length, size, xattrs], () => false);
  }

  layerData(h: number, data: Uint8Array, offset: number, length: number): boolean {
    return this.invoke('layerData', [h, data, offset, length], () => false);
  }

  layerWhiteout(h: number, dir: string, name: string): void {
    return this.invoke('layerWhiteout', [h, dir, name], () => undefined);
  }

  layerOpaque(h: number, dir: string): void {
    return this.invoke('layerOpaque', [h, dir], () => undefined);
  }

  layerList(h: number, dir: string): string[] {
    return this.invoke('layerList', [h, dir], () => []);
  }

  layerRemove(h: number, path: string): void {
    return this.invoke('layerRemove', [h, path], () => undefined);
  }

  layerClose(h: number, finish: boolean): string[] {
    return this.invoke('layerClose', [h, finish], () => []);
  }

  removeTree(path: string): void {
    return this.invoke('removeTree', [path], () => undefined);
  }

  // In-root file access needs a real filesystem too: recorded, ENOSYS unless scripted.
  openRoot(path: string): number {
    return this.invoke('openRoot', [path], () => {
      throw errnoError('ENOSYS', 'open', path);
    });
  }

  inRootOpen(dirfd: number, path: string, flags: number): number {
    return this.invoke('inRootOpen', [dirfd, path, flags], () => {
      throw errnoError('ENOSYS', 'openat2', path);
    });
  }

  inRootStat(dirfd: number, path: string, follow: boolean): InRootStat | null {
    return this.invoke('inRootStat', [dirfd, path, follow], () => {
      throw errnoError('ENOSYS', 'statx', path);
    });
  }

  inRootList(dirfd: number, path: string): string[] {
    return this.invoke('inRootList', [dirfd, path], () => {
      throw errnoError('ENOSYS', 'openat2', path);
    });
  }

  inRootReadlink(dirfd: number, path: string): string {
    return this.invoke('inRootReadlink', [dirfd, path], () => {
      throw errnoError('ENOSYS', 'readlinkat', path);
    });
  }

  inRootGetXattr(dirfd: number, path: string, name: string): string | null {
    return this.invoke('inRootGetXattr', [dirfd, path, name], () => {
      throw errnoError('ENOSYS', 'getxattr', path);
    });
  }

  linkExists(name: string): boolean {
    return this.invoke('linkExists', [name], () => {
      checkIfName(name);
      return this.links.has(name);
    });
  }

  createBridge(name: string, addressCidr: string, mtu?: number): void {
    return this.invoke('createBridge', [name, addressCidr, mtu], () => {
      checkIfName(name);
      if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(addressCidr)) throw errnoError('EINVAL', 'address', addressCidr);
      if (this.links.has(name)) throw errnoError('EEXIST', 'RTM_NEWLINK', name);
      this.links.set(name, { kind: 'bridge', address: addressCidr, ...(mtu === undefined ? {} : { mtu }) });
    });
  }

  deleteLink(name: string): void {
    return this.invoke('deleteLink', [name], () => {
      checkIfName(name);
      if (!this.links.delete(name)) throw errnoError('ENODEV', 'RTM_DELLINK', name);
    });
  }

  listLinks(prefix: string): string[] {
    return this.invoke('listLinks', [prefix], () => [...this.links.keys()].filter((n) => n.startsWith(prefix)));
  }

  /** Scripts given to nftApply; a script that makes the table (`table ip NAME {`) makes it here too. */
  readonly nftScripts: string[] = [];
  readonly sysctls = new Map<string, string>();

  nftApply(script: string): void {
    return this.invoke('nftApply', [script], () => {
      this.nftScripts.push(script);
      for (const m of script.matchAll(/^table ip (\S+) \{/gm)) if (!this.nftTables.has(m[1])) this.nftTables.set(m[1], { pub_any: new Map(), pub_ip: new Map() });
    });
  }

  /** What nftList returns, by the joined arguments ("chains", "map ip hutch pub_any"…); '' otherwise. */
  readonly nftListings = new Map<string, string>();

  nftList(what: string[]): string {
    return this.invoke('nftList', [what], () => this.nftListings.get(what.join(' ')) ?? '');
  }

  writeSysctl(key: string, value: string): void {
    return this.invoke('writeSysctl', [key, value], () => void this.sysctls.set(key, value));
  }

  nftTableExists(table: string): boolean {
    return this.invoke('nftTableExists', [table], () => this.nftTables.has(table));
  }

  nftDeletePorts(table: string, ports: string, containerAddress: string): void {
    return this.invoke('nftDeletePorts', [table, ports, containerAddress], () => {
      const t = this.nftTables.get(table);
      for (const p of ports ? ports.split(',') : []) {
        const m = /^(tcp|udp):(\d{1,3}(?:\.\d{1,3}){3}):(\d+):(\d+)$/.exec(p);
        if (!m) throw errnoError('EINVAL', 'ports', p);
        const [, proto, ip, hostPort, ctrPort] = m as unknown as [string, string, string, string, string];
        if (!t) continue;
        const any = ip === '0.0.0.0';
        const map = any ? t.pub_any : t.pub_ip;
        const key = any ? `${proto} . ${hostPort}` : `${ip} . ${proto} . ${hostPort}`;
        // Only an element that still maps to this container (as the addon checks).
        if (map.get(key) === `${containerAddress} . ${ctrPort}`) map.delete(key);
      }
    });
  }
}

/** Interface names as the kernel takes them: 1-15 bytes, no '/'. */
function checkIfName(name: string): void {
  if (name.length === 0 || name.length > 15 || name.includes('/')) throw errnoError('EINVAL', 'ifname', name);
}
