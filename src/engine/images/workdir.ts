// docker creates the working directory when the image lacks it (`-w /new`, or a
// WorkingDir set without a layer that makes it). We make it in the container's own
// upper directory before the overlay is mounted: only when no layer has the path or
// any part of it as something other than a directory (a link is left for the
// container to follow), and parents that exist in a layer are made with that
// layer's mode and owner, as an overlay copy-up would.
import fs from 'node:fs';
import path from 'node:path';

/** layers: the image's layer directories, top first; upper: the container's empty upper dir. */
export function ensureWorkdir(layers: readonly string[], upper: string, workdir: string): void {
  const parts = workdir.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.length === 0 || parts.includes('..')) return;
  // For each prefix length, the stat of the topmost layer that has it as a directory.
  const found: Array<fs.Stats | null> = parts.map(() => null);
  for (const layer of layers) {
    for (let i = 0; i < parts.length; i++) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(layer, ...parts.slice(0, i + 1)));
      } catch {
        break; // nothing deeper in this layer
      }
      if (!st.isDirectory()) return; // a file, link or whiteout on the way: not ours to change
      found[i] ??= st;
    }
  }
  if (found[parts.length - 1]) return; // there already
  let dir = upper;
  for (let i = 0; i < parts.length; i++) {
    dir = path.join(dir, parts[i]);
    const like = found[i];
    fs.mkdirSync(dir, { mode: 0o755 });
    if (like) {
      fs.chownSync(dir, like.uid, like.gid);
      fs.chmodSync(dir, like.mode & 0o7777);
    }
  }
}
