// Local image store: the built-in `host` image plus plain rootfs tarballs imported
// with `hutch import`. Each imported image is a directory `images/<key>/` holding
// `image.json` and the unpacked `rootfs/`, made in a temporary directory and renamed
// into place, so an interrupted import leaves only a `.tmp-*` directory for gc.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { ImageInfo } from '../types.js';
import { InvalidArgument, NotFound, SystemError, Conflict } from '../errors.js';
import { writeJsonAtomic, readJson } from '../state/atomic.js';
import { hostRootfs } from './host.js';
import { pidAlive } from '../proc.js';
import { IMAGE_NAME_RE, type ImageRootfs, type ImageStore } from './store.js';

interface ImageRecord extends ImageInfo {
  cmd: string[] | null;
  env: string[];
}

export const HOST_IMAGE = 'host';

function key(name: string): string {
  return name.replace(/[/:]/g, '_');
}

export class LocalImageStore implements ImageStore {
  private hostCreated = new Date(0).toISOString();
  constructor(private readonly dir: string) {}

  async list(): Promise<ImageInfo[]> {
    const out: ImageInfo[] = [this.hostInfo()];
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      /* empty store */
    }
    for (const n of names.sort()) {
      if (n.startsWith('.') || n === HOST_IMAGE) continue;
      const rec = readJson<ImageRecord>(path.join(this.dir, n, 'image.json'));
      if (rec) out.push(publicInfo(rec));
    }
    return out;
  }

  async inspect(name: string): Promise<ImageInfo> {
    if (name === HOST_IMAGE) return this.hostInfo();
    return publicInfo(this.record(name));
  }

  async rootfs(name: string): Promise<ImageRootfs> {
    if (name === HOST_IMAGE) return hostRootfs(this.dir);
    const rec = this.record(name);
    return { lowerdirs: [path.join(this.dir, key(rec.name), 'rootfs')], mounts: [], cmd: rec.cmd, env: rec.env, workdir: '/' };
  }

  async importTar(tarPath: string, name: string): Promise<ImageInfo> {
    if (!IMAGE_NAME_RE.test(name) || name === HOST_IMAGE) throw new InvalidArgument(`invalid image name "${name}"`);
    let st: fs.Stats;
    try {
      st = fs.statSync(tarPath);
    } catch {
      throw new InvalidArgument(`import: cannot open "${tarPath}": no such file`);
    }
    if (!st.isFile()) throw new InvalidArgument(`import: "${tarPath}" is not a file`);
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    const rootfs = path.join(tmp, 'rootfs');
    fs.mkdirSync(rootfs, { recursive: true, mode: 0o755 });
    try {
      // Interim extractor: GNU tar refuses members with `..` and strips leading `/`.
      // The image issue replaces this with fd-relative extraction in the addon.
      await run('tar', ['--numeric-owner', '--same-permissions', '--no-same-owner', '-xf', path.resolve(tarPath), '-C', rootfs]);
      const digest = await sha256File(tarPath);
      const rec: ImageRecord = {
        name,
        id: digest,
        created: new Date().toISOString(),
        size: duSize(rootfs),
        kind: 'rootfs',
        cmd: null,
        env: [],
      };
      writeJsonAtomic(path.join(tmp, 'image.json'), rec);
      const final = path.join(this.dir, key(name));
      if (fs.existsSync(final)) {
        // Replacing an image in use would change running containers' lower layers.
        const old = path.join(this.dir, `.old-${process.pid}-${randomBytes(4).toString('hex')}`);
        fs.renameSync(final, old);
        fs.renameSync(tmp, final);
        fs.rmSync(old, { recursive: true, force: true });
      } else fs.renameSync(tmp, final);
      return publicInfo(rec);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  async remove(name: string): Promise<void> {
    if (name === HOST_IMAGE) throw new Conflict('the built-in host image cannot be removed');
    this.record(name);
    fs.rmSync(path.join(this.dir, key(name)), { recursive: true, force: true });
  }

  async gc(): Promise<string[]> {
    const removed: string[] = [];
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return removed;
    }
    for (const n of names) {
      const m = /^\.(?:tmp|old)-(\d+)-/.exec(n);
      if (!m || pidAlive(Number(m[1]))) continue;
      fs.rmSync(path.join(this.dir, n), { recursive: true, force: true });
      removed.push(`image scratch ${n}`);
    }
    return removed;
  }

  private record(name: string): ImageRecord {
    const rec = IMAGE_NAME_RE.test(name) ? readJson<ImageRecord>(path.join(this.dir, key(name), 'image.json')) : null;
    if (!rec) throw new NotFound(`Unable to find image '${name}' locally`);
    return rec;
  }

  private hostInfo(): ImageInfo {
    return { name: HOST_IMAGE, id: createHash('sha256').update('hutch-host-image').digest('hex'), created: this.hostCreated, size: 0, kind: 'builtin' };
  }
}

function publicInfo(r: ImageRecord): ImageInfo {
  return { name: r.name, id: r.id, created: r.created, size: r.size, kind: r.kind };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) => reject(new SystemError(`import: ${cmd}: ${e.message}`)));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new InvalidArgument(`import: not a readable tar archive: ${err.trim().split('\n')[0] ?? ''}`))));
  });
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function duSize(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += fs.lstatSync(p).size;
    }
  };
  walk(dir);
  return total;
}
