// Entry names as the addon wants them: canonical, relative, checked. The addon
// checks every component again; this is where the error messages come from.

/** A name refused as it stands; the message is the reason. */
export class BadPath extends Error {}

/**
 * The canonical relative form of a tar name ('' for the root): leading '/'
 * dropped (absolute names are relative to the root, as tar and every engine
 * treat them), empty and '.' components dropped. Throws BadPath for a NUL
 * byte or a '..' component: those are refused, not interpreted.
 */
export function canonicalPath(name: string): string {
  if (name.includes('\0')) throw new BadPath('NUL byte in name');
  // Fast path: most names are already canonical ("usr/share/doc/x").
  if (name.length && name.charCodeAt(0) !== 0x2f && !name.includes('//') && !name.includes('./') && !name.endsWith('/') && !name.endsWith('/.') && !name.endsWith('/..') && name !== '.' && name !== '..') return name;
  const out: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') throw new BadPath('path escapes the root ("..")');
    out.push(c);
  }
  return out.join('/');
}

/** Number of components ('' has none). */
export function depth(path: string): number {
  if (!path) return 0;
  let n = 1;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) n++;
  return n;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}
