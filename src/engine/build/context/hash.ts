// The content key of COPY/ADD sources for the build cache: a sha256 over each
// match (source, path, type) and its entries sorted by path, each as
// [path, type, mode, uid, gid, sha256(content) | symlink target], with the mode and
// owner the copies will have (--chmod, --chown, or root for context files) and
// without mtimes, so touching a file does not invalidate the step. File contents
// come from the stat cache when lstat says a file is unchanged.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { SourceMatch } from './sources.js';
import type { SourceEntry } from './walk.js';
import { StatCache } from './stat-cache.js';
import { Problem } from '../dockerfile/location.js';

export interface HashOptions {
  /**
   * Who owns the copies: numeric ids (after --chown; { uid: 0, gid: 0 } for context
   * files without it, as docker does), or 'keep' (COPY --from keeps the source's).
   */
  owner: { uid: number; gid: number } | 'keep';
  /** --chmod, applied to everything but symlinks. */
  chmod?: number;
  statCache?: StatCache;
  /** Told each regular file's content digest (COPY's fast path reuses unchanged files by it). */
  onFile?: (m: SourceMatch, e: SourceEntry, sha: string) => void;
}

export interface SourcesHash {
  /** `sha256:<hex>`. */
  digest: string;
  entries: number;
  /** Bytes of file content covered. */
  bytes: number;
  /** Files whose content was read / taken from the stat cache. */
  read: number;
  cached: number;
}

const WHOLE_FILE = 4 << 20;
const CHUNK = 1 << 20;
const chunk = Buffer.alloc(CHUNK);
/** Give the event loop a turn this often (progress output keeps moving). */
const SLICE_MS = 25;

/** sha256 (hex) of a file's content and how many bytes it had. */
function fileSha256(abs: string, size: number): { sha: string; bytes: number } {
  const h = crypto.createHash('sha256');
  if (size <= WHOLE_FILE) {
    const b = fs.readFileSync(abs);
    return { sha: h.update(b).digest('hex'), bytes: b.length };
  }
  const fd = fs.openSync(abs, 'r');
  let bytes = 0;
  try {
    for (let n; (n = fs.readSync(fd, chunk, 0, CHUNK, null)) > 0; bytes += n) h.update(chunk.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return { sha: h.digest('hex'), bytes };
}

/** `--chmod=0755` → 0o755 (octal only). */
export function parseChmod(text: string): number {
  if (!/^[0-7]{1,4}$/.test(text)) throw new Problem(`invalid chmod parameter ${JSON.stringify(text)}: hutch takes an octal mode (e.g. 0755)`);
  return parseInt(text, 8);
}

const byRel = (a: SourceEntry, b: SourceEntry) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);

/** Records are NUL-separated fields (no path, target or number holds a NUL), batched into the digest. */
class Records {
  private buf = '';
  constructor(private readonly h: crypto.Hash) {}
  add(...fields: (string | number)[]): void {
    for (const f of fields) this.buf += f + '\0';
    this.buf += '\n';
    if (this.buf.length > 1 << 16) this.flush();
  }
  flush(): void {
    this.h.update(this.buf);
    this.buf = '';
  }
}

export async function hashSources(matches: readonly SourceMatch[], opts: HashOptions): Promise<SourcesHash> {
  const digest = crypto.createHash('sha256');
  const records = new Records(digest);
  const seen = new Map<string, string>();
  const r: SourcesHash = { digest: '', entries: 0, bytes: 0, read: 0, cached: 0 };
  let slice = performance.now();
  for (const m of matches) {
    records.add('match', m.source, m.path, m.type);
    for (const e of [...m.entries].sort(byRel)) {
      let content = '';
      if (e.type === 'symlink') content = e.linkTarget ?? '';
      else if (e.type === 'file') {
        const key = StatCache.key(e);
        let sha = seen.get(key) ?? opts.statCache?.get(e, key);
        if (sha !== undefined) r.cached++;
        else {
          const got = fileSha256(e.rel ? m.abs + '/' + e.rel : m.abs, e.size);
          sha = got.sha;
          r.read++;
          // A file that changed while it was read must not be remembered under its old stat.
          if (got.bytes === e.size) opts.statCache?.set(e, sha, undefined, key);
        }
        seen.set(key, sha);
        opts.onFile?.(m, e, sha);
        content = sha;
        r.bytes += e.size;
      }
      const mode = opts.chmod !== undefined && e.type !== 'symlink' ? opts.chmod : e.mode;
      const owner = opts.owner === 'keep' ? e : opts.owner;
      records.add(e.rel, e.type, mode.toString(8), owner.uid, owner.gid, content);
      r.entries++;
      if ((r.entries & 255) === 0 && performance.now() - slice > SLICE_MS) {
        await new Promise((res) => setImmediate(res));
        slice = performance.now();
      }
    }
  }
  records.flush();
  r.digest = `sha256:${digest.digest('hex')}`;
  return r;
}
