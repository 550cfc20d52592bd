// COPY and ADD: the sources (from the context, another stage or an image) are
// written into a container of the stage's current layers that never runs, through
// the project's safe extractor rooted at its overlay (every path resolved in-root
// by fd, so a symlink in the image leads nowhere outside it); the layer is then that
// container's upper directory (build/layer), as for RUN. Destinations follow
// docker's rules: relative to WORKDIR, a directory when it ends in `/`, is one
// already, or several sources are copied; a directory source copies its contents.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Ctx } from '../../container/context.js';
import { createContainer } from '../../container/create.js';
import { removeContainer } from '../../container/remove.js';
import { files } from '../../container/record.js';
import { containerDir } from '../../paths.js';
import { withContainerRoot } from '../../fs/root.js';
import { feedTar, Rebase } from '../../fs/cp.js';
import { EXTRACT_DEFAULTS } from '../../images/extract/limits.js';
import { LayerWriter } from '../../images/extract/layer-writer.js';
import type { TarEntry, TarSink } from '../../images/extract/tar-reader.js';
import type { Added } from '../../images/additions.js';
import type { StoreParts } from '../../images/store-parts.js';
import { layerFromUpper } from '../layer/index.js';
import { lineError, type CopyInstruction, type Heredoc } from '../dockerfile/index.js';
import type { SourceMatch, SourceEntry } from '../context/index.js';
import { rootfsOf, topChain, type StageState, type StepLayer } from './state.js';
import { buildContainerName } from './names.js';

export interface CopyPlan {
  /** Resolved sources (context, stage or image files). */
  matches: SourceMatch[];
  heredocs: Heredoc[];
  /** Owner of the copies; 'keep' for COPY --from. */
  owner: { uid: number; gid: number } | 'keep';
  chmod?: number;
  /** ADD: local tar archives are extracted. */
  extract: boolean;
}

const S_IFDIR = 0o040000;
const CHUNK = 1 << 20;
const buffer = Buffer.alloc(CHUNK);

/** Writes the sources into a container of st; its layer (null: nothing changed). */
export async function copyStep(ctx: Ctx, s: StoreParts, added: Added, st: StageState, ins: CopyInstruction, plan: CopyPlan, file: string, sourceDateEpoch?: number): Promise<StepLayer | null> {
  const rootfs = rootfsOf(s, st);
  const workdir = st.config.WorkingDir || '/';
  const dest = path.posix.isAbsolute(ins.dest) ? ins.dest : path.posix.join(workdir, ins.dest) + (ins.dest.endsWith('/') ? '/' : '');
  const count = plan.matches.length + plan.heredocs.length;
  const wildcard = plan.matches.some((m) => m.source !== m.path && /[*?[]/.test(m.source));
  if ((count > 1 || wildcard) && !dest.endsWith('/'))
    throw lineError(file, ins.line, `When using ${ins.kind} with more than one source file, the destination must be a directory and end with a /`);
  let id: string | undefined;
  try {
    const rec = await createContainer(ctx, { image: 'build-step', name: buildContainerName(), cmd: ['true'], entrypoint: [], network: 'none' }, { rootfs });
    id = rec.id;
    await withContainerRoot(ctx, id, 'write', async (root) => {
      const rel = (p: string) => path.posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '');
      const isDir = (p: string) => {
        const stt = ctx.native.inRootStat(root.fd, rel(p), true);
        return !!stt && (stt.mode & 0o170000) === S_IFDIR;
      };
      const destIsDir = dest.endsWith('/') || isDir(dest);
      const w = new LayerWriter(ctx.native, root.path, { whiteouts: 'none', chown: true, allowDevices: false, ...EXTRACT_DEFAULTS });
      try {
        const out = new Emitter(w, plan, sourceDateEpoch);
        for (const m of plan.matches) {
          if (m.type === 'dir') {
            out.parents(rel(dest), isDir);
            out.tree(m, rel(dest), isDir(dest));
          } else if (plan.extract && m.type === 'file' && (await archiveKind(m.abs))) {
            out.parents(rel(dest), isDir);
            if (!isDir(dest)) out.dir(rel(dest), 0o755);
            await out.archive(m.abs, rel(dest));
          } else {
            const target = destIsDir ? path.posix.join(rel(dest), path.posix.basename(m.path)) : rel(dest);
            out.parents(target, isDir);
            out.tree(m, target, false);
          }
        }
        for (const h of plan.heredocs) {
          const target = destIsDir ? path.posix.join(rel(dest), h.name) : rel(dest);
          out.parents(target, isDir);
          out.bytes(target, Buffer.from(h.content), 0o644);
        }
        w.finish();
      } catch (e) {
        w.abort();
        throw e;
      }
    });
    const bundle = containerDir(ctx.paths, id);
    const layer = await layerFromUpper({ ...s, native: ctx.native }, added, {
      upper: files.upper(bundle),
      parentChainId: topChain(st),
      lowerdirs: rootfs.lowerdirs,
      ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
      snapshot: 'move',
    });
    return layer.empty ? null : { descriptor: layer.descriptor, diffId: layer.diffId, chainId: layer.chainId };
  } catch (e) {
    if (e instanceof Error && !/^\S+:\d+: /.test(e.message)) throw lineError(file, ins.line, `${ins.kind} failed: ${e.message}`);
    throw e;
  } finally {
    if (id) await removeContainer(ctx, id, true).catch(() => {});
  }
}

