// /proc/sys writes for routing (ip_forward, route_localnet on a bridge), skipped
// when the value is there already.
import fs from 'node:fs';
import { SystemError } from '../errors.js';

export function writeSysctl(key: string, value: string): void {
  const file = `/proc/sys/${key.replace(/\./g, '/')}`;
  try {
    if (fs.readFileSync(file, 'utf8').trim() === value) return;
    fs.writeFileSync(file, value);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SystemError(`setting sysctl ${key}=${value}: ${err.code ?? err.message}`, err.code, err.errno, 'write', file);
  }
}
