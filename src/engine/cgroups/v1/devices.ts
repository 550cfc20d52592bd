// v1 devices: deny everything, then allow docker's default set and the container's own.
import path from 'node:path';
import type { CgIo } from '../fs.js';

export const DEFAULT_DEVICE_RULES = [
  'c 1:5 rwm', // /dev/zero
  'c 1:3 rwm', // /dev/null
  'c 1:9 rwm', // /dev/urandom
  'c 1:8 rwm', // /dev/random
  'c 5:0 rwm', // /dev/tty
  'c 5:1 rwm', // /dev/console
  'c 1:7 rwm', // /dev/full
  'c 136:* rwm', // /dev/pts/*
  'c 5:2 rwm', // /dev/ptmx
  'c *:* m', // mknod of any char device
  'b *:* m', // mknod of any block device
];

/** `extra`: the container's own rules (--device, --device-cgroup-rule); 'all' for --privileged. */
export function applyDevicesV1(io: CgIo, dir: string, extra: readonly string[] | 'all' = []): void {
  if (extra === 'all') {
    io.write(path.join(dir, 'devices.allow'), 'a');
    return;
  }
  io.write(path.join(dir, 'devices.deny'), 'a');
  io.writeEach(path.join(dir, 'devices.allow'), [...DEFAULT_DEVICE_RULES, ...extra]);
}
