// COPY and ADD. The operations (copy-ops.ts) are written one of two ways:
//  - straight into a new upper directory beside the snapshots, when nothing in them
//    meets the layers' own entries as another kind (the usual case): directories the
//    layers have are made with their owner and mode (as overlayfs copies them up), and
//    a file the same COPY wrote in its last build with the same content, mode, owner
//    and mtime is hard-linked from that build's snapshot (snapshots are never
//    written: a layer shares the inode safely) instead of written again — a rebuild
//    after one changed file rewrites that one file;
//  - else through the safe extractor into a container of the stage that never runs
//    (its overlay mounted), so a symlink in the image is followed inside it, as
//    docker does, and never leads outside.
// Either way the layer is then that upper directory (build/layer), moved into place.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
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
import { snapshotFs } from '../../images/layout.js';
import type { StoreParts } from '../../images/store-parts.js';
import { scratchName } from '../../ids.js';
import { layerFromUpper } from '../layer/index.js';
import { lineError, type CopyInstruction } from '../dockerfile/index.js';
import { rootfsOf, topChain, type StageState, type StepLayer } from './state.js';
import { buildContainerName } from './names.js';
import { destOf, directOk, planOps, type CopyOp, type CopyPlan } from './copy-ops.js';
import type { SourceEntry } from '../context/index.js';
import { LowerView } from './lower-view.js';

export type { CopyPlan } from './copy-ops.js';

/** What a COPY wrote last time, for the next build's hard links: target → [sha, mode, uid, gid, mtime ns]. */
export interface Lineage {
  chainId: string;
  files: Record<string, [string, number, number, number, string]>;
}

export interface CopyResult {
  layer: StepLayer | null;
  /** The files written, when the layer was made straight (null: through the overlay). */
  files: Lineage['files'] | null;
}

const S_IFDIR = 0o040000;
const CHUNK = 1 << 20;
const buffer = Buffer.alloc(CHUNK);

export async function copyStep(
  ctx: Ctx,
  s: StoreParts,
  added: Added,
  st: StageState,
  ins: CopyInstruction,
  plan: CopyPlan,
  o: { file: string; sourceDateEpoch?: number; lineage?: Lineage | null },
): Promise<CopyResult> {
  const rootfs = rootfsOf(s, st);
  const dest = destOf(ins, st.config.WorkingDir || '/');
  const view = new LowerView(ctx.native, rootfs.lowerdirs);
  try {
    const ops = planOps(ins, plan, dest, (r) => view.stat(r)?.kind === 'dir', o.file, isArchive);
    if (directOk(ops, view)) return await direct(ctx, s, added, st, ops, plan, view, rootfs.lowerdirs, o);
  } catch (e) {
    throw stepError(e, ins, o.file);
  } finally {
    view.close();
  }
  return { layer: await throughOverlay(ctx, s, added, st, ins, plan, dest, rootfs.lowerdirs, o).catch((e) => Promise.reject(stepError(e, ins, o.file))), files: null };
}

function stepError(e: unknown, ins: CopyInstruction, file: string): unknown {
  return e instanceof Error && !/^\S+:\d+: /.test(e.message) ? lineError(file, ins.line, `${ins.kind} failed: ${e.message}`) : e;
}

