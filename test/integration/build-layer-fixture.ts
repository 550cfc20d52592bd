// A real overlayfs upper directory for the layer tests: a lower tree, an overlay
// mounted over it with an empty upper, a shell script run in the merged view (the
// kernel writes whiteouts, opaque directories, copy-ups), then unmounted. Also a
// dump of a tree (types, modes, owners, contents, link targets, devices, whole-
// second mtimes, xattrs but overlayfs' bookkeeping ones, hardlink groups) to
// compare two snapshots, and the entries of a layer tar read back with the
// project's tar reader.
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TarReader, type TarEntry } from '../../src/engine/images/extract/tar-reader.js';

export function sh(script: string, cwd: string): void {
  const r = spawnSync('sh', ['-ec', script], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${script}\n${r.stderr}`);
}

/** Sets xattr `name` (hex value) on p without following it (python3: Node has no xattr calls). */
export function setXattr(p: string, name: string, hex: string): void {
  const r = spawnSync('python3', ['-c', 'import os,sys\nos.setxattr(sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), follow_symlinks=False)', p, name, hex], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/**
 * Makes `dir`/lower (by `lowerScript`), mounts an overlay at `dir`/merged with
 * `dir`/upper, runs `change` in it and unmounts: `dir`/upper is then a real upper.
 */
export function makeUpper(dir: string, lowerScript: string, change: string): { lower: string; upper: string } {
  const lower = path.join(dir, 'lower');
  const upper = path.join(dir, 'upper');
  const work = path.join(dir, 'work');
  const merged = path.join(dir, 'merged');
  for (const d of [lower, upper, work, merged]) fs.mkdirSync(d, { recursive: true });
  sh(lowerScript, lower);
  const m = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged], { encoding: 'utf8' });
  assert.equal(m.status, 0, m.stderr);
  try {
    sh(change, merged);
  } finally {
    spawnSync('umount', [merged]);
  }
  fs.rmSync(work, { recursive: true, force: true });
  return { lower, upper };
}

const DUMP = String.raw`
import os, sys, json, hashlib, stat
root = sys.argv[1]
out = {}
groups = {}
for dp, dns, fns in os.walk(root):
    dns.sort()
    for n in sorted(dns + fns):
        p = os.path.join(dp, n)
        st = os.lstat(p)
        rel = os.path.relpath(p, root)
        e = {'mode': oct(st.st_mode), 'uid': st.st_uid, 'gid': st.st_gid, 'mtime': int(st.st_mtime)}
        if stat.S_ISREG(st.st_mode):
            e['sha'] = hashlib.sha256(open(p, 'rb').read()).hexdigest()
            if st.st_nlink > 1:
                e['link'] = groups.setdefault((st.st_dev, st.st_ino), rel)
        if stat.S_ISLNK(st.st_mode):
            e['target'] = os.readlink(p)
        if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
            out[rel] = {'whiteout': True}  # its mode, owner and time are nobody's business
            continue
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            e['rdev'] = [os.major(st.st_rdev), os.minor(st.st_rdev)]
        if stat.S_ISDIR(st.st_mode):
            del e['mtime']  # changed by whatever happens inside
            e['dirmtime'] = int(st.st_mtime)
        xs = {}
        for k in os.listxattr(p, follow_symlinks=False):
            if k.startswith('trusted.overlay.') and k != 'trusted.overlay.opaque':
                continue
            xs[k] = os.getxattr(p, k, follow_symlinks=False).hex()
        if xs:
            e['xattrs'] = xs
        out[rel] = e
print(json.dumps(out, sort_keys=True))
`;

export type TreeDump = Record<string, Record<string, unknown>>;

/** Every path under root (not root itself) with what a container would see of it. */
export function dumpTree(root: string): TreeDump {
  const r = spawnSync('python3', ['-c', DUMP, root], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as TreeDump;
}

/** The entries of a tar file, in order, with their data. */
export function readTar(file: string): Array<TarEntry & { data: Buffer }> {
  const out: Array<TarEntry & { data: Buffer }> = [];
  let parts: Buffer[] = [];
  const done = () => {
    if (out.length) out[out.length - 1].data = Buffer.concat(parts);
  };
  const reader = new TarReader({
    entry(e, buf, off, len) {
      done();
      out.push({ ...e, data: Buffer.alloc(0) });
      parts = [Buffer.from(buf.subarray(off, off + len))];
    },
    data(buf, off, len) {
      parts.push(Buffer.from(buf.subarray(off, off + len)));
    },
  });
  reader.push(fs.readFileSync(file));
  reader.end();
  done();
  return out;
}
