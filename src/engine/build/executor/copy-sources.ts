// Where a COPY/ADD takes its sources from and what its cache key covers: the
// context (with .dockerignore), or the root filesystem of an earlier stage or of an
// image (`--from`), mounted read-only for the step; `--chown` names resolved in the
// stage's own /etc/passwd and /etc/group, `--chmod` parsed. ADD of a URL is refused:
// hutch builds offline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Native } from '../../native/native.js';
import { readEtc } from '../../images/etc-files.js';
import { snapshotFs } from '../../images/layout.js';
import { resolveUser } from '../../images/user.js';
import type { StoreParts } from '../../images/store-parts.js';
import { lineError, Problem, type CopyInstruction, type Heredoc } from '../dockerfile/index.js';
import { hashSources, IgnoreMatcher, parseChmod, resolveSources, type SourceEntry, type SourceMatch, type StatCache } from '../context/index.js';
import { chainsOf, type StageState } from './state.js';
import type { CopyPlan } from './copy-step.js';

export interface SourceRoot {
  dir: string;
  ignore: IgnoreMatcher;
  /** True for the context: files are copied as root (or --chown); else their owners stay. */
  context: boolean;
}

const NO_IGNORE = new IgnoreMatcher([]);

/** The stage's (or image's) root, read-only, for fn; a one-layer root is its snapshot. */
export async function withStateRoot<T>(s: StoreParts, native: Native, st: StageState, fn: (r: SourceRoot) => Promise<T>): Promise<T> {
  const dirs = chainsOf(st)
    .map((c) => snapshotFs(s.l, c))
    .reverse();
  if (dirs.length === 0) {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-build-scratch-'));
    try {
      return await fn({ dir: empty, ignore: NO_IGNORE, context: false });
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  }
  if (dirs.length === 1) return fn({ dir: dirs[0], ignore: NO_IGNORE, context: false });
  const fds = dirs.map((d) => fs.openSync(d, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY));
  const mnt = fs.mkdtempSync(path.join(s.l.dir, '.mnt-build-'));
  let mounted = false;
  try {
    const k = native.constants;
    native.mount('overlay', mnt, 'overlay', k.MS_RDONLY | k.MS_NOSUID | k.MS_NODEV, `lowerdir=${fds.map((fd) => `/proc/self/fd/${fd}`).join(':')}`);
    mounted = true;
    return await fn({ dir: mnt, ignore: NO_IGNORE, context: false });
  } finally {
    if (mounted) native.umount2(mnt, native.constants.MNT_DETACH);
    for (const fd of fds) fs.closeSync(fd);
    fs.rmdirSync(mnt);
  }
}

/** `--chown=user[:group]`: names from the stage's files; a user alone gives gid = uid (docker). */
export function chownIds(s: StoreParts, st: StageState, chown: string): { uid: number; gid: number } {
  const [u, g] = chown.split(':');
  if (/^\d+$/.test(u) && (g === undefined || /^\d+$/.test(g))) return { uid: Number(u), gid: Number(g ?? u) };
  const etc = readEtc(s, chainsOf(st));
  const r = resolveUser(g === undefined ? u : `${u}:${g}`, etc.passwd, etc.group);
  return { uid: r.uid, gid: g === undefined ? r.uid : r.gid };
}

export interface ResolvedCopy {
  plan: CopyPlan;
  /** The sources' content key. */
  digest: string;
}

/** Sources, owners and mode of a COPY/ADD, and their key. */
export async function resolveCopy(
  s: StoreParts,
  st: StageState,
  ins: CopyInstruction,
  root: SourceRoot,
  file: string,
  statCache: StatCache | undefined,
): Promise<ResolvedCopy> {
  const paths: string[] = [];
  const heredocs: Heredoc[] = [];
  for (const src of ins.sources) {
    if (src.kind === 'heredoc') heredocs.push(src.heredoc);
    else if (ins.kind === 'ADD' && /^(https?|git|ssh):\/\/|^git@/.test(src.path))
      throw lineError(file, ins.line, `ADD failed: ${src.path}: fetching a URL is not supported (hutch builds offline); use RUN with curl or wget, or COPY a downloaded file`);
    else paths.push(src.path);
  }
  let chmod: number | undefined;
  let owner: CopyPlan['owner'];
  try {
    chmod = ins.chmod !== undefined ? parseChmod(ins.chmod) : undefined;
    owner = ins.chown !== undefined ? chownIds(s, st, ins.chown) : root.context ? { uid: 0, gid: 0 } : 'keep';
  } catch (e) {
    throw lineError(file, ins.line, `${ins.kind} failed: ${(e as Error).message}`);
  }
  const matches: SourceMatch[] = paths.length
    ? resolveSources(paths, { contextDir: root.dir, ignore: root.ignore, file, line: ins.line, keyword: ins.kind })
    : [];
  const shas = new Map<SourceEntry, string>();
  const h = await hashSources(matches, { owner, ...(chmod !== undefined ? { chmod } : {}), ...(root.context && statCache ? { statCache } : {}), onFile: (_m, e, sha) => shas.set(e, sha) });
  return { plan: { matches, heredocs, owner, ...(chmod !== undefined ? { chmod } : {}), extract: ins.kind === 'ADD', shas }, digest: h.digest };
}

export { Problem };