async function direct(
  ctx: Ctx,
  s: StoreParts,
  added: Added,
  st: StageState,
  ops: readonly CopyOp[],
  plan: CopyPlan,
  view: LowerView,
  lowerdirs: readonly string[],
  o: { sourceDateEpoch?: number; lineage?: Lineage | null },
): Promise<CopyResult> {
  // Beside the snapshots (same filesystem: the layer is moved, and links work); a
  // killed build's is removed by the image store's gc (`.tmp-<pid>-`).
  const tmp = path.join(s.l.snapshots, scratchName('tmp'));
  const upper = path.join(tmp, 'upper');
  fs.mkdirSync(upper, { recursive: true, mode: 0o755 });
  const written: Lineage['files'] = {};
  try {
    const w = new LayerWriter(ctx.native, upper, { whiteouts: 'none', chown: true, allowDevices: false, ...EXTRACT_DEFAULTS });
    const made = new Set<string>(['']);
    // Directories the layers have, above what is written: copied up with their owner and mode.
    const copyUp = (name: string) => {
      const parts = name.split('/');
      for (let i = 1; i < parts.length; i++) {
        const p = parts.slice(0, i).join('/');
        if (made.has(p)) continue;
        made.add(p);
        const e = view.stat(p);
        const stt = e?.st;
        w.entry(header(p, '5', stt ? stt.mode & 0o7777 : 0o755, stt ? { uid: stt.uid, gid: stt.gid } : { uid: 0, gid: 0 }, 0, '', stt ? BigInt(stt.mtimeSec) * 1_000_000_000n + BigInt(stt.mtimeNsec) : 0n), buffer, 0, 0);
      }
    };
    const out = new Emitter(w, plan, o.sourceDateEpoch);
    const prev = o.lineage ? snapshotFs(s.l, o.lineage.chainId) : null;
    try {
      for (const op of ops) {
        copyUp(op.name);
        if (op.kind === 'dir') made.add(op.name);
        if (op.kind === 'file') {
          const sha = plan.shas.get(op.e);
          const h = out.fileHeader(op.name, op.e);
          const rec: [string, number, number, number, string] | null = sha ? [sha, h.mode, h.uid, h.gid, String(op.e.mtimeNs)] : null;
          if (rec) written[op.name] = rec;
          if (rec && prev && linkable(o.lineage!.files[op.name], rec) && link(path.join(prev, op.name), path.join(upper, op.name), op.e.size)) continue;
        }
        await out.op(op);
      }
      w.finish();
    } catch (e) {
      w.abort();
      throw e;
    }
    const layer = await layerFromUpper({ ...s, native: ctx.native }, added, {
      upper,
      parentChainId: topChain(st),
      lowerdirs,
      ...(o.sourceDateEpoch !== undefined ? { sourceDateEpoch: o.sourceDateEpoch } : {}),
      snapshot: 'move',
    });
    return { layer: layer.empty ? null : { descriptor: layer.descriptor, diffId: layer.diffId, chainId: layer.chainId }, files: written };
  } finally {
    s.native.removeTree(tmp);
  }
}

const linkable = (a: Lineage['files'][string] | undefined, b: Lineage['files'][string]) => !!a && a.every((v, i) => v === b[i]);

/** Hard-links a file of the last build's snapshot (a regular file of the expected size) to dst. */
function link(src: string, dst: string, size: number): boolean {
  try {
    const stt = fs.lstatSync(src);
    if (!stt.isFile() || stt.size !== size) return false;
    fs.linkSync(src, dst);
    return true;
  } catch {
    return false;
  }
}

/** Through the overlay of a container of the stage that never runs (the general case). */
async function throughOverlay(ctx: Ctx, s: StoreParts, added: Added, st: StageState, ins: CopyInstruction, plan: CopyPlan, dest: string, lowerdirs: readonly string[], o: { file: string; sourceDateEpoch?: number }): Promise<StepLayer | null> {
  let id: string | undefined;
  try {
    const rec = await createContainer(ctx, { image: 'build-step', name: buildContainerName(), cmd: ['true'], entrypoint: [], network: 'none' }, { rootfs: rootfsOf(s, st) });
    id = rec.id;
    await withContainerRoot(ctx, id, 'write', async (root) => {
      // Planned against the merged view with symlinks followed, as the writer will resolve them.
      const dirAt = (r: string) => {
        const stt = ctx.native.inRootStat(root.fd, r, true);
        return !!stt && (stt.mode & 0o170000) === S_IFDIR;
      };
      const ops = planOps(ins, plan, dest, dirAt, o.file, isArchive);
      const w = new LayerWriter(ctx.native, root.path, { whiteouts: 'none', chown: true, allowDevices: false, ...EXTRACT_DEFAULTS });
      try {
        const out = new Emitter(w, plan, o.sourceDateEpoch);
        for (const op of ops) await out.op(op);
        w.finish();
      } catch (e) {
        w.abort();
        throw e;
      }
    });
    const layer = await layerFromUpper({ ...s, native: ctx.native }, added, {
      upper: files.upper(containerDir(ctx.paths, id)),
      parentChainId: topChain(st),
      lowerdirs,
      ...(o.sourceDateEpoch !== undefined ? { sourceDateEpoch: o.sourceDateEpoch } : {}),
      snapshot: 'move',
    });
    return layer.empty ? null : { descriptor: layer.descriptor, diffId: layer.diffId, chainId: layer.chainId };
  } finally {
    if (id) await removeContainer(ctx, id, true).catch(() => {});
  }
}

