// The FakeEngine's container files: an in-memory tree per container, enough for
// cp (docker's destination rules, from src/engine/fs/plan.ts), export and diff
// (every path cp added is `A`). Host paths are real files.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgument, NotFound } from '../../src/engine/errors.js';
import { endsWithDot, endsWithSlash, inRootPath, planCopy, type DstKind } from '../../src/engine/fs/plan.js';
import { tarTo } from '../../src/engine/fs/cp.js';
import { TarReader } from '../../src/engine/images/extract/tar-reader.js';
import type { CopyOptions, FileChange } from '../../src/engine/types.js';

type Node = { dir: true; mode: number } | { dir: false; mode: number; data: Buffer };

export class FakeFiles {
  private readonly trees = new Map<string, Map<string, Node>>();
  private readonly added = new Map<string, Set<string>>();

  tree(id: string): Map<string, Node> {
    let t = this.trees.get(id);
    if (!t) {
      t = new Map<string, Node>([['', { dir: true, mode: 0o755 }], ['etc', { dir: true, mode: 0o755 }], ['tmp', { dir: true, mode: 0o1777 }], ['etc/hostname', { dir: false, mode: 0o644, data: Buffer.from('fake\n') }]]);
      this.trees.set(id, t);
      this.added.set(id, new Set());
    }
    return t;
  }

  private kind(t: Map<string, Node>, rel: string): DstKind {
    const n = t.get(rel);
    return n ? (n.dir ? 'dir' : 'other') : null;
  }

  private put(id: string, rel: string, n: Node): void {
    this.tree(id).set(rel, n);
    this.added.get(id)!.add(rel);
  }

  async copyTo(id: string, name: string, dst: string, src: string | Readable, _opts: CopyOptions = {}): Promise<void> {
    const t = this.tree(id);
    const rel = inRootPath(dst);
    if (typeof src !== 'string') {
      if (this.kind(t, rel) !== 'dir') throw new InvalidArgument(`destination "${name}:${dst}" must be a directory`);
      let cur = '';
      const reader = new TarReader({
        entry: (e, buf, off, len) => {
          const p = [rel, e.name.replace(/^\.?\/+|\/+$/g, '')].filter(Boolean).join('/');
          cur = p;
          this.put(id, p, e.type === '5' ? { dir: true, mode: e.mode } : { dir: false, mode: e.mode, data: Buffer.from(buf.subarray(off, off + len)) });
        },
        data: (buf, off, len) => {
          const n = t.get(cur);
          if (n && !n.dir) n.data = Buffer.concat([n.data, buf.subarray(off, off + len)]);
        },
      });
      for await (const c of src) reader.push(c as Buffer);
      reader.end();
      return;
    }
    const st = fs.statSync(src);
    const plan = planCopy(src, st.isDirectory(), `/${rel}${endsWithSlash(dst) ? '/' : ''}`, this.kind(t, rel), dst);
    const dir = inRootPath(plan.dir);
    if (plan.needParent && this.kind(t, dir) !== 'dir') throw new NotFound(`Could not find the file /${dir} in container ${name}`);
    const copy = (host: string, to: string, top: boolean) => {
      const s = fs.statSync(host);
      if (s.isDirectory()) {
        if (!top || plan.name !== null) this.put(id, to, { dir: true, mode: s.mode & 0o7777 });
        for (const n of fs.readdirSync(host).sort()) copy(path.join(host, n), to ? `${to}/${n}` : n, false);
      } else this.put(id, to, { dir: false, mode: s.mode & 0o7777, data: fs.readFileSync(host) });
    };
    copy(src, plan.name === null ? dir : [dir, plan.name].filter(Boolean).join('/'), true);
  }

  async copyFrom(id: string, name: string, src: string, dst: string | Writable, _opts: CopyOptions = {}): Promise<void> {
    const t = this.tree(id);
    const rel = inRootPath(src);
    const top = t.get(rel);
    if (!top) throw new NotFound(`Could not find the file ${src} in container ${name}`);
    const under = [...t.keys()].filter((k) => k === rel || rel === '' || k.startsWith(`${rel}/`)).sort();
    const contents = top.dir && (endsWithDot(src) || rel === '');
    const base = path.posix.basename(`/${rel}`);
    const renamed = (k: string, to: string) => {
      const tail = rel === '' ? k : k.slice(rel.length).replace(/^\//, '');
      return contents ? tail : [to, tail].filter(Boolean).join('/');
    };
    if (typeof dst !== 'string') {
      await tarTo(dst, async (w) => {
        for (const k of under) {
          const n = t.get(k)!;
          const nm = renamed(k, base);
          if (!nm) continue;
          const e = { type: n.dir ? '5' : '0', name: nm, linkname: '', mode: n.mode, uid: 0, gid: 0, size: n.dir ? 0 : n.data.length, mtimeSec: 0, mtimeNsec: 0, devMajor: 0, devMinor: 0, xattrs: null };
          w.entry(e, n.dir ? Buffer.alloc(0) : n.data, 0, n.dir ? 0 : n.data.length);
        }
      });
      return;
    }
    const abs = path.resolve(dst);
    const kind: DstKind = fs.existsSync(abs) ? (fs.statSync(abs).isDirectory() ? 'dir' : 'other') : null;
    const plan = planCopy(src, top.dir, abs + (endsWithSlash(dst) ? '/' : ''), kind, dst);
    if (plan.needParent && !fs.existsSync(plan.dir)) throw new InvalidArgument(`no such directory: ${path.dirname(abs)}`);
    for (const k of under) {
      const n = t.get(k)!;
      const nm = renamed(k, plan.name ?? '');
      const to = nm ? path.join(plan.dir, nm) : plan.dir;
      if (n.dir) fs.mkdirSync(to, { recursive: true, mode: n.mode });
      else fs.writeFileSync(to, n.data, { mode: n.mode });
    }
  }

  async exportTo(id: string, out: string | Writable): Promise<void> {
    if (typeof out === 'string') {
      const s = fs.createWriteStream(out);
      await this.copyFrom(id, id, '/', s);
      await new Promise<void>((r) => s.end(r));
    } else await this.copyFrom(id, id, '/', out);
  }

  diff(id: string): FileChange[] {
    this.tree(id);
    return [...this.added.get(id)!].sort().map((p) => ({ kind: 'A' as const, path: `/${p}` }));
  }
}
