// The monitor is started from a read-only bind mount of its binary, never from the
// build directory itself. A container's init is a clone of the monitor until it execs
// the command; a command of `/proc/self/exe` (or an exec'd one, whose process is a
// fork of `hutch-monitor exec`) runs the host's hutch-monitor inside the container,
// and another process there could open it through /proc/PID/exe and, once it exits,
// write to it: the next container started would run the attacker's code as the host's
// root (CVE-2019-5736, runc's). Through a read-only mount that write is EROFS. runc's
// fix copies itself into a sealed memfd at every start; the monitor stays resident, so
// a copy would cost every container the binary's size: the bind shares its pages.
//
// One mount per build of the binary, under /run (gone at reboot), named for the
// binary's path (a hash: two checkouts or installs on one machine each keep theirs) and
// the file (device, inode, mtime): a rebuilt monitor gets a new one and the old ones of
// the same path are detached (lazily: a monitor still running from one keeps it until
// it exits).
import fs from 'node:fs';
import path from 'node:path';
import type { Native } from './native.js';

export const SEALED_DIR = '/run/hutch-sealed';

/** The path to start the monitor from: the sealed one, or the build's own where it cannot be made (not root). */
export function sealedMonitorPath(native: Native, dir = process.env.HUTCH_SEALED_DIR || SEALED_DIR): string {
  const src = native.monitorPath;
  let st: fs.Stats;
  try {
    st = fs.statSync(src);
  } catch {
    return src;
  }
  const prefix = `hutch-monitor.${fnv1a(path.resolve(src))}.`;
  const name = `${prefix}${st.dev}.${st.ino}.${Math.trunc(st.mtimeMs)}`;
  // A directory per build with the file named as the build's, so the process keeps its
  // name (comm, what ps and top show): hutch-monitor.
  const dst = path.join(dir, name, path.basename(src));
  if (isSealedCopy(dst, st)) return dst;
  const c = native.constants;
  let made = false;
  try {
    fs.mkdirSync(path.dirname(dst), { recursive: true, mode: 0o711 });
    if (!fs.existsSync(dst)) {
      fs.writeFileSync(dst, '', { mode: 0o755 });
      made = true;
    }
    native.mount(src, dst, null, c.MS_BIND, null);
    native.mount(null, dst, null, c.MS_BIND | c.MS_REMOUNT | c.MS_RDONLY | c.MS_NOSUID | c.MS_NODEV, null);
  } catch {
    if (isSealedCopy(dst, st)) return dst; // another engine made it meanwhile
    if (made) fs.rmSync(path.dirname(dst), { recursive: true, force: true });
    return src;
  }
  if (!isSealedCopy(dst, st)) return src;
  // Older builds' mounts of the same path: detached, their mount points removed.
  for (const f of fs.readdirSync(dir)) {
    if (f === name || !f.startsWith(prefix)) continue;
    const old = path.join(dir, f);
    try {
      native.umount2(path.join(old, path.basename(src)), c.MNT_DETACH);
    } catch {
      /* not mounted (any more) */
    }
    try {
      fs.rmSync(old, { recursive: true, force: true });
    } catch {
      /* still a mount point of an earlier layout: left for the next reboot */
    }
  }
  return dst;
}

/** FNV-1a, 32 bits, in hex: a name for a path (node:crypto costs the CLI's start-up). */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The same file as `st`, on a read-only mount (access(W_OK) says EROFS even to root). */
function isSealedCopy(dst: string, st: fs.Stats): boolean {
  try {
    const d = fs.statSync(dst);
    if (d.dev !== st.dev || d.ino !== st.ino) return false;
    fs.accessSync(dst, fs.constants.W_OK);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EROFS';
  }
}
