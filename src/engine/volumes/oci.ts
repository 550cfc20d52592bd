// A container's mounts as OCI config.json entries, in the order the monitor makes
// them: by destination depth, parents first (docker sorts the same way), so `/a`
// never lands on top of `/a/b`; equal depths keep the order given.
import type { OciMount } from '../spec/defaults.js';
import type { MountPoint } from './attach.js';

/** docker's --tmpfs defaults; the user's flags are merged over them. */
const TMPFS_DEFAULTS = ['nosuid', 'nodev', 'noexec'];
const OPPOSITE: Record<string, string> = { exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev' };

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

function readOnly(m: MountPoint): string[] {
  // `rro` (runtime-spec 1.1) is recursive: a mount below the source is read-only
  // too. `ro` beside it keeps the top read-only for a monitor without `rro`: a
  // `:ro` mount is never writable.
  return m.rw ? [] : ['ro', 'rro'];
}

function tmpfsOptions(m: MountPoint): string[] {
  const out = [...TMPFS_DEFAULTS];
  for (const o of m.tmpfsOptions ?? []) {
    const key = o.split('=')[0];
    const i = out.findIndex((x) => x === OPPOSITE[o] || x === o || (o.includes('=') && x.startsWith(`${key}=`)));
    if (i >= 0) out.splice(i, 1);
    out.push(o);
  }
  return m.rw ? out : [...out, 'ro'];
}

export function ociMounts(mounts: readonly MountPoint[]): OciMount[] {
  const sorted = mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i);
  return sorted.map(({ m }) => {
    if (m.type === 'tmpfs') return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(m) };
    const options = ['rbind', m.type === 'bind' ? m.propagation || 'rprivate' : 'rprivate', ...readOnly(m)];
    // `copyup` is hutch's (PROTOCOL.md): while the volume is empty, the monitor first
    // copies what the container's root has at the destination into it.
    if (m.copyUp) options.push('copyup');
    // OCI's `idmap`: the monitor idmaps the source to the container's user
    // namespace (and ignores it without one).
    if (m.idmap) options.push('idmap');
    // A subpath is resolved by the monitor beneath the volume at each start (a
    // container that writes the volume could have made a component a symlink since
    // create): the source is the volume's top, the subpath an option.
    if (m.subpath) {
      options.push(`hutch-subpath=${m.subpath}`);
      return { destination: m.destination, type: 'bind', source: m.source.slice(0, m.source.length - m.subpath.length - 1), options };
    }
    return { destination: m.destination, type: 'bind', source: m.source, options };
  });
}
