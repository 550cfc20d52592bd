// Native over the real addon (the @hutch/native workspace package, built by
// node-gyp at `npm install`). The only work done here is turning the addon's
// Node-shaped errors into the engine's SystemError, which keeps the same
// fields (code, errno, syscall, path) so callers can still narrow on `code`.
import { listNft, runNft } from '../network/nft.js';
import { writeSysctl } from '../network/sysctl.js';
import { createRequire } from 'node:module';
import type { HutchAddon } from '@hutch/native';
import { SystemError } from '../errors.js';
import type { Native } from './native.js';

interface AddonPackage {
  addon: HutchAddon;
  monitorPath: string;
}

/** An addon error (code + syscall set) becomes a SystemError; anything else (TypeError…) passes. */
export function toSystemError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const x = e as NodeJS.ErrnoException;
  if (typeof x.code !== 'string' || typeof x.syscall !== 'string') return e;
  return new SystemError(x.message, x.code, x.errno, x.syscall, x.path);
}

function sync<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (e) {
      throw toSystemError(e);
    }
  };
}

function promised<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return (...args) => {
    try {
      return fn(...args).catch((e: unknown) => Promise.reject(toSystemError(e)));
    } catch (e) {
      return Promise.reject(toSystemError(e));
    }
  };
}

let loaded: Native | undefined;

/** Loads the addon once per process (it is per-environment state anyway). */
export function loadNative(): Native {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const { addon, monitorPath } = require('@hutch/native') as AddonPackage;
  const a = addon;
  loaded = {
    monitorPath,
    constants: a.constants,
    pidfdOpen: sync((pid: number) => a.pidfdOpen(pid)),
    pidfdSendSignal: sync((fd: number, signal: number) => a.pidfdSendSignal(fd, signal)),
    // The addon rejects with ECANCELED when closeFd closes the fd under a
    // pending wait; Native promises such a wait never settles (see native.ts).
    pidfdWait: (fd: number) =>
      new Promise<void>((resolve, reject) => {
        let p: Promise<void>;
        try {
          p = a.pidfdWait(fd);
        } catch (e) {
          reject(toSystemError(e));
          return;
        }
        p.then(resolve, (e: unknown) => {
          if ((e as NodeJS.ErrnoException).code !== 'ECANCELED') reject(toSystemError(e));
        });
      }),
    closeFd: sync((fd: number) => a.closeFd(fd)),
    flock: sync((fd: number, mode: 'sh' | 'ex' | 'un', nonblock: boolean) => a.flock(fd, mode, nonblock)),
    lockAsync: promised((fd: number, mode: 'sh' | 'ex' | 'un') => a.lockAsync(fd, mode)),
    lockHolder: sync((path: string) => {
      const r = a.lockHolder(path);
      return r && { holder: r[0], text: r[1] };
    }),
    mount: sync((source: string | null, target: string, fstype: string | null, flags: number, data: string | null) =>
      a.mount(source, target, fstype, flags, data),
    ),
    umount2: sync((target: string, flags: number) => a.umount2(target, flags)),
    openRead: sync((path: string) => a.openRead(path)),
    preadString: sync((fd: number) => a.preadString(fd)),
    readMany: sync((fds: Int32Array | readonly number[]) => a.readMany(fds)),
    readInt: sync((fd: number) => a.readInt(fd)),
    spawnMonitor: sync((path: string, argv: string[], stdio: [number, number, number]) => {
      const [pid, syncFd] = a.spawnMonitor(path, argv, stdio);
      return { pid, syncFd };
    }),
    reapPid: sync((pid: number, block: boolean) => a.reapPid(pid, block)),
    exitNow: (code: number) => a.exitNow(code),
    terminalHungUp: () => a.terminalHungUp(),
    attachDeviceFilter: sync((dir: string, rules: readonly string[]) => a.attachDeviceFilter(dir, [...rules])),
    // Layer extraction: addon errors carry no syscall, so they pass through
    // as they are (message = reason, code = errno name).
    layerOpen: sync((root: string, flags: number) => a.layerOpen(root, flags)),
    layerEntry: (h, kind, path, link, meta, data, offset, length, size, xattrs) =>
      a.layerEntry(h, kind, path, link, meta, data, offset, length, size, xattrs),
    layerData: (h, data, offset, length) => a.layerData(h, data, offset, length),
    layerWhiteout: (h, dir, name) => a.layerWhiteout(h, dir, name),
    layerOpaque: (h, dir) => a.layerOpaque(h, dir),
    layerList: (h, dir) => a.layerList(h, dir),
    layerRemove: (h, path) => a.layerRemove(h, path),
    layerClose: (h, finish) => a.layerClose(h, finish),
    removeTree: sync((path: string) => a.removeTree(path)),
    openRoot: sync((path: string) => a.openRoot(path)),
    inRootOpen: sync((dirfd: number, path: string, flags: number) => a.inRootOpen(dirfd, path, flags)),
    inRootStat: sync((dirfd: number, path: string, follow: boolean) => {
      const d = a.inRootStat(dirfd, path, follow);
      return d && { mode: d[0], uid: d[1], gid: d[2], size: d[3], mtimeSec: d[4], mtimeNsec: d[5], ino: d[6], nlink: d[7], rdevMajor: d[8], rdevMinor: d[9], dev: `${d[10]}:${d[11]}`, mntId: d[12] };
    }),
    inRootList: sync((dirfd: number, path: string) => a.inRootList(dirfd, path)),
    inRootReadlink: sync((dirfd: number, path: string) => a.inRootReadlink(dirfd, path)),
    inRootGetXattr: sync((dirfd: number, path: string, name: string) => a.inRootGetXattr(dirfd, path, name)),
    linkExists: sync((name: string) => a.linkExists(name)),
    createBridge: sync((name: string, addressCidr: string, mtu?: number) =>
      mtu === undefined ? a.createBridge(name, addressCidr) : a.createBridge(name, addressCidr, mtu),
    ),
    deleteLink: sync((name: string) => a.deleteLink(name)),
    listLinks: sync((prefix: string) => a.listLinks(prefix)),
    nftTableExists: sync((table: string) => a.nftTableExists(table)),
    nftDeletePorts: sync((table: string, ports: string, containerAddress: string) =>
      a.nftDeletePorts(table, ports, containerAddress),
    ),
    nftApply: runNft,
    nftList: listNft,
    writeSysctl,
  };
  return loaded;
}
