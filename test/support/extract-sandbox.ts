// A temporary directory T for extraction tests: T/root is the extraction target,
// and around it a sentinel tree (T/outside with files, a directory and a
// symlink, T/target) that hostile archives aim at, by absolute path
// (`${T}/outside/...`) and by `../outside/...` from the root. snapshot()
// records everything in T except T/root — names, types, modes, owners, sizes,
// contents, link targets, link counts, mtimes and ctimes — so comparing two
// snapshots shows any change outside the root (a hardlink to an outside file
// changes its link count and ctime, a chmod its mode and ctime).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ExtractSandbox {
  T: string;
  root: string;
  /** Writes `data` as T/NAME (the layer file). */
  layer(data: Buffer, name?: string): string;
  snapshot(): Map<string, string>;
  cleanup(): void;
}

export function extractSandbox(): ExtractSandbox {
  const T = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-extract-'));
  const root = path.join(T, 'root');
  fs.mkdirSync(path.join(T, 'outside', 'dir'), { recursive: true });
  fs.writeFileSync(path.join(T, 'outside', 'secret.txt'), 'secret\n', { mode: 0o600 });
  fs.writeFileSync(path.join(T, 'outside', 'dir', 'inner.txt'), 'inner\n');
  fs.writeFileSync(path.join(T, 'outside', 'victim'), 'victim\n', { mode: 0o644 });
  fs.mkdirSync(path.join(T, 'target'));
  fs.writeFileSync(path.join(T, 'target', 'keep'), 'keep\n');
  fs.symlinkSync('../target', path.join(T, 'outside', 'link'));
  // Old times, so that a write would show even within the same second.
  for (const p of ['outside/secret.txt', 'outside/dir/inner.txt', 'outside/victim', 'target/keep', 'outside/dir', 'target']) {
    fs.utimesSync(path.join(T, p), 1_000_000_000, 1_000_000_000);
  }
  const layers: string[] = [];
  fs.mkdirSync(root);
  return {
    T,
    root,
    layer(data, name = `layer-${layers.length}.tar`) {
      // Layer files live in T too and are part of the snapshot's "before":
      // write them before taking it.
      const p = path.join(T, name);
      fs.writeFileSync(p, data);
      layers.push(p);
      return p;
    },
    snapshot: () => snapshot(T, root),
    cleanup: () => fs.rmSync(T, { recursive: true, force: true }),
  };
}

function snapshot(T: string, root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    if (p === root) return;
    const st = fs.lstatSync(p, { bigint: true });
    const rel = path.relative(T, p) || '.';
    let what = `mode=${st.mode.toString(8)} uid=${st.uid} gid=${st.gid} nlink=${st.nlink} size=${st.size} mtime=${st.mtimeNs} ctime=${st.ctimeNs}`;
    if (st.isSymbolicLink()) what += ` -> ${fs.readlinkSync(p)}`;
    else if (st.isFile()) what += ` sha256=${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
    out.set(rel, what);
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) walk(path.join(p, n));
  };
  walk(T);
  return out;
}
