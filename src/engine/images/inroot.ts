// Reads a small file of a root filesystem the way the container would see it, with
// every symlink resolved inside the root (absolute targets restart at the root, `..`
// stops there), so an image's `/etc/passwd -> /host/secret` cannot make hutch read a
// host file (CVE-2024-9676-style). Only regular files are opened: a device node or
// a FIFO named /etc/passwd is never opened at all (a 5:1 node would be the host's
// console, a FIFO could block); the roots given are never written by containers
// while we read.
import fs from 'node:fs';
import path from 'node:path';

const MAX_LINKS = 40;

/** The host path of `p` resolved inside `root`, or null (missing, a loop, not reachable). */
export function resolveInRoot(root: string, p: string): string | null {
  const done: string[] = [];
  const todo = p.split('/');
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      done.pop();
      continue;
    }
    const host = path.join(root, ...done, c);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(host);
    } catch {
      return null;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return null;
      const target = fs.readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/'));
      continue;
    }
    if (todo.some((x) => x !== '' && x !== '.') && !st.isDirectory()) return null;
    done.push(c);
  }
  return path.join(root, ...done);
}

/** Contents of a regular file at `p` inside `root`, or null; at most `max` bytes. */
export function readInRoot(root: string, p: string, max = 1 << 20): string | null {
  const k = fs.constants;
  let fd: number;
  let before: fs.Stats;
  try {
    const host = resolveInRoot(root, p);
    if (!host) return null;
    before = fs.lstatSync(host);
    if (!before.isFile() || before.size > max) return null;
    // Still no follow, no terminal and no wait, should the name change meanwhile.
    fd = fs.openSync(host, k.O_RDONLY | k.O_NOFOLLOW | k.O_NOCTTY | k.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev || st.size > max) return null;
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = fs.readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
