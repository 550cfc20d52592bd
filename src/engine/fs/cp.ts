// hutch cp, both ways, and export. Every write into a container goes through
// the safe extractor (images/extract: parents resolved in-root by fd, last
// components never followed) rooted at the container's root; every read goes
// through walkInRoot (in-root fds). docker's destination rules are plan.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgument, NotFound } from '../errors.js';
import type { Native } from '../native/native.js';
import type { Ctx } from '../container/context.js';
import { EXTRACT_DEFAULTS } from '../images/extract/limits.js';
import { LayerWriter } from '../images/extract/layer-writer.js';
import { TarError, TarReader, type TarEntry, type TarSink } from '../images/extract/tar-reader.js';
import { canonicalPath, BadPath } from '../images/extract/entry-path.js';
import { ExtractError, showName } from '../images/extract/error.js';
import { endsWithDot, endsWithSlash, inRootPath, lastName, planCopy, type DstKind } from './plan.js';
import { withContainerRoot, type ContainerRoot } from './root.js';
import { TarWriter } from './tar-out.js';
import { walkHost, walkInRoot, type Sink } from './walk.js';

export interface CopyOptions {
  /** -a: keep the source's uid/gid (default: the destination's user, root). */
  archive?: boolean;
  /** -L: follow a symlink in SRC. */
  follow?: boolean;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

function writer(native: Native, root: string, chown: boolean, devices: boolean): LayerWriter {
  // A running container's volumes are mounts inside its root: cp may cross them.
  return new LayerWriter(native, root, { whiteouts: 'none', chown, allowDevices: devices, crossMounts: true, ...EXTRACT_DEFAULTS });
}

function kindInRoot(native: Native, fd: number, rel: string): DstKind {
  const st = native.inRootStat(fd, rel, true);
  if (!st) return null;
  return (st.mode & S_IFMT) === S_IFDIR ? 'dir' : 'other';
}

function hostKind(p: string): DstKind {
  try {
    return fs.statSync(p).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

/** A TarWriter over a Writable (the caller ends it). */
export async function tarTo(out: Writable, fn: (w: TarWriter) => Promise<void>): Promise<void> {
  let failed: Error | undefined;
  const onError = (e: Error) => (failed = e);
  out.on('error', onError);
  const w = new TarWriter({
    emit: (chunk) => out.write(chunk),
    waitDrain: () => new Promise<void>((resolve) => (failed || out.writableNeedDrain === false ? resolve() : out.once('drain', resolve).once('error', () => resolve()))),
  });
  try {
    await fn(w);
    w.finish();
    await w.drain();
    if (failed) throw failed;
  } finally {
    out.off('error', onError);
  }
}

function withDrain(w: TarWriter): Sink {
  return { entry: (e, b, o, l) => w.entry(e, b, o, l), data: (b, o, l) => w.data(b, o, l), drain: () => w.drain() };
}

/** Container → a host path (docker's rules) or a tar stream. */
export async function copyFromContainer(ctx: Ctx, id: string, src: string, dst: string | Writable, opts: CopyOptions = {}): Promise<void> {
  await withContainerRoot(ctx, id, 'read', async (root) => {
    const rel = inRootPath(src);
    const follow = !!opts.follow || endsWithSlash(src);
    const st = ctx.native.inRootStat(root.fd, rel, follow);
    if (!st) throw new NotFound(`Could not find the file ${src} in container ${root.rec.name}`);
    const isDir = (st.mode & S_IFMT) === S_IFDIR;
    if (!isDir && endsWithSlash(src)) throw new InvalidArgument(`not a directory: ${src}`);
    const contents = isDir && (endsWithDot(src) || rel === '');
    if (typeof dst !== 'string') {
      await tarTo(dst, async (w) => {
        await walkInRoot(ctx.native, root.fd, rel, follow, contents ? '' : lastName(src), withDrain(w), { contents });
      });
      return;
    }
    const abs = path.resolve(dst) + (endsWithSlash(dst) && dst !== '/' ? '/' : '');
    const plan = planCopy(src, isDir, abs, hostKind(path.resolve(dst)), dst);
    if (plan.needParent && hostKind(plan.dir) !== 'dir') throw new InvalidArgument(`no such directory: ${path.dirname(path.resolve(dst))}`);
    const w = writer(ctx.native, plan.dir, !!opts.archive, false);
    try {
      await walkInRoot(ctx.native, root.fd, rel, follow, plan.name ?? '', w, { contents: plan.name === null });
      w.finish();
    } catch (e) {
      w.abort();
      throw e;
    }
  });
}

/** Prefixes every name of a tar stream with `dir` (names checked first: no `..`). */
/** Entries renamed under a directory (cp and ADD of a local archive). */
export class Rebase implements TarSink {
  constructor(
    private readonly to: TarSink,
    private readonly dir: string,
  ) {}
  entry(e: TarEntry, buf: Buffer, off: number, len: number): void {
    const name = this.rebase(e.name, e.name);
    const link = e.type === '1' ? this.rebase(e.linkname, e.name) : e.linkname;
    this.to.entry({ ...e, name, linkname: link }, buf, off, len);
  }
  data(buf: Buffer, off: number, len: number): void {
    this.to.data(buf, off, len);
  }
  private rebase(n: string, entry: string): string {
    let c: string;
    try {
      c = canonicalPath(n);
    } catch (e) {
      if (e instanceof BadPath) throw new ExtractError(`archive entry "${showName(entry)}": ${e.message}`);
      throw e;
    }
    return this.dir && c ? `${this.dir}/${c}` : this.dir || c;
  }
}

export async function feedTar(input: Readable, sink: TarSink): Promise<void> {
  const reader = new TarReader(sink);
  try {
    for await (const chunk of input) reader.push(chunk as Buffer);
    reader.end();
  } catch (e) {
    if (e instanceof TarError) throw new ExtractError(e.entry !== undefined ? `archive entry "${showName(e.entry)}": ${e.message}` : `archive: ${e.message}`);
    throw e;
  }
}

/** A host path or a tar stream → the container (docker's rules). */
export async function copyToContainer(ctx: Ctx, id: string, src: string | Readable, dst: string, opts: CopyOptions = {}): Promise<void> {
  let hostSrc: string | undefined;
  let srcIsDir = false;
  if (typeof src === 'string') {
    hostSrc = path.resolve(src);
    let st: fs.Stats;
    try {
      st = opts.follow || endsWithSlash(src) ? fs.statSync(hostSrc) : fs.lstatSync(hostSrc);
    } catch (e) {
      throw new NotFound(`no such file or directory: ${src} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    srcIsDir = st.isDirectory();
    if (!srcIsDir && endsWithSlash(src)) throw new InvalidArgument(`not a directory: ${src}`);
  }
  await withContainerRoot(ctx, id, 'write', async (root: ContainerRoot) => {
    const rel = inRootPath(dst);
    const kind = kindInRoot(ctx.native, root.fd, rel);
    const missingDir = (d: string) => new NotFound(`Could not find the file /${d} in container ${root.rec.name}`);
    let prefix: string;
    let contents = false;
    if (typeof src !== 'string') {
      if (kind !== 'dir') throw new InvalidArgument(`destination "${root.rec.name}:${dst}" must be a directory`);
      prefix = rel;
    } else {
      const plan = planCopy(src, srcIsDir, `/${rel}${endsWithSlash(dst) ? '/' : ''}`, kind, dst);
      const dir = inRootPath(plan.dir);
      if (plan.needParent && kindInRoot(ctx.native, root.fd, dir) !== 'dir') throw missingDir(dir);
      contents = plan.name === null;
      prefix = plan.name === null ? dir : dir ? `${dir}/${plan.name}` : plan.name;
    }
    const devices = process.geteuid?.() === 0;
    const w = writer(ctx.native, root.path, !!opts.archive, devices);
    try {
      if (typeof src === 'string') await walkHost(hostSrc!, !!opts.follow || endsWithSlash(src), prefix, w, { contents });
      else await feedTar(src, new Rebase(w, prefix));
      w.finish();
    } catch (e) {
      w.abort();
      throw e;
    }
  });
}

/**
 * The container's own filesystem (its layer over the image's, no volumes) as a tar.
 * Running: walked through its root (/proc/<init>/root) without leaving the root
 * mount, so volumes, /proc and the /etc binds stay out; not by mounting its upper
 * layer a second time beside the live overlay (overlayfs leaves changes to a
 * mounted layer undefined). Stopped: its overlay mounted read-only.
 */
export async function exportContainer(ctx: Ctx, id: string, out: string | Writable): Promise<void> {
  await withContainerRoot(ctx, id, 'read', async (root) => {
    const stream = typeof out === 'string' ? fs.createWriteStream(out) : out;
    try {
      await tarTo(stream, async (w) => {
        await walkInRoot(ctx.native, root.fd, '', false, '', withDrain(w), { contents: true, oneMount: true });
      });
    } finally {
      if (stream !== out) await new Promise<void>((resolve) => stream.end(resolve));
    }
  });
}
