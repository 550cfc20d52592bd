// The local image store: the built-in `host` image plus layered images (loaded,
// imported, pulled). What `run` needs (finding an image, its layer directories and
// config) reads small JSON records; everything that hashes or unpacks is in
// service.ts, loaded on first use so that `run` never pays for node:crypto or tar.
import type { HealthConfig } from '../types.js';
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { ImageDetail, ImageInfo } from '../types.js';
import type { Native } from '../native/native.js';
import { NotFound } from '../errors.js';
import { HOST_IMAGE, hostRootfs, refuseBuiltin, refuseReservedName } from './host.js';
import { ensureStoreDir, layout, snapshotFs, type Layout } from './layout.js';
import { findImage, imageInfos, infoOf, listMetas, readRefs, type Found } from './catalog.js';
import { readInRoot } from './inroot.js';
import { resolveUser } from './user.js';
import { withStoreLock } from './storelock.js';
import type { ImageRootfs, ImageStore, LoadProgress } from './store.js';
import type { ImageService } from './service-api.js';
import type { ImageServiceImpl } from './service.js';

export { HOST_IMAGE };
// A constant id: the host image has no config blob to hash.
const HOST_ID = 'sha256:0ac5c0f5b1e6c9a4d7b1b6d7e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1';

export type StoreNative = Pick<Native, 'flock' | 'mount' | 'umount2' | 'constants' | 'removeTree'>;

export class LocalImageStore implements ImageStore {
  readonly layout: Layout;
  private svc: Promise<ImageServiceImpl> | undefined;

  constructor(
    readonly dir: string,
    private readonly native: StoreNative,
    /** The containers directory: gc keeps the snapshots their bundles link to. */
    private readonly containersDir: string,
  ) {
    this.layout = layout(dir);
    ensureStoreDir(dir);
  }

  async list(): Promise<ImageInfo[]> {
    return [hostInfo(), ...imageInfos(readRefs(this.layout), listMetas(this.layout))];
  }

  async inspect(ref: string): Promise<ImageInfo> {
    if (ref === HOST_IMAGE) return hostInfo();
    const f = this.mustFind(ref);
    return infoOf(f.meta, f.name, undefined);
  }

  async inspectDetail(ref: string): Promise<ImageDetail> {
    if (ref === HOST_IMAGE) return hostDetail();
    return (await this.impl()).detail(this.mustFind(ref));
  }

  async rootfs(ref: string, opts: { hide?: readonly string[] } = {}): Promise<ImageRootfs> {
    if (ref === HOST_IMAGE) {
      const r = hostRootfs(this.dir, '/', opts.hide);
      return { ...r, resolveUser: (u, g) => resolveUser(u, readInRoot('/', '/etc/passwd'), readInRoot('/', '/etc/group'), g) };
    }
    const found = findImage(this.layout, ref);
    if (!found) throw new NotFound(`Unable to find image '${ref}' locally`);
    const m = found.meta;
    const lowerdirs = m.layers.map((x) => snapshotFs(this.layout, x.chainId)).reverse();
    for (const d of lowerdirs)
      if (!fs.existsSync(d)) throw new NotFound(`image ${ref}: a layer snapshot is missing (${d}); load or pull the image again`);
    if (lowerdirs.length === 0) {
      fs.mkdirSync(this.layout.empty, { recursive: true, mode: 0o755 });
      lowerdirs.push(this.layout.empty);
    }
    const c = m.config ?? {};
    return {
      lowerdirs,
      layered: true,
      mounts: [],
      cmd: c.Cmd && c.Cmd.length > 0 ? c.Cmd : null,
      entrypoint: c.Entrypoint && c.Entrypoint.length > 0 ? c.Entrypoint : null,
      env: c.Env ?? [],
      workdir: c.WorkingDir || '/',
      user: c.User ?? '',
      exposedPorts: Object.keys(c.ExposedPorts ?? {}),
      id: m.configDigest,
      ...((c as { Healthcheck?: HealthConfig }).Healthcheck ? { healthcheck: (c as { Healthcheck?: HealthConfig }).Healthcheck } : {}),
      resolveUser: (u, g) => resolveUser(u, m.passwd, m.group, g),
    };
  }

  async importTar(tarPath: string, name: string): Promise<ImageInfo> {
    return (await this.impl()).importTar(tarPath, name);
  }

  async tag(source: string, target: string): Promise<void> {
    refuseBuiltin(source, 'tagged');
    refuseReservedName(target);
    return (await this.impl()).tag(this.mustFind(source), target);
  }

  async remove(ref: string, opts: { force?: boolean; usedBy?: (imageId: string) => string | undefined }): Promise<string[]> {
    refuseBuiltin(ref, 'removed');
    return (await this.impl()).remove(ref, opts);
  }

  async save(refs: string[], out: string | Writable): Promise<void> {
    const found = refs.map((r) => {
      refuseBuiltin(r, 'saved');
      return this.mustFind(r);
    });
    return (await this.impl()).save(found, out);
  }

  async load(input: string | Readable, opts: { onProgress?: (e: LoadProgress) => void } = {}): Promise<string[]> {
    return (await this.impl()).load(input, opts);
  }

  async prune(opts: { all?: boolean; usedBy?: (imageId: string) => string | undefined }): Promise<{ deleted: string[]; reclaimed: number }> {
    return (await this.impl()).prune(opts);
  }

  async gc(): Promise<string[]> {
    return (await this.impl()).gc();
  }

  service(): Promise<ImageService> {
    return this.impl();
  }

  async lease<T>(fn: () => Promise<T>): Promise<T> {
    return (await withStoreLock(this.native, this.layout.lock, 'sh', fn)) as T;
  }

  private impl(): Promise<ImageServiceImpl> {
    return (this.svc ??= import('./service.js').then((m) => new m.ImageServiceImpl(this.layout, this.native, this.containersDir)));
  }

  private mustFind(ref: string): Found {
    const f = findImage(this.layout, ref);
    if (!f) throw new NotFound(`No such image: ${ref}`);
    return f;
  }
}

function hostInfo(): ImageInfo {
  return { name: HOST_IMAGE, id: HOST_ID, created: new Date(0).toISOString(), size: 0, kind: 'builtin', repository: HOST_IMAGE, tag: '-', layers: 0, sharedSize: 0 };
}

function hostDetail(): ImageDetail {
  return {
    Id: HOST_ID,
    RepoTags: [HOST_IMAGE],
    RepoDigests: [],
    Created: new Date(0).toISOString(),
    Author: '',
    Architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    Os: 'linux',
    Size: 0,
    Config: { User: '', Env: [], Entrypoint: null, Cmd: ['/bin/sh'], WorkingDir: '/', Labels: null },
    RootFS: { Type: 'layers', Layers: [] },
    Metadata: { LastTagTime: new Date(0).toISOString() },
  };
}
