// The built-in `host` image: needs no download and works on any Linux host. The
// container's root is an overlay of a small skeleton (top-level directories and the
// host's merged-/usr symlinks like bin -> usr/bin) with a private writable upper, and
// the host's /usr, /etc and /lib* directories are bind-mounted read-only on top, with
// the host's secrets in them masked (host-secrets.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { ImageRootfs } from './store.js';
import type { OciMount } from '../spec/defaults.js';
import { InvalidArgument } from '../errors.js';
import { hostSecretPaths } from './host-secrets.js';

export const HOST_IMAGE = 'host';

/** The built-in image is the host itself, with no manifest, layers or registry
 * name: the image verbs that need those refuse it in one line. */
export function refuseBuiltin(ref: string, what: 'tagged' | 'removed' | 'saved' | 'pushed' | 'pulled'): void {
  if (ref === HOST_IMAGE) throw new InvalidArgument(`${HOST_IMAGE} is the built-in image: it cannot be ${what}`);
}

/** No other image may be named `host` (it would be hidden behind the built-in one). */
export function refuseReservedName(name: string): void {
  if (name === HOST_IMAGE) throw new InvalidArgument(`invalid image name "${HOST_IMAGE}": reserved for the built-in image`);
}

const HOST_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc'];
const EMPTY_DIRS = ['proc', 'sys', 'dev', 'tmp', 'root', 'home', 'var', 'run', 'mnt', 'opt', 'srv'];

/** Builds (once, atomically) the skeleton directory and returns the image's rootfs.
 * `own`: hutch's own files on the host (state, credentials), masked when exposed. */
export function hostRootfs(imagesDir: string, hostRoot = '/', own: readonly string[] = []): Omit<ImageRootfs, 'resolveUser'> {
  const skel = path.join(imagesDir, 'host', 'skel');
  const mounts: OciMount[] = [];
  const plan: Array<{ name: string; link?: string }> = [];
  for (const name of HOST_DIRS) {
    const src = path.join(hostRoot, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(src);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) plan.push({ name, link: fs.readlinkSync(src) });
    else if (st.isDirectory()) {
      plan.push({ name });
      mounts.push({ destination: `/${name}`, type: 'bind', source: src, options: ['rbind', 'ro'] });
    }
  }
  const stamp = JSON.stringify(plan);
  const stampFile = `${skel}.stamp`;
  let current: string | null = null;
  try {
    current = fs.readFileSync(stampFile, 'utf8');
  } catch {
    /* not built yet */
  }
  if (current !== stamp) buildSkel(skel, plan, stamp);
  return {
    lowerdirs: [skel],
    mounts,
    maskedPaths: hostSecretPaths(hostRoot, mounts.map((m) => m.destination), own),
    cmd: ['/bin/sh'],
    env: [],
    workdir: '/',
  };
}

function buildSkel(skel: string, plan: Array<{ name: string; link?: string }>, stamp: string): void {
  // Build beside and rename, so concurrent hutch processes never see half a skeleton.
  const tmp = `${skel}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true, mode: 0o755 });
  for (const d of EMPTY_DIRS) fs.mkdirSync(path.join(tmp, d), { mode: d === 'tmp' ? 0o1777 : 0o755 });
  fs.chmodSync(path.join(tmp, 'tmp'), 0o1777);
  for (const e of plan) {
    if (e.link) fs.symlinkSync(e.link, path.join(tmp, e.name));
    else fs.mkdirSync(path.join(tmp, e.name), { mode: 0o755 });
  }
  // The skeleton is a lowerdir, mounted by root: no one else needs to reach it.
  fs.mkdirSync(path.dirname(skel), { recursive: true, mode: 0o700 });
  const old = `${skel}.${process.pid}.old`;
  try {
    fs.renameSync(skel, old);
  } catch {
    /* no previous skeleton */
  }
  fs.renameSync(tmp, skel);
  fs.rmSync(old, { recursive: true, force: true });
  fs.writeFileSync(`${skel}.stamp`, stamp, { mode: 0o600 });
}
