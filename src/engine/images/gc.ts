// gc: what interrupted operations left and what nothing references any more. A
// killed load, import or pull leaves scratch files and directories named after its
// pid (`.tmp-<pid>-…`, `.rm-…`, `.mnt-…`); those of dead processes go, and resumable
// downloads untouched for a day. Then every blob and snapshot that no image record,
// name or container bundle uses (references.ts). Runs only when no add holds the
// store's lock: it never waits for a load, and never deletes what one is writing.
import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from '../proc.js';
import { listSnapshots, removeSnapshot, snapshotInfo } from './snapshots.js';
import { BUSY, withStoreLock } from './storelock.js';
import { referenced } from './references.js';
import { keepCompressed } from './content/compressed.js';
import type { StoreParts } from './store-parts.js';

/** Resumable downloads untouched this long are abandoned. */
const PARTIAL_MAX_AGE_MS = 24 * 3600 * 1000;

/** The lines `hutch gc` prints for the image store. */
export async function gcImages(s: StoreParts): Promise<string[]> {
  const r = await sweep(s);
  return r === BUSY ? ['images: skipped, a load, import or pull is in progress'] : r.lines;
}

/** Leftovers of dead processes, then every blob and snapshot that nothing references. */
export async function sweep(s: StoreParts): Promise<{ lines: string[]; freed: number } | typeof BUSY> {
  if (!fs.existsSync(s.l.dir)) return { lines: [], freed: 0 };
  return withStoreLock(s.native, s.l.lock, 'ex', async () => {
    const lines: string[] = [];
    let freed = 0;
    const scratch = (dir: string, re: RegExp, dirOnly = false) => {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        return;
      }
      for (const n of names) {
        const m = re.exec(n);
        if (!m || pidAlive(Number(m[1]))) continue;
        try {
          // A mount point left by a killed register is only ever rmdir'ed: if it is
          // still mounted, rm -r would delete through it into the layers.
          if (dirOnly) fs.rmdirSync(path.join(dir, n));
          else s.native.removeTree(path.join(dir, n));
          lines.push(`image scratch ${n}`);
        } catch {
          /* still mounted or raced: next gc */
        }
      }
    };
    scratch(s.l.ingest, /^\.tmp-(\d+)-/);
    scratch(s.l.snapshots, /^\.(?:tmp|rm)-(\d+)-/);
    scratch(s.l.dir, /^\.mnt-(\d+)-/, true);
    scratch(s.l.dir, /^\.(?:tmp|old)-(\d+)-/); // the former one-directory imports
    try {
      for (const n of fs.readdirSync(s.l.ingest)) {
        const p = path.join(s.l.ingest, n);
        if (n.endsWith('.partial') && Date.now() - fs.statSync(p).mtimeMs > PARTIAL_MAX_AGE_MS) {
          fs.rmSync(p, { force: true });
          lines.push(`abandoned download ${n}`);
        }
      }
    } catch {
      /* no ingest dir */
    }
    const used = referenced(s);
    // Gzip'd copies made for push live as long as the layer they were made from.
    lines.push(...keepCompressed(s.l.dir, s.blobs, used.blobs));
    for (const b of s.blobs.list()) {
      if (used.blobs.has(b)) continue;
      freed += s.blobs.size(b);
      s.blobs.remove(b);
      lines.push(`unreferenced blob ${b.slice(0, 19)}`);
    }
    for (const c of listSnapshots(s.l)) {
      if (used.snapshots.has(c)) continue;
      freed += snapshotInfo(s.l, c)?.size ?? 0;
      removeSnapshot(s.l, s.native, c);
      lines.push(`unreferenced snapshot ${c.slice(7, 19)}`);
    }
    return { lines, freed };
  }, { tryOnly: true });
}
