// A new layer's snapshot without unpacking its tar again: an overlay upper
// directory is already in the snapshot's form (whiteouts as char devices 0:0,
// opaque directories by xattr), so once its layer is written it is renamed into
// `snapshots/<chain>/fs`, on the same filesystem as the state root. First it is
// made to match what extracting the tar would give: the mount points left out of
// the layer and the device nodes the extractor refuses are removed (their
// directories keep their mtimes), and mtimes clamped in the tar are clamped here.
// Published as the extractor's snapshots are (snapshots.ts): a `.tmp-<pid>-*`
// directory with info.json, renamed into place; a snapshot already there wins.
import fs from 'node:fs';
import path from 'node:path';
import { scratchName } from '../../ids.js';
import { PRIVATE_DIR, type Layout } from '../../images/layout.js';
import { hasSnapshot, publishSnapshot, type SnapshotInfo, type TreeRemover } from '../../images/snapshots.js';

export interface MoveFixups {
  /** Relative paths to remove first (empty files and directories, device nodes). */
  remove: readonly string[];
  /** Relative paths whose mtime the layer clamped to `epoch`. */
  clamped: readonly string[];
  epoch?: number;
}

/** The rename crossed filesystems (the upper is not under the state root): copy instead. */
export class CrossDevice extends Error {}

/**
 * Moves `upper` into place as the snapshot `info` describes. Returns false, leaving
 * `upper` as it is, when that snapshot exists already; true once it is published
 * (`upper` is gone then). Throws CrossDevice, before changing anything, when
 * `upper` is on another filesystem than the snapshots.
 */
export function publishByMove(l: Layout, rm: TreeRemover, upper: string, info: SnapshotInfo, fix: MoveFixups): boolean {
  if (hasSnapshot(l, info.chainId)) return false;
  fs.mkdirSync(l.snapshots, { recursive: true, mode: PRIVATE_DIR });
  if (fs.statSync(upper).dev !== fs.statSync(l.snapshots).dev) throw new CrossDevice(`${upper} is not on the state root's filesystem`);
  const at = (rel: string) => Buffer.concat([Buffer.from(`${upper}/`), Buffer.from(rel, 'latin1')]);
  // Deepest first; each parent gets its mtime back once its children are gone.
  const times = new Map<string, fs.BigIntStats>();
  for (const rel of [...fix.remove].sort((a, b) => b.split('/').length - a.split('/').length)) {
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    if (parent && !times.has(parent)) times.set(parent, fs.lstatSync(at(parent), { bigint: true }));
    const st = fs.lstatSync(at(rel));
    if (st.isDirectory()) fs.rmdirSync(at(rel));
    else fs.unlinkSync(at(rel));
  }
  const removed = new Set(fix.remove);
  for (const [rel, st] of times) if (!removed.has(rel)) fs.utimesSync(at(rel), seconds(st.atimeNs), seconds(st.mtimeNs));
  if (fix.epoch !== undefined) for (const rel of fix.clamped) if (!removed.has(rel)) fs.lutimesSync(at(rel), fix.epoch, fix.epoch);

  const tmp = path.join(l.snapshots, scratchName('tmp'));
  fs.mkdirSync(tmp, { mode: PRIVATE_DIR });
  try {
    fs.renameSync(upper, path.join(tmp, 'fs'));
  } catch (e) {
    fs.rmdirSync(tmp);
    throw e;
  }
  let published = false;
  try {
    published = publishSnapshot(l, tmp, info);
    return published;
  } finally {
    if (!published) rm.removeTree(tmp);
  }
}

function seconds(ns: bigint): number {
  return Number(ns / 1000n) / 1e6;
}
