// The heavy half of the image store: registration (unpack layers, record config and
// name), import, tag, rmi, prune and gc. Loaded on first use by LocalImageStore.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { ImageDetail, ImageInfo } from '../types.js';
import { Conflict, InvalidArgument, NotFound } from '../errors.js';
import { pidAlive } from '../proc.js';
import { FsBlobStore } from './content/blobs.js';
import { chainIds, sha256 } from './oci/hash.js';
import { hostPlatform, manifestKind, parseConfig, parseIndex, parseJson, parseManifest, selectPlatform, type ImageConfig, type ImageManifest } from './oci/manifest.js';
import { OCI_CONFIG, OCI_MANIFEST, ociLayerType, sniffCompression } from './oci/media.js';
import { familiarName, familiarRepo, parseReference, splitName } from './oci/reference.js';
import { findImage, infoOf, listMetas, readMeta, readRefs, refKey, removeMeta, updateRefs, writeMeta, type Found, type ImageMeta } from './catalog.js';
import { ensureStoreDir, snapshotFs, type Layout } from './layout.js';
import { hasSnapshot, listSnapshots, removeSnapshot, snapshotInfo, unpackBase, unpackLayer } from './snapshots.js';
import { readInRoot } from './inroot.js';
import { BUSY, withStoreLock } from './storelock.js';
import type { ImageService } from './service-api.js';
import type { LoadProgress } from './store.js';
import { scratchName } from '../ids.js';
import type { StoreNative } from './local.js';
import { refuseReservedName } from './host.js';

/** What an operation added, so a failed one can take it back. */
export interface Added {
  blobs: Set<string>;
  snapshots: Set<string>;
}

const UNPACK_PARALLEL = 3;
/** Resumable downloads untouched this long are abandoned. */
const PARTIAL_MAX_AGE_MS = 24 * 3600 * 1000;

export class ImageServiceImpl implements ImageService {
  readonly blobs: FsBlobStore;

  constructor(
    readonly l: Layout,
    readonly native: StoreNative,
    private readonly containersDir: string,
  ) {
    this.blobs = new FsBlobStore(l.dir);
  }

  async lease<T>(fn: () => Promise<T>): Promise<T> {
    ensureStoreDir(this.l.dir);
    return (await withStoreLock(this.native, this.l.lock, 'sh', fn)) as T;
  }

  async register(ref: string | null, manifestDigest: string, opts: { onProgress?: (e: LoadProgress) => void } = {}): Promise<ImageInfo> {
    return this.lease(() => this.registerLeased(ref, manifestDigest, { ...opts, kind: 'oci' }));
  }

