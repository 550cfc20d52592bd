// The containers a build makes are named for the build process — `hutch-build-<pid>-
// <start time>-<n>` — so that gc can tell a killed build's leftovers (pid gone, or
// reused by another process with another start time) from a running build's.
import { procStartTime } from '../../proc.js';

let seq = 0;

export const BUILD_NAME_RE = /^hutch-build-(\d+)-(\d+)-\d+$/;

export function buildContainerName(): string {
  return `hutch-build-${process.pid}-${procStartTime(process.pid) ?? 0}-${++seq}`;
}

/** Whether a container of that name belongs to a build that is gone. */
export function orphanedBuildContainer(name: string): boolean {
  const m = BUILD_NAME_RE.exec(name);
  if (!m) return false;
  const start = procStartTime(Number(m[1]));
  return start === null || String(start) !== m[2];
}