/** A local tar (plain or gzip) ADD extracts; anything else is copied as a file. */
function isArchive(p: string): boolean {
  return archiveKind(p) !== null;
}

function archiveKind(p: string): 'gzip' | 'tar' | null {
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

function header(name: string, type: string, mode: number, owner: { uid: number; gid: number }, size = 0, linkname = '', mtimeNs = 0n): TarEntry {
  return { type, name, linkname, mode, ...owner, size, mtimeSec: Number(mtimeNs / 1_000_000_000n), mtimeNsec: Number(mtimeNs % 1_000_000_000n), devMajor: 0, devMinor: 0, xattrs: null };
}

/** Turns ops into tar entries for the writer, with COPY's owners, modes and times. */
class Emitter {
  constructor(
    private readonly w: TarSink,
    private readonly plan: CopyPlan,
    private readonly epoch?: number,
  ) {}

  private entryHeader(name: string, type: string, mode: number, e?: SourceEntry, size = 0, linkname = ''): TarEntry {
    const owner = this.plan.owner !== 'keep' ? this.plan.owner : { uid: e?.uid ?? 0, gid: e?.gid ?? 0 };
    const chmod = this.plan.chmod !== undefined && type !== '2' && e ? this.plan.chmod : mode;
    return header(name, type, chmod, owner, size, linkname, e ? e.mtimeNs : BigInt(this.epoch ?? 0) * 1_000_000_000n);
  }

  fileHeader(name: string, e: SourceEntry): TarEntry {
    return this.entryHeader(name, '0', e.mode, e, e.size);
  }

  async op(op: CopyOp): Promise<void> {
    switch (op.kind) {
      case 'dir':
        // Parents the COPY makes are root's 0755, whatever --chown says (docker).
        if (!op.e) return this.w.entry(header(op.name, '5', op.mode, { uid: 0, gid: 0 }), buffer, 0, 0);
        return this.w.entry(this.entryHeader(op.name, '5', op.mode, op.e), buffer, 0, 0);
      case 'symlink':
        return this.w.entry(this.entryHeader(op.name, '2', op.e.mode, op.e, 0, op.e.linkTarget ?? ''), buffer, 0, 0);
      case 'fifo':
        return this.w.entry(this.entryHeader(op.name, '6', op.e.mode, op.e), buffer, 0, 0);
      case 'bytes':
        return this.w.entry(this.entryHeader(op.name, '0', 0o644, undefined, op.data.length), op.data, 0, op.data.length);
      case 'file':
        return this.file(op.name, op.abs, op.e);
      case 'archive': {
        let input: NodeJS.ReadableStream = fs.createReadStream(op.abs);
        if (archiveKind(op.abs) === 'gzip') input = input.pipe(zlib.createGunzip());
        return feedTar(input as Readable, new Rebase(this.w, op.name));
      }
    }
  }

  private file(name: string, abs: string, e: SourceEntry): void {
    const fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const h = this.fileHeader(name, e);
      let pos = 0;
      for (let first = true; first || pos < h.size; first = false) {
        const want = Math.min(CHUNK, h.size - pos);
        let n = want > 0 ? fs.readSync(fd, buffer, 0, want, pos) : 0;
        // A file that shrank while read keeps the size promised, padded with zeros.
        if (n === 0 && want > 0) {
          buffer.fill(0, 0, want);
          n = want;
        }
        if (first) this.w.entry(h, buffer, 0, n);
        else this.w.data(buffer, 0, n);
        pos += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

