// Compiled programs, cached by digest under <root>/seccomp: compiling costs a few ms
// and every container of one profile, capability set and kernel gets the same bytes.
// The key holds every input of the compiler (crun once missed defaultErrnoRet in
// its key, crun PR #1394), so a hit can never be a stale program.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../state/atomic.js';
import { COMPILER_VERSION, compile, encode } from './compile.js';
import type { Profile, Target } from './profile.js';

let compiles = 0;
/** How many programs this process compiled (the tests check that a cache hit compiles none). */
export function compileCount(): number {
  return compiles;
}

export function cacheDir(root: string): string {
  return path.join(root, 'seccomp');
}

/** `profileText` is the profile's canonical text (the bytes the user gave, or the default's JSON). */
export function cacheKey(profileText: string, t: Target): string {
  const h = createHash('sha256');
  for (const part of [`hutch-seccomp ${COMPILER_VERSION}`, profileText, [...t.caps].map((c) => c.toUpperCase()).sort().join(','), t.kernel]) h.update(`${Buffer.byteLength(part)}:${part}\n`);
  return h.digest('hex');
}

/** The path of the program for (profile, target), compiled and written atomically if not there yet. */
export function cachedProgram(root: string, profile: Profile, profileText: string, t: Target): string {
  const file = path.join(cacheDir(root), `${cacheKey(profileText, t)}.bpf`);
  try {
    // A hit is marked used now: gc prunes only programs unused for a while (PRUNE_AGE_MS),
    // so never one a create is about to name in its config.
    const now = new Date();
    fs.utimesSync(file, now, now);
    return file;
  } catch {
    /* not compiled yet */
  }
  compiles++;
  const bytes = encode(compile(profile, t).program);
  fs.mkdirSync(cacheDir(root), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, bytes, 0o600);
  return file;
}

/** How long an unreferenced program is kept (a create in progress may have just used it). */
export const PRUNE_AGE_MS = 10 * 60 * 1000;

/** Removes programs no container's config names and nobody used for PRUNE_AGE_MS
 * (kernel upgrades and one-off --cap-add sets leave them behind); returns their names. */
export function pruneCache(root: string, referenced: ReadonlySet<string>, now = Date.now()): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(cacheDir(root));
  } catch {
    return out;
  }
  for (const n of names) {
    const file = path.join(cacheDir(root), n);
    if (!n.endsWith('.bpf') || referenced.has(file)) continue;
    try {
      if (now - fs.statSync(file).mtimeMs < PRUNE_AGE_MS) continue;
      fs.unlinkSync(file);
      out.push(n);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}