/** 'gzip' | 'tar' for an archive ADD extracts; null for any other file. */
async function archiveKind(p: string): Promise<'gzip' | 'tar' | null> {
  const fd = fs.openSync(p, 'r');
  try {
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (n >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Turns sources into tar entries for the writer, with COPY's owners, modes and times. */
class Emitter {
  private readonly made = new Set<string>();

  constructor(
    private readonly w: TarSink,
    private readonly plan: CopyPlan,
    private readonly epoch?: number,
  ) {}

  private owner(e?: SourceEntry): { uid: number; gid: number } {
    if (this.plan.owner !== 'keep') return this.plan.owner;
    return { uid: e?.uid ?? 0, gid: e?.gid ?? 0 };
  }

  private header(name: string, type: string, mode: number, e?: SourceEntry, size = 0, linkname = ''): TarEntry {
    const mtimeNs = e ? e.mtimeNs : BigInt(this.epoch ?? 0) * 1_000_000_000n;
    const chmod = this.plan.chmod !== undefined && type !== '2' ? this.plan.chmod : mode;
    return {
      type,
      name,
      linkname,
      mode: chmod,
      ...this.owner(e),
      size,
      mtimeSec: Number(mtimeNs / 1_000_000_000n),
      mtimeNsec: Number(mtimeNs % 1_000_000_000n),
      devMajor: 0,
      devMinor: 0,
      xattrs: null,
    };
  }

  /** Missing directories above target (mkdir -p, root's 0755 as docker makes them). */
  parents(target: string, isDir: (p: string) => boolean): void {
    const parts = target.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (this.made.has(p) || isDir(`/${p}`)) continue;
      this.dir(p, 0o755, false);
    }
  }

  dir(name: string, mode: number, owned = true): void {
    this.made.add(name);
    const h = this.header(name, '5', mode);
    if (!owned) Object.assign(h, { uid: 0, gid: 0, mode });
    this.w.entry(h, buffer, 0, 0);
  }

  /** A match's entries under target (a directory's own entry only when target is new). */
  tree(m: SourceMatch, target: string, targetExists: boolean): void {
    for (const e of m.entries) {
      const name = e.rel ? (target ? `${target}/${e.rel}` : e.rel) : target;
      if (name === '') continue;
      const abs = e.rel ? path.join(m.abs, e.rel) : m.abs;
      if (e.type === 'dir') {
        if (!e.rel && targetExists) continue;
        this.made.add(name);
        this.w.entry(this.header(name, '5', e.mode, e), buffer, 0, 0);
      } else if (e.type === 'symlink') this.w.entry(this.header(name, '2', e.mode, e, 0, e.linkTarget ?? ''), buffer, 0, 0);
      else if (e.type === 'fifo') this.w.entry(this.header(name, '6', e.mode, e), buffer, 0, 0);
      else this.file(name, abs, e);
    }
  }

  private file(name: string, abs: string, e: SourceEntry): void {
    const fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const size = fs.fstatSync(fd).size;
      let pos = 0;
      let first = true;
      while (first || pos < size) {
        const n = size - pos > 0 ? fs.readSync(fd, buffer, 0, Math.min(CHUNK, size - pos), pos) : 0;
        if (first) this.w.entry(this.header(name, '0', e.mode, e, size), buffer, 0, n);
        else if (n > 0) this.w.data(buffer, 0, n);
        else {
          // The file shrank while we read it: the size promised is kept with zeros.
          buffer.fill(0, 0, Math.min(CHUNK, size - pos));
          this.w.data(buffer, 0, Math.min(CHUNK, size - pos));
          pos += Math.min(CHUNK, size - pos);
          continue;
        }
        first = false;
        pos += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  bytes(name: string, data: Buffer, mode: number): void {
    this.w.entry(this.header(name, '0', mode, undefined, data.length), data, 0, data.length);
  }

  /** ADD of a local (optionally gzip'd) tar: its entries under dir, with their own owners. */
  async archive(abs: string, dir: string): Promise<void> {
    let input: NodeJS.ReadableStream = fs.createReadStream(abs);
    if ((await archiveKind(abs)) === 'gzip') input = input.pipe(zlib.createGunzip());
    await feedTar(input as import('node:stream').Readable, new Rebase(this.w, dir));
  }
}
