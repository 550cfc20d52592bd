// The seccomp filter a container gets: docker's default profile unless the user
// asked for `--security-opt seccomp=unconfined|PROFILE.json` or `--privileged`.
// The one entry point the spec builder calls (seccompFor); compiling and caching
// are behind it, so a caller never sees BPF.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgument } from '../../errors.js';
import { cachedProgram } from './cache.js';
import { DEFAULT_PROFILE } from './default-profile.js';
import { FLAGS, parseProfile, type Profile } from './profile.js';

export { compileCount } from './cache.js';

/** The parts of a request that decide the filter. */
export interface SeccompRequest {
  /** The value of `--security-opt seccomp=…`: 'unconfined', a profile's path, or absent (the default profile). */
  seccomp?: string;
  /** `--privileged`: no filter (docker). */
  privileged?: boolean;
  /** The process's capabilities (bounding set, `CAP_` names): the profile's `includes.caps`/`excludes.caps` look at them. */
  capabilities?: readonly string[];
}

export interface SeccompChoice {
  /** The value of the config's `run.hutch.seccomp` annotation (`[FLAGS:]/path/to/program.bpf`); absent: no filter. */
  annotation?: string;
  /** What `inspect` reports: 'default', 'unconfined', or the custom profile's absolute path. */
  profile: string;
}

/** The annotation the monitor reads (PROTOCOL.md). */
export const SECCOMP_ANNOTATION = 'run.hutch.seccomp';

let defaultText: string | undefined;

/** The filter for a container under state root `root` (the compiled program is cached there). */
export function seccompFor(req: SeccompRequest, root: string): SeccompChoice {
  if (req.privileged || req.seccomp === 'unconfined') return { profile: 'unconfined' };
  let profile: Profile;
  let text: string;
  let name = 'default';
  if (req.seccomp === undefined) {
    profile = DEFAULT_PROFILE;
    text = defaultText ??= JSON.stringify(DEFAULT_PROFILE);
  } else {
    name = path.resolve(req.seccomp);
    text = readProfile(name);
    profile = parseProfile(text, name);
  }
  const t = { caps: req.capabilities ?? [], kernel: os.release() };
  const file = cachedProgram(root, profile, text, t);
  const flags = (profile.flags ?? []).map((f) => FLAGS[f]).filter((f): f is string => !!f);
  return { annotation: flags.length ? `${flags.join(',')}:${file}` : file, profile: name };
}

function readProfile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InvalidArgument(`opening seccomp profile (${file}) failed: ${err.code ?? err.message}`);
  }
}