  /** register, for callers that hold the lease already; records new snapshots in `added`. */
  async registerLeased(
    ref: string | null,
    digest: string,
    opts: { onProgress?: (e: LoadProgress) => void; kind: 'oci' | 'rootfs'; added?: Added },
  ): Promise<ImageInfo> {
    const key = ref === null ? null : refKey(parseReference(ref));
    let doc = parseJson(this.blobs.readBytes(digest), 'image manifest');
    for (let depth = 0; manifestKind(doc) === 'index'; depth++) {
      if (depth > 2) throw new InvalidArgument('invalid image index: nested too deep');
      digest = selectPlatform(parseIndex(doc)).digest;
      doc = parseJson(this.readBlob(digest, 'manifest'), 'image manifest');
    }
    const manifest = parseManifest(doc);
    const config = parseConfig(this.readBlob(manifest.config.digest, 'config', manifest.config.size));
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length)
      throw new InvalidArgument(`invalid image: the manifest has ${manifest.layers.length} layers, the config ${diffIds.length} diff ids`);
    if (config.os !== 'linux') throw new InvalidArgument(`image operating system "${config.os}" cannot be used on this platform`);
    const chains = chainIds(diffIds);
    // Check every blob before unpacking any: a missing one fails fast, leaving nothing.
    manifest.layers.forEach((layer, i) => {
      if (hasSnapshot(this.l, chains[i])) return;
      let size: number;
      try {
        size = this.blobs.size(layer.digest);
      } catch {
        throw new InvalidArgument(`layer ${layer.digest} is missing from the content store`);
      }
      if (size !== layer.size) throw new InvalidArgument(`layer ${layer.digest}: size mismatch: the manifest says ${layer.size} bytes, the blob has ${size}`);
    });
    const unpacked = new Array<number>(manifest.layers.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < manifest.layers.length; i = next++) {
        const layer = manifest.layers[i];
        const r = await unpackLayer(this.l, this.native, {
          chainId: chains[i],
          diffId: diffIds[i],
          digest: layer.digest,
          blobPath: this.blobs.path(layer.digest),
          onProgress: opts.onProgress ? (bytes) => opts.onProgress!({ layer: layer.digest, bytes, total: layer.size }) : undefined,
        });
        if (r.created) opts.added?.snapshots.add(chains[i]);
        unpacked[i] = r.info.size;
        opts.onProgress?.({ layer: layer.digest, bytes: layer.size, total: layer.size });
      }
    };
    await Promise.all(Array.from({ length: Math.min(UNPACK_PARALLEL, manifest.layers.length) }, worker));
    const now = new Date().toISOString();
    // Same manifest registered before: its layers, and so its /etc files, are the same.
    const prev = readMeta(this.l, digest);
    const etc = prev && prev.layers.length === chains.length ? { passwd: prev.passwd, group: prev.group } : this.readEtc(chains);
    const meta: ImageMeta = {
      manifestDigest: digest,
      mediaType: manifest.mediaType,
      configDigest: manifest.config.digest,
      created: typeof config.created === 'string' ? config.created : '',
      loaded: now,
      os: config.os,
      architecture: config.architecture,
      config: config.config ?? {},
      layers: manifest.layers.map((x, i) => ({ digest: x.digest, mediaType: x.mediaType, size: x.size, diffId: diffIds[i], chainId: chains[i], unpacked: unpacked[i] })),
      size: unpacked.reduce((a, b) => a + b, 0),
      kind: opts.kind,
      passwd: etc.passwd,
      group: etc.group,
    };
    if (typeof config.variant === 'string') meta.variant = config.variant;
    if (typeof config.author === 'string') meta.author = config.author;
    writeMeta(this.l, meta);
    if (key) await updateRefs(this.native, this.l, (refs) => void (refs[key] = digest));
    return infoOf(meta, key);
  }

  async resolve(ref: string): Promise<{ manifestDigest: string; manifest: ImageManifest; mediaType: string; config: ImageConfig }> {
    const f = findImage(this.l, ref);
    if (!f) throw new NotFound(`No such image: ${ref}`);
    const manifest = parseManifest(this.blobs.readBytes(f.meta.manifestDigest));
    const config = parseConfig(this.readBlob(manifest.config.digest, 'config', manifest.config.size));
    return { manifestDigest: f.meta.manifestDigest, manifest, mediaType: manifest.mediaType, config };
  }

  detail(f: Found): ImageDetail {
    const m = f.meta;
    const names = Object.entries(readRefs(this.l)).filter(([, d]) => d === m.manifestDigest).map(([k]) => k);
    const tags = names.filter((n) => !n.includes('@')).map((n) => familiarName(n));
    const repos = [...new Set(names.map((n) => (n.includes('@') ? n.slice(0, n.indexOf('@')) : splitName(n).repo)))];
    const c = m.config;
    const d: ImageDetail = {
      Id: m.configDigest,
      RepoTags: tags,
      RepoDigests: repos.map((r) => `${familiarRepo(r)}@${m.manifestDigest}`),
      Created: m.created,
      Author: m.author ?? '',
      Architecture: m.architecture,
      Os: m.os,
      Size: m.size,
      Config: {
        User: c.User ?? '',
        Env: c.Env ?? [],
        Entrypoint: c.Entrypoint ?? null,
        Cmd: c.Cmd ?? null,
        WorkingDir: c.WorkingDir ?? '',
        Labels: c.Labels ?? null,
      },
      RootFS: { Type: 'layers', Layers: m.layers.map((x) => x.diffId) },
      Metadata: { LastTagTime: m.loaded },
      Manifest: { MediaType: m.mediaType, Digest: m.manifestDigest, Layers: m.layers.map((x) => ({ Digest: x.digest, MediaType: x.mediaType, Size: x.size, ChainID: x.chainId })) },
    };
    if (m.variant) d.Variant = m.variant;
    if (c.ExposedPorts) d.Config.ExposedPorts = c.ExposedPorts;
    if (c.StopSignal) d.Config.StopSignal = c.StopSignal;
    if (c.Volumes) d.Config.Volumes = c.Volumes;
    return d;
  }

  async tag(f: Found, target: string): Promise<void> {
    const r = parseReference(target);
    if (r.digest) throw new InvalidArgument(`refusing to create a tag with a digest reference: ${target}`);
    const key = refKey(r);
    await updateRefs(this.native, this.l, (refs) => void (refs[key] = f.meta.manifestDigest));
  }

  /** `import`: a plain rootfs tarball (optionally compressed) becomes a one-layer image. */
  async importTar(tarPath: string, name: string): Promise<ImageInfo> {
    refuseReservedName(name);
    parseReference(name);
    let st: fs.Stats;
    try {
      st = fs.statSync(tarPath);
    } catch {
      throw new InvalidArgument(`import: cannot open "${tarPath}": no such file`);
    }
    if (!st.isFile()) throw new InvalidArgument(`import: "${tarPath}" is not a file`);
    return this.adding(async (added) => {
      const blob = await this.blobs.ingest(fs.createReadStream(tarPath));
      if (blob.fresh) added.blobs.add(blob.digest);
      const head = Buffer.alloc(4);
      const fd = fs.openSync(this.blobs.path(blob.digest), 'r');
      try {
        fs.readSync(fd, head, 0, 4, 0);
      } finally {
        fs.closeSync(fd);
      }
      let snap;
      try {
        snap = await unpackBase(this.l, this.native, this.blobs.path(blob.digest), blob.digest);
      } catch (e) {
        throw new InvalidArgument(`import: ${path.basename(tarPath)} is not a readable tar archive: ${(e as Error).message}`);
      }
      if (snap.created) added.snapshots.add(snap.info.chainId);
      const now = new Date().toISOString();
      const plat = hostPlatform();
      const config: ImageConfig = {
        created: now,
        architecture: plat.architecture,
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: [snap.info.diffId] },
        history: [{ created: now, created_by: 'hutch import', comment: `imported from ${path.basename(tarPath)}` }],
      };
      if (plat.variant) config.variant = plat.variant;
      const configBytes = Buffer.from(JSON.stringify(config));
      const configDigest = await this.put(configBytes, added);
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
        layers: [{ mediaType: ociLayerType(sniffCompression(head)), digest: blob.digest, size: blob.size }],
      };
      const manifestDigest = await this.put(Buffer.from(JSON.stringify(manifest)), added);
      return this.registerLeased(name, manifestDigest, { kind: 'rootfs', added });
    });
  }

  /** Stores bytes as a blob, remembering it in `added` when it is new. */
  async put(data: Buffer, added: Added): Promise<string> {
    const d = sha256(data);
    const fresh = !this.blobs.has(d);
    await this.blobs.putBytes(data, d);
    if (fresh) added.blobs.add(d);
    return d;
  }

  /**
   * Runs an operation that adds content under the shared lock. Afterwards, whatever it
   * added that no image uses is deleted again: all of it when it failed (bad input
   * leaves nothing behind), blobs of other platforms or stray files when it succeeded.
   */
  async adding<T>(fn: (added: Added) => Promise<T>): Promise<T> {
    const added: Added = { blobs: new Set(), snapshots: new Set() };
    try {
      return await this.lease(() => fn(added));
    } finally {
      if (added.blobs.size || added.snapshots.size)
        await withStoreLock(this.native, this.l.lock, 'ex', async () => {
          const used = this.referenced();
          for (const b of added.blobs) if (!used.blobs.has(b)) this.blobs.remove(b);
          for (const s of added.snapshots) if (!used.snapshots.has(s)) removeSnapshot(this.l, this.native, s);
        }, { tryOnly: true }); // another add is running: gc takes what is left later
    }
  }

  async remove(ref: string, opts: { force?: boolean; usedBy?: (imageId: string) => string | undefined }): Promise<string[]> {
    const f = findImage(this.l, ref);
    if (!f) throw new NotFound(`No such image: ${ref}`);
    const id = f.meta.configDigest;
    const short = id.slice(7, 19);
    const names = Object.entries(readRefs(this.l)).filter(([, d]) => d === f.meta.manifestDigest).map(([k]) => k);
    const user = opts.usedBy?.(id);
    const lines: string[] = [];
    let untag: string[];
    if (f.name) {
      if (names.length > 1) {
        await updateRefs(this.native, this.l, (refs) => void delete refs[f.name!]);
        return [`Untagged: ${familiarName(f.name)}`];
      }
      if (user && !opts.force)
        throw new Conflict(`conflict: unable to remove repository reference "${ref}" (must force) - container ${user} is using its referenced image ${short}`);
      untag = [f.name];
    } else {
      if (names.length > 1 && !opts.force)
        throw new Conflict(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
      if (user && !opts.force) throw new Conflict(`conflict: unable to delete ${short} (must be forced) - image is being used by container ${user}`);
      untag = names;
    }
    await updateRefs(this.native, this.l, (refs) => {
      for (const n of untag) delete refs[n];
    });
    for (const n of untag) lines.push(`Untagged: ${familiarName(n)}`);
    // Another name may have been given to it meanwhile: then it stays.
    if (Object.values(readRefs(this.l)).includes(f.meta.manifestDigest)) return lines;
    await this.deleteImages([f.meta]);
    lines.push(`Deleted: ${id}`);
    return lines;
  }

  /** Deletes image records, then the blobs and snapshots nothing else uses; returns bytes freed. */
  private async deleteImages(metas: ImageMeta[]): Promise<number> {
    return (await withStoreLock(this.native, this.l.lock, 'ex', async () => {
      for (const m of metas) removeMeta(this.l, m.manifestDigest);
      const used = this.referenced();
      let freed = 0;
      for (const m of metas) {
        for (const b of [m.manifestDigest, m.configDigest, ...m.layers.map((x) => x.digest)]) {
          if (used.blobs.has(b) || !this.blobs.has(b)) continue;
          freed += this.blobs.size(b);
          this.blobs.remove(b);
        }
        for (const x of m.layers) {
          if (used.snapshots.has(x.chainId) || !hasSnapshot(this.l, x.chainId)) continue;
          freed += snapshotInfo(this.l, x.chainId)?.size ?? 0;
          removeSnapshot(this.l, this.native, x.chainId);
        }
      }
      return freed;
    })) as number;
  }

  async prune(opts: { all?: boolean; usedBy?: (imageId: string) => string | undefined }): Promise<{ deleted: string[]; reclaimed: number }> {
    const refs = readRefs(this.l);
    const named = new Map<string, string[]>();
    for (const [k, d] of Object.entries(refs)) named.set(d, [...(named.get(d) ?? []), k]);
    const doomed = listMetas(this.l).filter((m) => !opts.usedBy?.(m.configDigest) && (opts.all || !named.has(m.manifestDigest)));
    const deleted: string[] = [];
    const untag = doomed.flatMap((m) => named.get(m.manifestDigest) ?? []);
    if (untag.length)
      await updateRefs(this.native, this.l, (r) => {
        for (const n of untag) delete r[n];
      });
    for (const n of untag) deleted.push(`untagged: ${familiarName(n)}`);
    let reclaimed = await this.deleteImages(doomed);
    for (const m of doomed) deleted.push(`deleted: ${m.configDigest}`);
    const swept = await this.sweep();
    if (swept !== BUSY) reclaimed += swept.freed;
    return { deleted, reclaimed };
  }

  async gc(): Promise<string[]> {
    const r = await this.sweep();
    return r === BUSY ? ['images: skipped, a load, import or pull is in progress'] : r.lines;
  }

  /** Leftovers of dead processes, then every blob and snapshot that nothing references. */
  private async sweep(): Promise<{ lines: string[]; freed: number } | typeof BUSY> {
    if (!fs.existsSync(this.l.dir)) return { lines: [], freed: 0 };
    return withStoreLock(this.native, this.l.lock, 'ex', async () => {
      const lines: string[] = [];
      let freed = 0;
      const scratch = (dir: string, re: RegExp, dirOnly = false) => {
        let names: string[] = [];
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
            else this.native.removeTree(path.join(dir, n));
            lines.push(`image scratch ${n}`);
          } catch {
            /* still mounted or raced: next gc */
          }
        }
      };
      scratch(this.l.ingest, /^\.tmp-(\d+)-/);
      scratch(this.l.snapshots, /^\.(?:tmp|rm)-(\d+)-/);
      scratch(this.l.dir, /^\.mnt-(\d+)-/, true);
      scratch(this.l.dir, /^\.(?:tmp|old)-(\d+)-/); // the former one-directory imports
      try {
        for (const n of fs.readdirSync(this.l.ingest)) {
          const p = path.join(this.l.ingest, n);
          if (n.endsWith('.partial') && Date.now() - fs.statSync(p).mtimeMs > PARTIAL_MAX_AGE_MS) {
            fs.rmSync(p, { force: true });
            lines.push(`abandoned download ${n}`);
          }
        }
      } catch {
        /* no ingest dir */
      }
      const used = this.referenced();
      for (const b of this.blobs.list()) {
        if (used.blobs.has(b)) continue;
        freed += this.blobs.size(b);
        this.blobs.remove(b);
        lines.push(`unreferenced blob ${b.slice(0, 19)}`);
      }
      for (const s of listSnapshots(this.l)) {
        if (used.snapshots.has(s)) continue;
        freed += snapshotInfo(this.l, s)?.size ?? 0;
        removeSnapshot(this.l, this.native, s);
        lines.push(`unreferenced snapshot ${s.slice(7, 19)}`);
      }
      return { lines, freed };
    }, { tryOnly: true });
  }

  /** Blobs reachable from image records and names; snapshots used by images or containers. */
  referenced(): { blobs: Set<string>; snapshots: Set<string> } {
    const blobs = new Set<string>(Object.values(readRefs(this.l)));
    const snapshots = new Set<string>();
    for (const m of listMetas(this.l)) {
      blobs.add(m.manifestDigest);
      blobs.add(m.configDigest);
      for (const x of m.layers) {
        blobs.add(x.digest);
        snapshots.add(x.chainId);
      }
    }
    for (const s of containerSnapshots(this.containersDir, this.l.snapshots)) snapshots.add(s);
    return { blobs, snapshots };
  }

  private readBlob(digest: string, what: string, size?: number): Buffer {
    if (!this.blobs.has(digest)) throw new InvalidArgument(`image ${what} ${digest} is missing from the content store`);
    const b = this.blobs.readBytes(digest);
    if (size !== undefined && b.length !== size) throw new InvalidArgument(`image ${what} ${digest}: size mismatch: expected ${size} bytes, got ${b.length}`);
    return b;
  }

  /**
   * The image's /etc/passwd and /etc/group as a container will see them: through a
   * read-only overlay of the layers (the kernel applies whiteouts and opaque dirs),
   * read with every link resolved inside it. Mounted by /proc/self/fd paths so the
   * option stays short; unmounted before returning.
   */
  private readEtc(chains: string[]): { passwd: string | null; group: string | null } {
    const dirs = chains.map((c) => snapshotFs(this.l, c)).reverse();
    if (dirs.length === 0) return { passwd: null, group: null };
    if (dirs.length === 1) return { passwd: readInRoot(dirs[0], '/etc/passwd'), group: readInRoot(dirs[0], '/etc/group') };
    const fds: number[] = [];
    const mnt = path.join(this.l.dir, scratchName('mnt'));
    let mounted = false;
    try {
      for (const d of dirs) fds.push(fs.openSync(d, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY));
      const opt = `lowerdir=${fds.map((fd) => `/proc/self/fd/${fd}`).join(':')}`;
      if (opt.length > 4000) return { passwd: null, group: null };
      fs.mkdirSync(mnt, { mode: 0o700 });
      const k = this.native.constants;
      this.native.mount('overlay', mnt, 'overlay', k.MS_RDONLY | k.MS_NOSUID | k.MS_NODEV | k.MS_NOEXEC, opt);
      mounted = true;
      return { passwd: readInRoot(mnt, '/etc/passwd'), group: readInRoot(mnt, '/etc/group') };
    } catch {
      return { passwd: null, group: null };
    } finally {
      if (mounted) this.native.umount2(mnt, this.native.constants.MNT_DETACH);
      for (const fd of fds) fs.closeSync(fd);
      try {
        fs.rmdirSync(mnt);
      } catch {
        /* never made */
      }
    }
  }

  async save(found: Found[], out: string | Writable): Promise<void> {
    const { saveArchive } = await import('./archive/save.js');
    return this.lease(() => saveArchive(this, found, out));
  }

  async load(input: string | Readable, opts: { onProgress?: (e: LoadProgress) => void }): Promise<string[]> {
    const { loadArchive } = await import('./archive/load.js');
    return loadArchive(this, input, opts);
  }
}

/** Snapshots that container bundles link to (`<bundle>/layers/N -> …/snapshots/<hex>/fs`). */
export function containerSnapshots(containersDir: string, snapshotsDir: string): Set<string> {
  const out = new Set<string>();
  let bundles: string[] = [];
  try {
    bundles = fs.readdirSync(containersDir);
  } catch {
    return out;
  }
  for (const b of bundles) {
    let links: string[] = [];
    try {
      links = fs.readdirSync(path.join(containersDir, b, 'layers'));
    } catch {
      continue;
    }
    for (const n of links) {
      try {
        const t = fs.readlinkSync(path.join(containersDir, b, 'layers', n));
        const m = /\/([0-9a-f]{64})\/fs$/.exec(t);
        if (m && t.startsWith(snapshotsDir + '/')) out.add(`sha256:${m[1]}`);
      } catch {
        /* raced with rm */
      }
    }
  }
  return out;
}
