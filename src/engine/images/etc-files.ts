// An image's /etc/passwd and /etc/group, recorded when it is registered so that
// `run` can resolve a user name without reading layers. Read as a container will see
// them: through a read-only overlay of the layers (the kernel applies whiteouts and
// opaque dirs), with every link resolved inside it, never outside.
import fs from 'node:fs';
import path from 'node:path';
import { scratchName } from '../ids.js';
import { readInRoot } from './inroot.js';
import { snapshotFs } from './layout.js';
import type { StoreParts } from './store-parts.js';

export interface EtcFiles {
  passwd: string | null;
  group: string | null;
}

/**
 * The files across the layers `chains` (bottom first). Mounted by /proc/self/fd paths
 * so the option stays short; unmounted before returning. Any failure reads as no files.
 */
export function readEtc(s: Pick<StoreParts, 'l' | 'native'>, chains: string[]): EtcFiles {
  const dirs = chains.map((c) => snapshotFs(s.l, c)).reverse();
  if (dirs.length === 0) return { passwd: null, group: null };
  if (dirs.length === 1) return { passwd: readInRoot(dirs[0], '/etc/passwd'), group: readInRoot(dirs[0], '/etc/group') };
  const fds: number[] = [];
  const mnt = path.join(s.l.dir, scratchName('mnt'));
  let mounted = false;
  try {
    for (const d of dirs) fds.push(fs.openSync(d, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY));
    const opt = `lowerdir=${fds.map((fd) => `/proc/self/fd/${fd}`).join(':')}`;
    if (opt.length > 4000) return { passwd: null, group: null };
    fs.mkdirSync(mnt, { mode: 0o700 });
    const k = s.native.constants;
    s.native.mount('overlay', mnt, 'overlay', k.MS_RDONLY | k.MS_NOSUID | k.MS_NODEV | k.MS_NOEXEC, opt);
    mounted = true;
    return { passwd: readInRoot(mnt, '/etc/passwd'), group: readInRoot(mnt, '/etc/group') };
  } catch {
    return { passwd: null, group: null };
  } finally {
    if (mounted) s.native.umount2(mnt, s.native.constants.MNT_DETACH);
    for (const fd of fds) fs.closeSync(fd);
    try {
      fs.rmdirSync(mnt);
    } catch {
      /* never made */
    }
  }
}
